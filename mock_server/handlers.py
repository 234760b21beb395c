"""The API's handlers, behind both doors: a plain request in, a plain response out.

Routes come from the spec's paths and operationIds; every generation operation (each one with
`x-krea-job-type`) is served by the same create handler, bound to its model. Every domain error
is turned into its status code in one place (`ERROR_STATUS`), always with an `{"error": ...}`
body.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from fnmatch import fnmatch
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import orjson

from krea_nano_banana import spec
from mock_server import control, images
from mock_server.backend import (
    Backend,
    InsufficientCredits,
    Job,
    JobNotCancellable,
    JobNotFound,
    JobRequest,
    TooManyJobs,
)
from mock_server.clock import parse_instant
from mock_server.deprecations import apply_aliases, blame_alias, deprecation_headers
from mock_server.messages import JSON, Request, Response, json_response
from mock_server.scenarios import NO_SCENARIO, FaultCounter, Scenario, parse_prefer
from mock_server.validation import InvalidRequest, parameters, request_body
from mock_server.webhooks import Outbox

log = logging.getLogger("mock_server")
GRAPH = spec.lifecycle()

CONTROL_PREFIX = control.PREFIX
RESULTS_PREFIX = "/results/"
MAX_CACHED_TOKENS = 10_000
RESULT_PATH = re.compile(r"^/results/(?P<job_id>[0-9a-f-]{36})/[^/]+$")


class Unauthenticated(Exception):
    """The bearer token is missing, malformed or not accepted."""


class PayloadTooLarge(Exception):
    """The request body is over the documented limit."""


class UnsupportedMediaType(Exception):
    """The request body is not JSON."""


class ServiceUnavailable(Exception):
    """A transient failure the flaky scenario asked for."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("service temporarily unavailable (scenario=flaky)")
        self.retry_after = retry_after


class RouteNotFound(Exception):
    """No route has this path."""


class MethodNotAllowed(Exception):
    """The path exists, but not with this method."""

    def __init__(self, method: str, path: str, allowed: list[str]) -> None:
        super().__init__(f"method {method} is not allowed on {path}")
        self.allowed = allowed


ERROR_STATUS: dict[type[Exception], int] = {
    InvalidRequest: 400,
    Unauthenticated: 401,
    InsufficientCredits: 402,
    JobNotFound: 404,
    RouteNotFound: 404,
    MethodNotAllowed: 405,
    JobNotCancellable: 409,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    TooManyJobs: 429,
    ServiceUnavailable: 503,
}


ERROR_TYPES = tuple(ERROR_STATUS)


def error_message(exc: Exception) -> str:
    if isinstance(exc, JobNotFound):
        return "job not found"
    if isinstance(exc, JobNotCancellable):
        graph = spec.lifecycle()
        allowed = " or ".join(s for s in graph.statuses if s in graph.user_cancellable)
        return f"job is {exc.status}; only {allowed} jobs can be cancelled"
    if isinstance(exc, InsufficientCredits):
        return (
            f"insufficient credits: the job costs {exc.price} compute units, "
            f"{exc.remaining} remaining"
        )
    if isinstance(exc, TooManyJobs):
        return "too many concurrent jobs"
    return str(exc)


def error_response(exc: Exception) -> Response:
    headers = []
    if isinstance(exc, TooManyJobs | ServiceUnavailable):
        headers.append(("Retry-After", str(exc.retry_after)))
    if isinstance(exc, MethodNotAllowed):
        headers.append(("Allow", ", ".join(exc.allowed)))
    return json_response(ERROR_STATUS[type(exc)], {"error": error_message(exc)}, headers)


_rendered_seconds: dict[tuple[int, int, int, int, int, int], str] = {}


def timestamp(instant: datetime) -> str:
    """An instant as the API shows it: UTC, milliseconds, a `Z`. Every job read renders one,
    many a second, so each second is rendered once."""
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    second = (
        instant.year,
        instant.month,
        instant.day,
        instant.hour,
        instant.minute,
        instant.second,
    )
    text = _rendered_seconds.get(second)
    if text is None:
        if len(_rendered_seconds) >= 4096:
            _rendered_seconds.clear()
        y, mo, d, h, mi, sec = second
        text = _rendered_seconds[second] = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}"
    return f"{text}.{instant.microsecond // 1000:03d}Z"


def cursor_text(instant: datetime) -> str:
    # Full precision, so that the next page starts exactly after the last job shown.
    return instant.isoformat(timespec="microseconds").replace("+00:00", "Z")


class Call(NamedTuple):
    """An authenticated call to one operation."""

    request: Request
    tenant: str
    path_params: Mapping[str, str]
    scenario: Scenario


Handler = Callable[["MockApi", Call], Response]


def _compile(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")


class MockApi:
    """The assembled mock: backend, webhook outbox and the handlers over them."""

    def __init__(
        self,
        backend: Backend,
        outbox: Outbox,
        base_url: str,
        tokens: Sequence[str] | None = None,
        webhook_hosts: Sequence[str] | None = None,
    ) -> None:
        self.backend = backend
        self.webhook_hosts = [h.lower() for h in webhook_hosts] if webhook_hosts else None
        self.outbox = outbox
        self.clock = backend.clock
        self.base_url = base_url.rstrip("/")
        self.tokens = [t.encode() for t in tokens] if tokens else None
        self._tenants: dict[str, str] = {}  # token -> tenant id, so a digest is made once
        self.faults = FaultCounter()
        self.max_body_bytes = spec.max_body_bytes()
        # Fixed paths are one dict look-up; only templated ones need a pattern.
        self._fixed_routes: dict[str, dict[str, str]] = {}
        self._templated_routes: list[tuple[str, re.Pattern[str], str]] = []
        for op in spec.operations().values():
            if "{" in op.path:
                self._templated_routes.append((op.method, _compile(op.path), op.operation_id))
            else:
                self._fixed_routes.setdefault(op.path, {})[op.method] = op.operation_id
        backend.on_finished = self._job_finished

    # -- entry point ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except ERROR_TYPES as exc:
            return error_response(exc)
        except Exception:  # a bug in the mock must still answer, and say so in the log
            log.exception("unhandled error for %s %s", request.method, request.path)
            return json_response(500, {"error": "internal error in the mock server"})

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if path.startswith(CONTROL_PREFIX):
            return control.handle(self, request)
        if path.startswith(RESULTS_PREFIX) and request.method in ("GET", "HEAD"):
            return self._result_image(path)
        if path == "/openapi.json" and request.method in ("GET", "HEAD"):
            return Response(200, spec.document_json())
        fixed = self._fixed_routes.get(path)
        if fixed is not None:
            operation_id = fixed.get(request.method)
            if operation_id is not None:
                return self._operation(operation_id, request, {})
        allowed = list(fixed or ())
        for method, pattern, operation_id in self._templated_routes:
            match = pattern.match(path)
            if match is None:
                continue
            if method == request.method:
                return self._operation(operation_id, request, match.groupdict())
            allowed.append(method)
        if allowed:
            raise MethodNotAllowed(request.method, path, allowed)
        raise RouteNotFound(f"no route for {path}")

    def _operation(
        self, operation_id: str, request: Request, path_params: dict[str, str]
    ) -> Response:
        tenant = self.authenticate(request.headers.get("authorization"))
        scenario = parse_prefer(request.headers.get("prefer"))
        handler = OPERATIONS[operation_id]
        if scenario is NO_SCENARIO:
            return handler(self, Call(request, tenant, path_params, scenario))
        faulty = scenario.fault is not None and self.faults.should_fail(
            (tenant, request.method, request.path, scenario.fault), scenario.fault_times
        )
        if faulty and scenario.fault == "flaky":
            raise ServiceUnavailable(scenario.retry_after)
        if scenario.code is not None:
            return self._forced(operation_id, scenario)
        response = handler(self, Call(request, tenant, path_params, scenario))
        if scenario.applied:
            response.headers.append(("Preference-Applied", scenario.applied))
        if faulty:
            # The request took effect (a create created its job); only its answer is lost,
            # which is the case a client must not retry blindly.
            response.fault = "reset" if scenario.fault == "reset" else "stall"
            response.stall_seconds = scenario.stall_seconds
        return response

    # -- shared pieces ----------------------------------------------------------------------

    def authenticate(self, header: str | None) -> str:
        """The caller's tenant id: a digest of the token, so that tokens are never kept as keys."""
        if not header:
            raise Unauthenticated("Authorization: a bearer token is required")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("Authorization: expected 'Bearer <token>'")
        tenant = self._tenants.get(token)
        if tenant is not None:
            return tenant
        if self.tokens is not None:
            supplied = token.encode()
            accepted = False
            for known in self.tokens:  # no early exit: the time taken must not tell which matched
                accepted |= hmac.compare_digest(supplied, known)
            if not accepted:
                raise Unauthenticated("Authorization: this token is not accepted")
        if len(self._tenants) >= MAX_CACHED_TOKENS:
            self._tenants.clear()
        tenant = self._tenants[token] = hashlib.sha256(token.encode()).hexdigest()
        return tenant

    def job_json(self, job: Job) -> dict[str, Any]:
        result: dict[str, Any] | None = None
        if job.status == GRAPH.succeeded:
            result = {"urls": [self.base_url + result_path(job)]}
        elif job.status == GRAPH.failed:
            result = {"error": job.error}
        return {
            "job_id": job.job_id,
            "status": job.status,
            "created_at": timestamp(job.created_at),
            "completed_at": timestamp(job.completed_at) if job.completed_at else None,
            "result": result,
            "type": job.request.job_type,
        }

    def _job_finished(self, job: Job) -> None:
        url = job.request.webhook_url
        if url:
            copies = 2 if job.request.duplicate_webhook else 1
            self.outbox.enqueue(job.job_id, url, orjson.dumps(self.job_json(job)), copies)

    def _forced(self, operation_id: str, scenario: Scenario) -> Response:
        code = scenario.code or 500
        documented = spec.operation(operation_id).definition["responses"]
        if str(code) not in documented or not 400 <= code <= 599:
            errors = ", ".join(s for s in documented if s[0] in "45")
            raise InvalidRequest(
                "Prefer: code", f"{code} is not an error status of {operation_id} ({errors})"
            )
        response = spec.operation(operation_id).response(code) or {}
        example = response.get("content", {}).get(JSON, {}).get("example")
        message = example["error"] if example else response.get("description", "forced error")
        sends_retry_after = "Retry-After" in response.get("headers", {})
        headers = [("Preference-Applied", scenario.code_applied(sends_retry_after))]
        if sends_retry_after:
            headers.append(("Retry-After", str(scenario.retry_after)))
        return json_response(code, {"error": message.strip()}, headers)

    def _result_image(self, path: str) -> Response:
        match = RESULT_PATH.match(path)
        job = self.backend.find(match["job_id"]) if match is not None else None
        if job is None or job.status != GRAPH.succeeded or path != result_path(job):
            raise RouteNotFound(f"no result image at {path}")
        return Response(
            200,
            images.render_png(job.request.width, job.request.height),
            [("Cache-Control", "public, max-age=31536000, immutable")],
            content_type="image/png",
        )

    def reset(self) -> None:
        self.backend.reset()
        self.outbox.clear()
        self.faults.clear()


def result_path(job: Job) -> str:
    return f"{RESULTS_PREFIX}{job.job_id}/{job.request.width}x{job.request.height}.png"


# -- the operations ------------------------------------------------------------------------


def read_json_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """The body as a JSON object. The body is optional in the spec: none at all reads as `{}`,
    so that the schema names what is missing; a body with no Content-Type is read as JSON."""
    if len(request.body) > max_bytes:
        raise PayloadTooLarge(f"body: larger than the limit of {max_bytes} bytes")
    if not request.body.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if (
        media_type
        and media_type != JSON
        and not (media_type.startswith("application/") and media_type.endswith("+json"))
    ):
        raise UnsupportedMediaType(f"Content-Type: expected application/json, got {media_type}")
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest("body", f"malformed JSON ({exc})") from None
    if not isinstance(body, dict):
        raise InvalidRequest("body", f"must be a JSON object, not {_json_kind(body)}")
    return body


def _json_kind(value: Any) -> str:
    kinds = {
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }
    return "null" if value is None else kinds.get(type(value), type(value).__name__)


def check_webhook_url(url: str, allowed_hosts: Sequence[str] | None, header: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(header, f"{url!r} must be an absolute http or https URL")
    if parts.username is not None or parts.password is not None:
        raise InvalidRequest(header, "must not carry credentials")
    if allowed_hosts is not None and not any(fnmatch(parts.hostname, p) for p in allowed_hosts):
        allowed = ", ".join(allowed_hosts)
        raise InvalidRequest(header, f"host {parts.hostname!r} is not allowed (allowed: {allowed})")
    return url


def units(model: spec.Generation, body: Mapping[str, Any]) -> Decimal | None:
    price = model.price(body)
    return None if price is None else price.compute_units


def creator(model: spec.Generation) -> Handler:
    """The create handler of one generation operation."""
    validator = request_body(model.operation_id)
    headers_of = parameters(model.operation_id, "header")
    webhook_header = model.header(spec.Role.WEBHOOK_URL)

    def create_job(api: MockApi, call: Call) -> Response:
        request, scenario = call.request, call.scenario
        body = read_json_object(request, api.max_body_bytes)
        used = apply_aliases(body, model.aliases, api.clock.now) if body else []
        try:
            validator.validate(body)
        except InvalidRequest as error:
            raise blame_alias(error, used) from None
        webhook = headers_of.parse(request.headers).get(webhook_header) if webhook_header else None
        width, height = images.result_size(model, body)
        job = api.backend.create(
            call.tenant,
            JobRequest(
                model=model.model,
                job_type=model.job_type,
                price=units(model, body),
                width=width,
                height=height,
                webhook_url=(
                    check_webhook_url(webhook, api.webhook_hosts, webhook_header)
                    if webhook and webhook_header
                    else None
                ),
                outcome=scenario.outcome,
                failure_reason=scenario.failure_reason,
                slow=scenario.slow,
                duplicate_webhook=scenario.duplicate_webhook,
            ),
        )
        return json_response(200, api.job_json(job), deprecation_headers(used))

    return create_job


def get_job(api: MockApi, call: Call) -> Response:
    return json_response(200, api.job_json(api.backend.get(call.tenant, call.path_params["id"])))


def cancel_job(api: MockApi, call: Call) -> Response:
    job = api.backend.cancel(call.tenant, call.path_params["id"])
    return json_response(200, api.job_json(job))


def list_jobs(api: MockApi, call: Call) -> Response:
    try:
        raw = dict(parse_qsl(call.request.query, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        raise InvalidRequest("query", "percent-encoded bytes that are not UTF-8") from None
    query = parameters(spec.operation_for("job.list").operation_id, "query").parse(raw)
    cursor = query.get("cursor")
    # An empty filter filters nothing, as Krea documents.
    types = frozenset(t.strip() for t in query.get("types", "").split(",") if t.strip())
    jobs, next_cursor = api.backend.list(
        call.tenant,
        before=parse_instant(cursor) if cursor else None,
        limit=query["limit"],
        status=query.get("status"),
        types=types or None,
    )
    return json_response(
        200,
        {
            "items": [api.job_json(job) for job in jobs],
            "next_cursor": cursor_text(next_cursor) if next_cursor else None,
        },
    )


OPERATIONS: dict[str, Handler] = {
    **{model.operation_id: creator(model) for model in spec.generations()},
    **{
        spec.operation_for(role).operation_id: handler
        for role, handler in (
            ("job.get", get_job),
            ("job.cancel", cancel_job),
            ("job.list", list_jobs),
        )
    },
}
