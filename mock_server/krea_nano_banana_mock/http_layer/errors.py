"""Every error the mock answers with, each carrying its own HTTP status and message, as moto's
`ServiceException` does; `error_response` turns any of them into `{"error": ...}`.

The backend raises the domain errors below without knowing HTTP: their status is a number on
the class, not a request or response object.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.http_layer.messages import Response, json_response
from krea_nano_banana_spec.validation import InvalidRequest


class MockError(Exception):
    """An error the mock answers with `http_status` and `{"error": str(self)}`."""

    http_status: ClassVar[int] = 500

    def headers(self) -> list[tuple[str, str]]:
        return []


# -- domain errors, raised by the backend --------------------------------------------------


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
        return [("Retry-After", str(self.retry_after))]


# -- request errors, raised at the doors and by the routes ----------------------------------


class Unauthenticated(MockError):
    """The bearer token is missing, malformed or not accepted."""

    http_status = 401


class PayloadTooLarge(MockError):
    """The request body is over the documented limit."""

    http_status = 413


class UnsupportedMediaType(MockError):
    """The request body is declared as something other than JSON."""

    http_status = 415


class ServiceUnavailable(MockError):
    """A transient failure the flaky scenario asked for."""

    http_status = 503

    def __init__(self, retry_after: int) -> None:
        super().__init__("service temporarily unavailable (scenario=flaky)")
        self.retry_after = retry_after

    def headers(self) -> list[tuple[str, str]]:
        return [("Retry-After", str(self.retry_after))]


class RouteNotFound(MockError):
    """No route has this path."""

    http_status = 404


class MethodNotAllowed(MockError):
    """The path exists, but not with this method."""

    http_status = 405

    def __init__(self, method: str, path: str, allowed: list[str]) -> None:
        super().__init__(f"method {method} is not allowed on {path}")
        self.allowed = allowed

    def headers(self) -> list[tuple[str, str]]:
        return [("Allow", ", ".join(self.allowed))]


# The request checks are shared with the SDK (krea_nano_banana_spec.validation): no HTTP there.
ANSWERED = (MockError, InvalidRequest)


def error_response(exc: MockError | InvalidRequest) -> Response:
    if isinstance(exc, InvalidRequest):
        return json_response(400, {"error": str(exc)})
    return json_response(exc.http_status, {"error": str(exc)}, exc.headers())
