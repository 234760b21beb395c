"""Webhook deliveries: queued when a job ends, sent later, retried with bounded backoff.

Handling a request only enqueues; sending happens elsewhere (after the response in-process,
in a background task over HTTP), so a slow or dead receiver never holds up the API.
Retry times are on the mock's clock, so a test can move time to trigger a retry.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatch
from urllib.parse import urlsplit

from krea_nano_banana_mock.core.clock import Clock
from krea_nano_banana_mock.core.redaction import redact_text, redact_url
from krea_nano_banana_spec.validation import InvalidRequest

USER_AGENT = "krea-mock-webhooks/1"


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    max_attempts: int = 5
    first_delay: float = 1.0
    max_delay: float = 30.0

    def delay_after(self, attempt: int) -> timedelta:
        return timedelta(seconds=min(self.max_delay, self.first_delay * 2 ** (attempt - 1)))


@dataclass(slots=True)
class Delivery:
    job_id: str
    url: str
    body: bytes
    due: datetime
    attempt: int = 0


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at delivering a webhook, as the delivery log shows it."""

    job_id: str
    url: str
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    delivered: bool
    final: bool  # no further try will be made

    def as_json(self) -> dict[str, object]:
        return {
            "job_id": self.job_id,
            "url": redact_url(self.url),
            "attempt": self.attempt,
            "at": self.at.isoformat(),
            "status_code": self.status_code,
            "error": redact_text(self.error) if self.error is not None else None,
            "delivered": self.delivered,
            "final": self.final,
        }


SyncSender = Callable[[str, bytes], int]
AsyncSender = Callable[[str, bytes], Awaitable[int]]


class Outbox:
    def __init__(self, clock: Clock, policy: DeliveryPolicy | None = None, log_size: int = 1000):
        self.clock = clock
        self.policy = policy or DeliveryPolicy()
        self._pending: list[Delivery] = []
        self._log: deque[Attempt] = deque(maxlen=log_size)
        self._lock = threading.Lock()

    def enqueue(self, job_id: str, url: str, body: bytes, copies: int = 1) -> None:
        now = self.clock.now()
        with self._lock:
            self._pending.extend(Delivery(job_id, url, body, now) for _ in range(copies))

    def take_due(self) -> list[Delivery]:
        now = self.clock.now()
        with self._lock:
            due = [d for d in self._pending if d.due <= now]
            if due:
                self._pending = [d for d in self._pending if d.due > now]
            return due

    def record(self, delivery: Delivery, outcome: int | Exception) -> None:
        """Logs one attempt, whose outcome is the receiver's status or what went wrong, and
        schedules the next one unless it was delivered or was the last."""
        status_code: int | None
        error: str | None
        if isinstance(outcome, Exception):
            status_code, error = None, f"{type(outcome).__name__}: {outcome}"
        else:
            status_code = outcome
            error = None if 200 <= outcome < 300 else f"HTTP {outcome}"
        now = self.clock.now()
        delivery.attempt += 1
        delivered = status_code is not None and 200 <= status_code < 300
        final = delivered or delivery.attempt >= self.policy.max_attempts
        with self._lock:
            self._log.append(
                Attempt(
                    delivery.job_id,
                    delivery.url,
                    delivery.attempt,
                    now,
                    status_code,
                    error,
                    delivered,
                    final,
                )
            )
            if not final:
                delivery.due = now + self.policy.delay_after(delivery.attempt)
                self._pending.append(delivery)

    def deliver_due(self, send: SyncSender) -> int:
        due = self.take_due()
        for delivery in due:
            try:
                outcome: int | Exception = send(delivery.url, delivery.body)
            except Exception as exc:  # any failure of the receiver is a failed attempt
                outcome = exc
            self.record(delivery, outcome)
        return len(due)

    async def deliver_due_async(self, send: AsyncSender) -> int:
        due = self.take_due()

        async def attempt(delivery: Delivery) -> None:
            try:
                outcome: int | Exception = await send(delivery.url, delivery.body)
            except Exception as exc:  # any failure of the receiver is a failed attempt
                outcome = exc
            self.record(delivery, outcome)

        await asyncio.gather(*(attempt(d) for d in due))
        return len(due)

    def scheduled(self) -> list[Delivery]:
        """The deliveries waiting for their next attempt, soonest first."""
        with self._lock:
            return sorted(self._pending, key=lambda delivery: delivery.due)

    @property
    def log(self) -> list[Attempt]:
        with self._lock:
            return list(self._log)

    def __bool__(self) -> bool:
        """Anything queued; a lock-free read, cheap enough to ask after every request."""
        return bool(self._pending)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._log.clear()


def check_webhook_url(url: str, allowed_hosts: Sequence[str] | None, header: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(header, f"{redact_url(url)!r} must be an absolute http or https URL")
    if parts.username is not None or parts.password is not None:
        raise InvalidRequest(header, "must not carry credentials")
    if allowed_hosts is not None and not any(fnmatch(parts.hostname, p) for p in allowed_hosts):
        allowed = ", ".join(allowed_hosts)
        raise InvalidRequest(header, f"host {parts.hostname!r} is not allowed (allowed: {allowed})")
    return url
