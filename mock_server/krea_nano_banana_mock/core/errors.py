"""The errors the core raises, each carrying the HTTP status it is answered with as a plain
number on the class (moto's `ServiceException`); the core never builds a response, the API's
door turns any of them into one (http_layer/errors.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import krea_nano_banana_spec as spec

# The header a 429 and a 503 tell a client when to come back with.
RETRY_AFTER = "Retry-After"


class MockError(Exception):
    """An error the mock answers with `http_status` and `{"error": str(self)}`."""

    http_status: ClassVar[int] = 500

    def headers(self) -> list[tuple[str, str]]:
        return []


class JobNotFound(MockError):
    """No job with this id belongs to the caller (it may not exist, or be another tenant's)."""

    http_status = 404

    def __str__(self) -> str:
        return "job not found"


class JobNotCancellable(MockError):
    """The job is in a status from which users cannot cancel."""

    http_status = 409

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status

    def __str__(self) -> str:
        graph = spec.lifecycle()
        allowed = " or ".join(s for s in graph.statuses if s in graph.user_cancellable)
        return f"job is {self.status}; only {allowed} jobs can be cancelled"


class InsufficientCredits(MockError):
    """The tenant's remaining credit (in compute units) does not cover the job."""

    http_status = 402

    def __init__(self, price: Decimal, remaining: Decimal) -> None:
        super().__init__(price, remaining)
        self.price = price
        self.remaining = remaining

    def __str__(self) -> str:
        return (
            f"insufficient credits: the job costs {self.price} compute units, "
            f"{self.remaining} remaining"
        )


class TooManyJobs(MockError):
    """The tenant is at its concurrency limit and its backlog is full."""

    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after

    def __str__(self) -> str:
        return "too many concurrent jobs"

    def headers(self) -> list[tuple[str, str]]:
        return [(RETRY_AFTER, str(self.retry_after))]
