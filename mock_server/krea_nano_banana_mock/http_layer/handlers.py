"""The API's operations, behind both doors: what each one does with an authenticated request
(moto's responses.py: operations only). Routing, authentication, errors and the job's JSON each
live in their own module; every generation operation (each one with `x-krea-job-type`) is
served by the same create handler, bound to its model.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core import images
from krea_nano_banana_mock.core.backend import Backend, JobRequest
from krea_nano_banana_mock.core.clock import parse_instant
from krea_nano_banana_mock.core.scenarios import Scenario
from krea_nano_banana_mock.core.webhooks import check_webhook_url
from krea_nano_banana_mock.http_layer.deprecations import (
    apply_aliases,
    blame_alias,
    deprecation_headers,
)
from krea_nano_banana_mock.http_layer.messages import (
    MockRequest,
    MockResponse,
    empty_response,
    json_response,
)
from krea_nano_banana_mock.http_layer.representation import JobView, cursor_text
from krea_nano_banana_mock.http_layer.request_bodies import read_json_object
from krea_nano_banana_mock.http_layer.validation import (
    InvalidRequest,
    ParameterValidator,
    parameters,
    request_body,
)


class Invocation(NamedTuple):
    """An authenticated request to one operation."""

    request: MockRequest
    tenant: str
    path_params: Mapping[str, str]
    scenario: Scenario


@dataclass(frozen=True, slots=True)
class OperationContext:
    """What the operations work with, and nothing more: the jobs, how a job is shown, the
    webhook hosts allowed and the body limit."""

    backend: Backend
    view: JobView
    webhook_hosts: Sequence[str] | None
    max_body_bytes: int


Handler = Callable[[OperationContext, Invocation], MockResponse]


def job_id_of(call: Invocation) -> str:
    """The job a jobs operation is about: its one path parameter."""
    (job_id,) = call.path_params.values()
    return job_id


def units(model: spec.Generation, body: Mapping[str, Any]) -> Decimal | None:
    price = model.price(body)
    return None if price is None else price.compute_units


def creator(model: spec.Generation) -> Handler:
    """The create handler of one generation operation."""
    validator = request_body(model.operation_id)
    headers_of = parameters(model.operation_id, "header")
    webhook_header = model.header(spec.Role.WEBHOOK_URL)
    prompt_field = model.roles.get(spec.Role.PROMPT)

    def create_job(context: OperationContext, call: Invocation) -> MockResponse:
        request, scenario = call.request, call.scenario
        body = read_json_object(request, context.max_body_bytes)
        used = apply_aliases(body, model.aliases, context.backend.clock.now) if body else []
        try:
            validator.validate(body)
        except InvalidRequest as error:
            raise blame_alias(error, used) from None
        webhook = headers_of.parse(request.headers).get(webhook_header) if webhook_header else None
        width, height = images.result_size(model, body)
        job = context.backend.create(
            call.tenant,
            JobRequest(
                model=model.model,
                job_type=model.job_type,
                # Priced only under a credit budget: without one there is nothing to count.
                price=units(model, body) if context.backend.settings.credits is not None else None,
                width=width,
                height=height,
                webhook_url=(
                    check_webhook_url(webhook, context.webhook_hosts, webhook_header)
                    if webhook and webhook_header
                    else None
                ),
                outcome=scenario.outcome,
                failure_reason=scenario.failure_reason,
                slow=scenario.slow,
                duplicate_webhook=scenario.duplicate_webhook,
                prompt=str(body.get(prompt_field, "")) if prompt_field else "",
            ),
        )
        response = json_response(200, context.view.json(job), deprecation_headers(used))
        response.job_id = job.job_id
        return response

    return create_job


def get_job(context: OperationContext, call: Invocation) -> MockResponse:
    return json_response(200, context.view.json(context.backend.get(call.tenant, job_id_of(call))))


def cancel_job(context: OperationContext, call: Invocation) -> MockResponse:
    context.backend.cancel(call.tenant, job_id_of(call))
    return empty_response(200)  # Krea documents a 200 with no body


@functools.cache
def _list_query() -> ParameterValidator:
    return parameters(spec.operation_for("job.list").operation_id, "query")


def list_jobs(context: OperationContext, call: Invocation) -> MockResponse:
    try:
        raw = dict(parse_qsl(call.request.query, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        raise InvalidRequest("query", "percent-encoded bytes that are not UTF-8") from None
    query = _list_query().parse(raw)
    cursor = query.get("cursor")
    # An empty filter filters nothing, as Krea documents.
    types = frozenset(t.strip() for t in query.get("types", "").split(",") if t.strip())
    jobs, next_cursor = context.backend.list(
        call.tenant,
        before=parse_instant(cursor) if cursor else None,
        limit=query["limit"],
        status=query.get("status"),
        types=types or None,
    )
    return json_response(
        200,
        {
            "items": [context.view.json(job) for job in jobs],
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
