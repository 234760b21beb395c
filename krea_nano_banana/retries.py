"""When a failed call may be tried again, and after how long.

Reads are retried on 429, 5xx and connection errors. A create is retried only when the
server certainly did not create a job: a 429 (refused at the concurrency limit) or a
connection that failed before the request was sent. A timeout or a 5xx after sending might
have created one, and a second job costs money.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx

from krea_nano_banana.errors import APIStatusError, RateLimitError, ServerError

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0  # a server asking for longer is not waited for
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def should_retry(self, error: Exception, attempt: int, creates: bool) -> bool:
        if attempt > self.max_retries:
            return False
        if isinstance(error, APIStatusError) and (error.retry_after or 0) > self.max_retry_after:
            return False
        if isinstance(error, RateLimitError):
            return True
        if creates:
            return isinstance(error, NOT_SENT)
        return isinstance(error, ServerError | httpx.TransportError)

    def delay(self, error: Exception, attempt: int) -> float:
        """Retry-After when the server gives one; otherwise capped exponential backoff with
        full jitter, so that many clients do not retry in step."""
        retry_after = error.retry_after if isinstance(error, APIStatusError) else None
        if retry_after is not None:
            return retry_after
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return self.rng.uniform(0, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP-date: rare for this API, and then backoff decides
    return max(0.0, seconds)
