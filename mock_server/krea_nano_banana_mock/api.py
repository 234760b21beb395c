"""The assembled mock behind both doors: a plain request in, a plain response out.

It routes (routes.py), serves the control surface, result images and the spec, authenticates
(auth.py), applies the request's `Prefer` scenario, and hands the operation to its handler
(handlers.py); every error becomes its response in one place (errors.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import orjson

import krea_nano_banana_spec as spec
from krea_nano_banana_mock import control, images
from krea_nano_banana_mock.auth import Tenancy
from krea_nano_banana_mock.backend import Backend, Job
from krea_nano_banana_mock.errors import ANSWERED, RouteNotFound, ServiceUnavailable, error_response
from krea_nano_banana_mock.handlers import OPERATIONS, Invocation
from krea_nano_banana_mock.journal import TENANT_CHARS, Entry, Journal
from krea_nano_banana_mock.messages import JSON, Fault, Request, Response, json_response
from krea_nano_banana_mock.representation import GRAPH, RESULTS_PREFIX, job_json, result_path
from krea_nano_banana_mock.routes import Routes
from krea_nano_banana_mock.scenarios import NO_SCENARIO, FaultCounter, Scenario, parse_prefer
from krea_nano_banana_mock.validation import InvalidRequest
from krea_nano_banana_mock.webhooks import Outbox

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


class MockApi:
    """The mock: backend, webhook outbox and the operations over them."""

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
        self.webhook_hosts = [h.lower() for h in webhook_hosts] if webhook_hosts else None
        self.outbox = outbox
        self.clock = backend.clock
        self.base_url = base_url.rstrip("/")
        self.tenancy = Tenancy(tokens)
        self.faults = FaultCounter()
        self.max_body_bytes = spec.max_body_bytes()
        self.routes = Routes(spec.operations().values())
        self.journal = journal if journal is not None else Journal()
        backend.on_finished = self._job_finished

    # -- entry point ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        note = Note()
        try:
            response = self._dispatch(request, note)
        except ANSWERED as exc:
            response = error_response(exc)
        except Exception:  # a bug in the mock must still answer, and say so in the log
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = json_response(500, {"error": "internal error in the mock server"})
        if self.journal and not request.path.startswith(control.PREFIX):
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

    def _dispatch(self, request: Request, note: Note) -> Response:
        path = request.path
        if path.startswith(control.PREFIX):
            return control.handle(self, request)
        if path.startswith(RESULTS_PREFIX) and request.method in ("GET", "HEAD"):
            return self._result_image(path)
        if path == SPEC_PATH and request.method in ("GET", "HEAD"):
            return Response(200, spec.document_json())
        operation_id, path_params = self.routes.match(request.method, path)
        note.operation_id = operation_id
        note.job_id = next(iter(path_params.values()), None)
        return self._operation(operation_id, request, path_params, note)

    def _operation(
        self, operation_id: str, request: Request, path_params: dict[str, str], note: Note
    ) -> Response:
        tenant = note.tenant = self.tenancy.authenticate(request.headers.get("authorization"))
        try:
            scenario = parse_prefer(request.headers.get("prefer"))
        except InvalidRequest:
            if _answers_400(operation_id):
                raise
            scenario = NO_SCENARIO
        handler = OPERATIONS[operation_id]
        if scenario is NO_SCENARIO:
            return handler(self, Invocation(request, tenant, path_params, scenario))
        faulty = scenario.fault is not None and self.faults.should_fail(
            (tenant, request.method, request.path, scenario.fault), scenario.fault_times
        )
        if faulty and scenario.fault is Fault.FLAKY:
            raise ServiceUnavailable(scenario.retry_after)
        forced = self._forced(operation_id, scenario) if scenario.code is not None else None
        if forced is not None:
            return forced
        response = handler(self, Invocation(request, tenant, path_params, scenario))
        if scenario.applied:
            response.headers.append(("Preference-Applied", scenario.applied))
        if faulty:
            # The request took effect (a create created its job); only its answer is lost,
            # which is the case a client must not retry blindly.
            response.fault = scenario.fault
            response.stall_seconds = scenario.stall_seconds
        return response

    # -- shared pieces ----------------------------------------------------------------------

    def job_json(self, job: Job) -> dict[str, Any]:
        return job_json(job, self.base_url)

    def _job_finished(self, job: Job) -> None:
        url = job.request.webhook_url
        if url:
            copies = 2 if job.request.duplicate_webhook else 1
            self.outbox.enqueue(job.job_id, url, orjson.dumps(self.job_json(job)), copies)

    def _forced(self, operation_id: str, scenario: Scenario) -> Response | None:
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
        self.journal.clear()
        self.backend.reset()
        self.outbox.clear()
        self.faults.clear()


def _answers_400(operation_id: str) -> bool:
    """Whether the operation documents a 400. One that does not cannot answer one: there, a
    preference the mock cannot read or honour is ignored, as RFC 7240 lets a server ignore any
    preference."""
    return spec.operation(operation_id).response(400) is not None
