"""What the contract suite runs against: the in-process mock, or a live server over HTTP.

Everything that differs between the two lives here, so the properties read the same for both:
how to reach the server, how to pace polls and how long to wait (`pacing`), whether its
clock can be steered (`steering`), what creating a job may cost (`spending`), and what the
run has sent so far (the request count and the last request, for the report).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import httpx
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from krea_nano_banana_contract.checks import (
    WaitExpired,
    compact,
    job_fields_match_its_status,
    response_conforms,
    statuses_follow_the_lifecycle,
    terminal_statuses_absorb,
)
from krea_nano_banana_contract.pacing import Pacing
from krea_nano_banana_contract.receiver import WebhookReceiver
from krea_nano_banana_contract.report import curl_of
from krea_nano_banana_contract.spending import SpendGuard
from krea_nano_banana_contract.steering import Steering

# A step this short keeps a live run against the project's server from waiting on jobs,
# while each status still lasts long enough for a poll to be able to see it.
FAST_STEP_SECONDS = 0.01
TOKEN_VARIABLES = ("KREA_API_TOKEN", "KREA_API_TOKEN_OTHER")
# How long the end of a run may spend cancelling the jobs it left unfinished: jobs behind the
# concurrency limit can be cancelled only once those ahead of them have been.
CLEANUP_SECONDS = 30.0


class UnreachableServer(RuntimeError):
    pass


def is_loopback(url: str) -> bool:
    """Whether every address the URL's host resolves to is on this machine (a name in
    /etc/hosts for 127.0.0.1 is as local as `localhost`); an unresolvable host is not."""
    parts = urlsplit(url)
    try:
        found = socket.getaddrinfo(parts.hostname or "", parts.port or 0, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {str(info[4][0]).split("%")[0] for info in found}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


@dataclass(repr=False)
class Target:
    """A server under test, and how to reach, pace and (where it allows) steer it."""

    description: str
    base_url: str
    token: str
    other_token: str | None
    pacing: Pacing
    spend: SpendGuard
    transport: httpx.BaseTransport | None = None
    mock: KreaMock | None = None  # set in-process: the mock's own objects can be patched
    steering: Steering | None = None  # the mock's control surface, in-process or over HTTP
    models: tuple[str, ...] = field(default_factory=lambda: tuple(spec.available_models()))
    request_timeout: float = 30.0
    webhooks: WebhookReceiver | None = None
    created: int = 0
    requests: int = 0
    cleanup: str | None = None  # what the end of the run did with the jobs it left unfinished
    _unfinished: dict[str, str] = field(default_factory=dict)  # job id -> its token
    _last_curl: Callable[[], str] | None = None
    _moving_per_poll: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __repr__(self) -> str:
        # Hypothesis prints a failing example's arguments: one line, not every field (the jobs
        # of a long run ran to 75 kB, and Hypothesis warns about a repr that large).
        return f"Target({self.description!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # what Hypothesis's printer asks a dataclass for

    @property
    def live(self) -> bool:
        return self.mock is None

    @property
    def runs_mock_scenarios(self) -> bool:
        """The server is the project's mock, which honours `Prefer` scenarios."""
        return self.steering is not None

    @property
    def may_spend(self) -> bool:
        return self.spend.may_spend

    @property
    def every_step_seen(self) -> bool:
        """In-process each poll moves a job exactly one step; a live server moves with time,
        and a poll may miss steps in between, unless it is the mock told to move per poll."""
        return not self.live or self._moving_per_poll

    @contextlib.contextmanager
    def moving_per_poll(self) -> Iterator[None]:
        """Inside the block, the mock over HTTP moves each job a step per poll, as in-process,
        so that a status it skips is seen to be skipped. Jobs created before the block that
        have not ended wait for polls of their own (a job of the same token may then wait in
        the backlog): the suite's own runs end theirs first."""
        if self.steering is None or not self.live:
            yield
            return
        with self.steering.paced("poll"):
            self._moving_per_poll = True
            try:
                yield
            finally:
                self._moving_per_poll = False

    @classmethod
    def in_process(cls, mock: KreaMock, description: str = "the in-process mock") -> Target:
        target = cls(
            description=description,
            base_url=mock.base_url,
            token="contract-a",
            other_token="contract-b",
            pacing=Pacing.per_poll(mock.dispatcher.backend.settings.pace.slowed().polls_per_step),
            spend=SpendGuard(free=True, limit_usd=None),
            transport=mock.transport(),
            mock=mock,
        )
        target.steering = Steering.find(target.raw_http(counted=False))
        return target

    def raw_http(self, token: str | None = None, *, counted: bool = True) -> httpx.Client:
        """A client to the target; `counted=False` for the suite's housekeeping (the control
        surface, the cleanup), which is neither a check nor a reproduction."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(
            base_url=self.base_url,
            transport=self.transport,
            headers=headers,
            timeout=self.request_timeout,
            event_hooks={"request": [self.count]} if counted else {},
        )

    def started(self, job_id: str, token: str) -> None:
        """A job this run created: it is cancelled at the end unless it is seen to end."""
        with self._lock:
            self.created += 1
            self._unfinished[job_id] = token

    def seen(self, job: dict[str, Any]) -> None:
        if job.get("status") in spec.lifecycle().terminal:
            with self._lock:
                self._unfinished.pop(str(job.get("job_id")), None)

    def finish_what_it_started(self) -> str:
        """Cancels every job of this run that has not ended, so that the server is left as
        usable as it was found (a job left running holds a concurrency slot, and on the real
        API it costs money). Returns what it did, for the run's summary."""
        graph = spec.lifecycle()
        left = dict(self._unfinished)
        cancelled = ended = 0
        refused: list[str] = []
        deadline = time.monotonic() + CLEANUP_SECONDS
        clients: dict[str, httpx.Client] = {}
        try:
            while left and time.monotonic() < deadline:
                for job_id, token in list(left.items()):
                    http = clients.get(token) or clients.setdefault(
                        token, self.raw_http(token, counted=False)
                    )
                    response = http.delete(spec.operation_for("job.cancel").url_path(job_id))
                    if response.status_code == 409:
                        now = http.get(spec.operation_for("job.get").url_path(job_id))
                        status = now.json().get("status") if now.status_code == 200 else None
                        if status == graph.over_limit:
                            continue  # cancellable once the jobs ahead of it are: next round
                        if status in graph.terminal:
                            ended += 1
                        else:
                            refused.append(f"{job_id} ({status})")
                    elif response.status_code == 200:
                        cancelled += 1
                    elif response.status_code != 404:  # 404: nothing of ours is left there
                        refused.append(f"{job_id} ({response.status_code})")
                    del left[job_id]
                if left:
                    time.sleep(0.2)
        except httpx.HTTPError as exc:
            return f"could not cancel the run's unfinished jobs: {exc}; {len(left)} left"
        finally:
            for http in clients.values():
                http.close()
        self._unfinished = left
        said = f"cancelled {cancelled} job(s) this run had left unfinished"
        if ended:
            said += f" ({ended} more had ended on their own)"
        stuck = refused + sorted(left)
        if stuck:
            said += f"; {len(stuck)} could not be cancelled: {', '.join(stuck[:5])}"
        return said

    def count(self, request: httpx.Request) -> None:
        self.counted_call(lambda: self._curl_of(request))

    def counted_call(self, curl: Callable[[], str]) -> None:
        """One more request; `curl` makes its reproduction, only if a report needs it."""
        with self._lock:
            self.requests += 1
            self._last_curl = curl

    @property
    def last_curl(self) -> str | None:
        return self._last_curl() if self._last_curl is not None else None

    def _curl_of(self, request: httpx.Request) -> str:
        tokens = (self.token, self.other_token)
        secrets = {t: v for t, v in zip(tokens, TOKEN_VARIABLES, strict=True) if t}
        return curl_of(request, secrets if self.live else {})

    def fresh_token(self) -> str:
        """A tenant of its own: in-process any token is one; live, the configured token."""
        if self.live:
            return self.token
        return f"contract-{uuid.uuid4()}"

    def client(self, token: str | None = None) -> ContractClient:
        return ContractClient(self, self.token if token is None else token)

    def close(self) -> None:
        if self.live and self.created:
            self.cleanup = self.finish_what_it_started()
        if self.steering is not None and self.live:
            self.steering.restore()
        if self.webhooks is not None:
            self.webhooks.close()


class ContractClient:
    """Raw HTTP to the target; every response is checked against openapi.yaml."""

    def __init__(self, target: Target, token: str) -> None:
        self.target = target
        self.token = token
        self.http = target.raw_http(token)

    def __enter__(self) -> ContractClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def create(
        self, body: Any, headers: dict[str, str] | None = None, model: str | None = None
    ) -> httpx.Response:
        """A generation request to `model` (default: the spec's default model)."""
        operation = spec.generation(model)
        self.target.spend.charge(operation.model, body)
        response = self.http.post(operation.path, json=body, headers=headers)
        # Remembered before anything else can fail or be interrupted, so that it is cancelled.
        job_id = _job_id_of(response) if response.status_code == 200 else None
        if job_id is not None:
            self.target.started(job_id, self.token)
        response_conforms(operation.operation_id, response)
        return response

    def call(self, role: str, *path_values: str, **params: Any) -> httpx.Response:
        """The operation with this `x-operation-role`, checked against the spec."""
        operation = spec.operation_for(role)
        response = self.http.request(
            operation.method, operation.url_path(*path_values), params=params or None
        )
        response_conforms(operation.operation_id, response)
        return response

    def get(self, job_id: str) -> httpx.Response:
        return self.call("job.get", job_id)

    def cancel(self, job_id: str) -> httpx.Response:
        response = self.call("job.cancel", job_id)
        if response.status_code == 200:
            # Krea answers a cancel with no body: the 200 itself says the job has ended.
            self.target.seen({"job_id": job_id, "status": spec.lifecycle().cancelled})
        return response

    def list_jobs(self, **params: Any) -> httpx.Response:
        return self.call("job.list", **params)

    def poll(self, job_id: str) -> dict[str, Any]:
        response = self.get(job_id)
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        assert job["job_id"] == job_id, f"asked for job {job_id}, got {job['job_id']}"
        self.target.seen(job)
        return job

    def poll_until_terminal(
        self, job_id: str, seen_before: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """Every job body seen, one per poll, ending at the first terminal one. Each poll is
        checked at once against the lifecycle, and the wait has a budget (`Target.pacing`):
        a server that breaks either is reported at the poll that shows it."""
        pacing = self.target.pacing
        earlier = list(seen_before or [])
        seen: list[dict[str, Any]] = []
        started = time.monotonic()
        while True:
            job = self.poll(job_id)
            seen.append(job)
            statuses = earlier + [j["status"] for j in seen]
            statuses_follow_the_lifecycle(statuses, self.target.every_step_seen)
            terminal_statuses_absorb(statuses)
            job_fields_match_its_status(job)
            if job.get("completed_at"):
                return seen
            waited = time.monotonic() - started
            out_of_polls = pacing.budget_polls is not None and len(seen) >= pacing.budget_polls
            if out_of_polls or waited >= pacing.budget_seconds:
                raise WaitExpired(
                    f"waited for job {job_id} to end (completed_at set) for {waited:.1f} s and"
                    f" {len(seen)} polls, the budget ({pacing.derivation}); saw {compact(statuses)}"
                )
            time.sleep(pacing.delay(len(seen) - 1))


def _job_id_of(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None  # not JSON: response_conforms says so
    job_id = body.get("job_id") if isinstance(body, dict) else None
    return job_id if isinstance(job_id, str) else None


def _decimal(variable: str) -> Decimal | None:
    text = os.environ.get(variable)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{variable}={text!r} is not a number of dollars") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{variable} must be a non-negative number of dollars")
    return value


def selected_models(text: str | None) -> tuple[str, ...]:
    known = spec.available_models()
    if not text:
        return tuple(known)
    wanted = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return wanted


def live(
    base_url: str,
    token: str,
    other_token: str | None,
    *,
    limit_usd: Decimal | None,
    allow_spend: bool,
    job_timeout: float,
    models: tuple[str, ...],
) -> Target:
    loopback = is_loopback(base_url)
    target = Target(
        description=base_url,
        base_url=base_url,
        token=token,
        other_token=other_token,
        pacing=Pacing.as_krea_advises(job_timeout),
        # A budget the user gives is honoured even where jobs cost nothing.
        spend=SpendGuard(free=(loopback or allow_spend) and limit_usd is None, limit_usd=limit_usd),
        models=models,
        request_timeout=10.0 if loopback else 30.0,
    )
    with target.raw_http(token) as probe:
        try:
            probe.get(spec.operation_for("job.list").path, params={"limit": 1})
        except httpx.HTTPError as exc:
            raise UnreachableServer(f"cannot reach {base_url}: {exc}") from None
        target.requests -= 1  # the probe is the runner's, not the suite's
    # The steering client outlives the probe: it restores the server's pace at the end.
    steering = Steering.find(target.raw_http(counted=False)) if loopback else None
    if steering is not None:
        state = steering.set_pace("time", FAST_STEP_SECONDS)
        target.steering = steering
        target.pacing = Pacing.per_step_time(float(state.get("step_seconds", FAST_STEP_SECONDS)))
    if loopback:
        target.webhooks = WebhookReceiver()
    return target


def from_environment() -> Target:
    """KREA_BASE_URL (none: the in-process mock), KREA_API_TOKEN, KREA_API_TOKEN_OTHER,
    KREA_MAX_SPEND_USD, KREA_ALLOW_SPEND=1 (no limit), KREA_CONTRACT_MODELS (comma-separated),
    KREA_JOB_TIMEOUT (seconds, for servers the suite cannot steer)."""
    models = selected_models(os.environ.get("KREA_CONTRACT_MODELS"))
    base_url = os.environ.get("KREA_BASE_URL", "").rstrip("/")
    if not base_url:
        target = Target.in_process(KreaMock(backlog_limit=100_000))
        target.models = models
        limit_usd = _decimal("KREA_MAX_SPEND_USD")
        if limit_usd is not None:  # honoured in-process too, as the user asked
            target.spend = SpendGuard(free=False, limit_usd=limit_usd)
        return target
    token = os.environ.get("KREA_API_TOKEN")
    if not token:
        raise ValueError("KREA_BASE_URL is set: KREA_API_TOKEN must be set too")
    return live(
        base_url,
        token,
        os.environ.get("KREA_API_TOKEN_OTHER") or None,
        limit_usd=_decimal("KREA_MAX_SPEND_USD"),
        allow_spend=os.environ.get("KREA_ALLOW_SPEND") == "1",
        job_timeout=float(os.environ.get("KREA_JOB_TIMEOUT") or 600),
        models=models,
    )
