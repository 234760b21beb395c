"""Schemathesis over openapi.yaml: in-process through ASGI, or live against KREA_BASE_URL.

Every built-in check runs except the ones that contradict documented behaviour (EXCLUDED
says which and why). The stateful phase follows the spec's OpenAPI links: create, then get
and cancel the job it returned.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import settings
from krea_nano_banana_mock import AsgiApp, ManualClock, MockOptions, build
from schemathesis import Case, checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.stateful.state_machine import (
    DEFAULT_STATE_MACHINE_SETTINGS,
    APIStateMachine,
)

import krea_nano_banana_spec as spec
from krea_nano_banana_contract import checks as rules
from krea_nano_banana_contract import profiles
from krea_nano_banana_contract.conftest import target_in_use
from krea_nano_banana_contract.report import schemathesis_curl
from krea_nano_banana_contract.target import TOKEN_VARIABLES, Target
from krea_nano_banana_spec.validation import is_uri

TARGET = target_in_use()
rules.register()  # the suite's own rules run inside every Schemathesis case too
# Webhooks go to a closed loopback port: a fuzzed X-Webhook-URL must never make a server
# under test send traffic anywhere else.
WEBHOOK_SINK = "http://127.0.0.1:9/schemathesis"

EXCLUDED = {
    # "DELETE then GET must be 404": DELETE /jobs/{id} cancels a job, and a cancelled job
    # stays retrievable; it is not a deletion.
    checks.use_after_free: "DELETE cancels rather than deletes",
}


def _config() -> SchemathesisConfig:
    settings: dict[str, Any] = {
        # Schemathesis owns the token, so it knows when a case deliberately leaves it out.
        "auth": {"openapi": {"bearerAuth": {"bearer": TARGET.token}}},
        "request-timeout": TARGET.request_timeout,
        "phases": {"coverage": {"enabled": profiles.thorough()}},
    }
    if TARGET.live:
        settings["base-url"] = TARGET.base_url
    return SchemathesisConfig.from_dict(settings)


# Only the suite's token is valid, as on a real server, so that ignored_auth can hold.
MOCK = (
    None
    if TARGET.live
    else build(
        ManualClock(), "http://localhost", MockOptions(backlog_limit=10**6, tokens=[TARGET.token])
    )
)


def _load() -> Any:
    if MOCK is None:
        return schemathesis.openapi.from_dict(json.loads(spec.document_json()), config=_config())
    return schemathesis.openapi.from_asgi("/openapi.json", AsgiApp(MOCK), config=_config())


# Only the models this run checks (`--model`).
UNCHECKED = [g.operation_id for g in spec.generations() if g.model not in TARGET.models]
schema = _load().exclude(operation_id=UNCHECKED) if UNCHECKED else _load()


def _operation_id(case: Case[Any]) -> str:
    return str(case.operation.definition.raw.get("operationId", case.operation.label))


def _is_generation(case: Case[Any]) -> bool:
    return spec.generation_of(_operation_id(case)) is not None


@schemathesis.hook
def before_call(context: Any, case: Case[Any], kwargs: Any) -> None:
    generation = spec.generation_of(_operation_id(case))
    if generation is not None:
        TARGET.spend.charge(generation.model, case.body)


@schemathesis.hook
def after_call(context: Any, case: Case[Any], response: Any) -> None:
    TARGET.counted_call(lambda: schemathesis_curl(case.as_curl_command(), TOKEN_VARIABLES[0]))
    if _is_generation(case) and response.status_code == 200:
        # Cancelled at the end of the run if it has not ended, like every job the suite creates.
        TARGET.started(str(response.json()["job_id"]), TARGET.token)


WEBHOOK_HEADERS = {g.header(spec.Role.WEBHOOK_URL) for g in spec.generations()} - {None}


def keep_webhooks_on_loopback(case: Case[Any]) -> None:
    """A valid generated webhook URL is swapped for the sink; an invalid one is the point of
    a negative case and is sent as it is (the server must refuse it anyway)."""
    headers: Any = case.headers or {}
    for name in WEBHOOK_HEADERS:
        url = headers.get(name)
        if isinstance(url, str) and is_uri(url):
            headers[name] = WEBHOOK_SINK


@schema.parametrize()
def test_every_operation_conforms(case: Case[Any], spending: Any) -> None:
    keep_webhooks_on_loopback(case)
    case.call_and_validate(excluded_checks=list(EXCLUDED))


class LinkedWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        if MOCK is not None:
            MOCK.reset()  # each run starts alike, so a failure replays exactly
        self.created: set[str] = set()

    def before_call(self, case: Case[Any]) -> None:
        keep_webhooks_on_loopback(case)

    def after_call(self, response: Any, case: Case[Any]) -> None:
        super().after_call(response, case)
        if _is_generation(case) and response.status_code == 200:
            self.created.add(str(response.json()["job_id"]))

    def _created_jobs_can_be_found(self, ctx: Any, response: Any, case: Case[Any]) -> bool:
        for job_id in (case.path_parameters or {}).values():
            rules.created_jobs_can_be_found(
                _operation_id(case), response.status_code, str(job_id), self.created
            )
        return True

    def validate_response(
        self, response: Any, case: Case[Any], additional_checks: Any = None, **kwargs: Any
    ) -> None:
        # The recorder is what lets the stateful checks find the create a GET followed from.
        case.validate_response(
            response,
            additional_checks=[*(additional_checks or []), self._created_jobs_can_be_found],
            excluded_checks=list(EXCLUDED),
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )


@pytest.fixture
def replayable(spending: Target) -> Iterator[Target]:
    """Hypothesis replays parts of earlier runs as it explores, and needs each replay to meet
    the same server. A live server that moves jobs with time does not (a cancel is 200 or 409
    by a few milliseconds), so on the mock the linked workflow runs with jobs that move only
    when polled; any other server is taken as it comes."""
    with spending.moving_per_poll():
        yield spending


def test_linked_operations_conform(replayable: Target) -> None:
    machine: type[APIStateMachine] = LinkedWorkflow
    # Schemathesis's own defaults (100 runs) would ignore the profile the rest of the suite uses.
    profile = settings()  # the loaded profile
    machine.run(
        settings=settings(
            DEFAULT_STATE_MACHINE_SETTINGS,
            max_examples=profile.max_examples,
            derandomize=profile.derandomize,
            database=profile.database,
            report_multiple_bugs=profile.report_multiple_bugs,
        )
    )
