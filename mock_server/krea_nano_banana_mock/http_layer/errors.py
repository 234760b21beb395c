"""The errors raised at the API's door (auth, routing, bodies, scenarios), and the one place any
error of the mock becomes its answer: `error_response` turns each into `{"error": ...}` with
its status. The core's own errors live in core/errors.py.
"""

from __future__ import annotations

from krea_nano_banana_mock.core.errors import RETRY_AFTER, MockError
from krea_nano_banana_mock.http_layer.messages import MockResponse, error_response_of
from krea_nano_banana_spec.validation import InvalidRequest

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
        return [(RETRY_AFTER, str(self.retry_after))]


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


def error_response(exc: MockError | InvalidRequest) -> MockResponse:
    if isinstance(exc, InvalidRequest):
        return error_response_of(400, str(exc))
    return error_response_of(exc.http_status, str(exc), exc.headers())
