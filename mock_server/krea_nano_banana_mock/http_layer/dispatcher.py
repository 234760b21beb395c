"""The dispatcher behind both doors: a plain request in, a plain response out.

It routes (routes.py), serves the control surface, result images and the spec, authenticates
(auth.py), applies the request's `Prefer` scenario, and hands the operation to its handler
(handlers.py) with only what handlers use; every error becomes its response in one place
(errors.py). Nothing it calls calls it back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import orjson

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core import images, videos
from krea_nano_banana_mock.core.backend import Backend, Job
from krea_nano_banana_mock.core.errors import RETRY_AFTER
from krea_nano_banana_mock.core.journal import TENANT_CHARS, Entry, Journal
from krea_nano_banana_mock.core.scenarios import (
    NO_SCENARIO,
    Fault,
    FaultCounter,
    Scenario,
    parse_prefer,
)
from krea_nano_banana_mock.core.webhooks import Outbox
from krea_nano_banana_mock.http_layer.auth import Tenancy
from krea_nano_banana_mock.http_layer.control import PREFIX as CONTROL_PREFIX
from krea_nano_banana_mock.http_layer.control import ControlSurface
from krea_nano_banana_mock.http_layer.errors import (
    ANSWERED,
    RouteNotFound,
    ServiceUnavailable,
    error_response,
)
from krea_nano_banana_mock.http_layer.handlers import OPERATIONS, Invocation, OperationContext
from krea_nano_banana_mock.http_layer.messages import (
    JSON,
    MockRequest,
    MockResponse,
    error_response_of,
)
from krea_nano_banana_mock.http_layer.representation import (
    LIFECYCLE,
    RESULTS_PREFIX,
    JobView,
    result_media_type,
    result_path,
)
from krea_nano_banana_mock.http_layer.routes import Routes
from krea_nano_banana_mock.http_layer.validation import InvalidRequest

log = logging.getLogger("krea_nano_banana_mock")
RESULT_PATH = re.compile(r"^/results/(?P<job_id>[0-9a-f-]{36})/[^/]+$")
SPEC_PATH = "/openapi.json"  # where the real API serves its own document


class Note:
    """What handling learnt about a request, for its journal entry."""

    __slots__ = ("job_id", "operation_id", "tenant")

    def __init__(self) -> None:
        self.operation_id: str = ""
        self.tenant: str | None = None
        self.job_id: str | None = None


class Dispatcher:
    """Answers one request: routes it to the control surface, a result image, the spec or an
    operation's handler (with only what handlers use), and turns every error into its answer."""

    def __init__(
        self,
        backend: Backend,
        outbox: Outbox,
        base_url: str,
        tokens: Sequence[str] | None = None,
        webhook_hosts: Sequence[str] | None = None,
        journal: Journal | None = None,
    ) -> None:
        self.backend = backend
        self.outbox = outbox
        self.clock = backend.clock
        self.view = JobView(base_url)
        self.tenancy = Tenancy(tokens)
        self.faults = FaultCounter()
        self.max_body_bytes = spec.max_body_bytes()
        self.routes = Routes(spec.operations().values())
        self.journal = journal if journal is not None else Journal()
        self.operation_context = OperationContext(
            backend,
            self.view,
            [h.lower() for h in webhook_hosts] if webhook_hosts else None,
            self.max_body_bytes,
        )
        self.control = ControlSurface(backend, outbox, self.journal, self.view, self.reset)
        backend.on_finished = self._job_finished

    # -- entry point ------------------------------------------------------------------------

    def handle(self, request: MockRequest) -> MockResponse:
        note = Note()
        try:
            response = self._dispatch(request, note)
        except ANSWERED as exc:
            response = error_response(exc)
        except Exception:  # a bug in the mock must still answer, and say so in the log
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = error_response_of(500, "internal error in the mock server")
        if self.journal and not request.path.startswith(CONTROL_PREFIX):
            self.journal.record(
                Entry.of(
                    self.clock.now(),
                    request,
                    response,
                    tenant=note.tenant[:TENANT_CHARS] if note.tenant else None,
                    operation_id=note.operation_id,
                    job_id=response.job_id or note.job_id,
                )
            )
        return response

    def _dispatch(self, request: MockRequest, note: Note) -> MockResponse:
        path = request.path
        if path.startswith(CONTROL_PREFIX):
            return self.control.handle(request)
        if path.startswith(RESULTS_PREFIX) and request.method in ("GET", "HEAD"):
            return self._result_image(path)
        if path == SPEC_PATH and request.method in ("GET", "HEAD"):
            return MockResponse(200, spec.document_json())
        operation_id, path_params = self.routes.match(request.method, path)
        note.operation_id = operation_id
        note.job_id = next(iter(path_params.values()), None)
        return self._operation(operation_id, request, path_params, note)

    def _operation(
        self, operation_id: str, request: MockRequest, path_params: dict[str, str], note: Note
    ) -> MockResponse:
        tenant = note.tenant = self.tenancy.authenticate(request.headers.get("authorization"))
        try:
            scenario = parse_prefer(request.headers.get("prefer"))
        except InvalidRequest:
            if _answers_400(operation_id):
                raise
            scenario = NO_SCENARIO
        handler = OPERATIONS[operation_id]
        call = Invocation(request, tenant, path_params, scenario)
        if scenario is NO_SCENARIO:
            return handler(self.operation_context, call)
        faulty = scenario.fault is not None and self.faults.should_fail(
            (tenant, request.method, request.path, scenario.fault), scenario.fault_times
        )
        if faulty and scenario.fault is Fault.FLAKY:
            raise ServiceUnavailable(scenario.retry_after)
        forced = self._forced(operation_id, scenario) if scenario.code is not None else None
        if forced is not None:
            return forced
        response = handler(self.operation_context, call)
        if scenario.applied:
            response.headers.append(("Preference-Applied", scenario.applied))
        if faulty:
            # The request took effect (a create created its job); only its answer is lost,
            # which is the case a client must not retry blindly.
            response.fault = scenario.fault
            response.stall_seconds = scenario.stall_seconds
        return response

    # -- shared pieces ----------------------------------------------------------------------

    def _job_finished(self, job: Job) -> None:
        url = job.request.webhook_url
        if url:
            copies = 2 if job.request.duplicate_webhook else 1
            self.outbox.enqueue(job.job_id, url, orjson.dumps(self.view.json(job)), copies)

    def _forced(self, operation_id: str, scenario: Scenario) -> MockResponse | None:
        """The error `Prefer: code=` asks for; None where it cannot be honoured and the
        operation cannot say so (it documents no 400)."""
        code = scenario.code or 500
        documented = spec.operation(operation_id).definition["responses"]
        if str(code) not in documented or not 400 <= code <= 599:
            if not _answers_400(operation_id):
                return None
            errors = ", ".join(s for s in documented if s[0] in "45")
            raise InvalidRequest(
                "Prefer: code", f"{code} is not an error status of {operation_id} ({errors})"
            )
        response = spec.operation(operation_id).response(code) or {}
        example = response.get("content", {}).get(JSON, {}).get("example")
        message = example["error"] if example else response.get("description", "forced error")
        sends_retry_after = RETRY_AFTER in response.get("headers", {})
        headers = [("Preference-Applied", scenario.code_applied(sends_retry_after))]
        if sends_retry_after:
            headers.append((RETRY_AFTER, str(scenario.retry_after)))
        return error_response_of(code, message.strip(), headers)

    def _result_image(self, path: str) -> MockResponse:
        match = RESULT_PATH.match(path)
        job = self.backend.find(match["job_id"]) if match is not None else None
        if job is None or job.status != LIFECYCLE.succeeded or path != result_path(job):
            raise RouteNotFound(f"no result image at {path}")
        media_type = result_media_type(job)
        size = (job.request.width, job.request.height)
        content = (
            videos.render_mp4(*size) if media_type == "video/mp4" else images.render_png(*size)
        )
        return MockResponse(
            200,
            content,
            [("Cache-Control", "public, max-age=31536000, immutable")],
            content_type=media_type,
        )

    def reset(self) -> None:
        self.journal.clear()
        self.backend.reset()
        self.outbox.clear()
        self.faults.clear()


def _answers_400(operation_id: str) -> bool:
    """Whether the operation documents a 400. One that does not cannot answer one: there, a
    preference the mock cannot read or honour is ignored, as RFC 7240 lets a server ignore any
    preference."""
    return spec.operation(operation_id).response(400) is not None
