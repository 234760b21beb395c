"""The contract suite is worth its name: each property fails against a mock that breaks its rule.

Every mutant below patches one documented behaviour out of a fresh in-process mock; the
matching property from krea_nano_banana_contract/ is run against it and must fail.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import Phase, settings
from krea_nano_banana_contract import test_lifecycle, test_requests, test_state_machine, test_sunset
from krea_nano_banana_contract.target import Target
from krea_nano_banana_mock import (
    KreaMock,
    api,
    backend,
    deprecations,
    errors,
    handlers,
    lifecycle,
    representation,
    validation,
)

import krea_nano_banana_spec as spec
from krea_nano_banana_spec import validation as shared_wording

NO_SHRINK = "mutants"
settings.register_profile(
    NO_SHRINK, parent=settings.default, phases=[Phase.explicit, Phase.generate]
)


@pytest.fixture
def fresh_target() -> Target:
    return Target.in_process(KreaMock(backlog_limit=100_000), "a mutant mock")


def must_fail(prop: Callable[..., None], **kwargs: Any) -> None:
    # Finding the failure is the point here; shrinking it to a minimal example is not.
    current = settings.default
    settings.load_profile(NO_SHRINK)
    try:
        with pytest.raises((AssertionError, ExceptionGroup)):
            prop(**kwargs)
    finally:
        settings.register_profile("restored", current)
        settings.load_profile("restored")


def test_the_unbroken_mock_passes_what_the_mutants_fail(fresh_target: Target) -> None:
    # The baseline: without a patch, the same calls succeed.
    test_requests.test_invalid_input_gets_400_naming_the_field(spending=fresh_target)
    test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match(spending=fresh_target)
    test_lifecycle.test_cancel_succeeds_exactly_from_queued_or_processing(spending=fresh_target)
    test_state_machine.test_jobs_state_machine(spending=fresh_target)
    test_sunset.test_aliases_are_accepted_before_the_sunset_and_refused_from_it(
        steerable=fresh_target
    )


def test_accepting_invalid_bodies_is_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(validation.SchemaValidator, "validate", lambda self, instance: None)
    must_fail(test_requests.test_invalid_input_gets_400_naming_the_field, spending=fresh_target)


def test_an_error_not_naming_the_field_is_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    vague = validation.InvalidRequest("body", "is invalid")
    monkeypatch.setattr(shared_wording.RequestChecker, "problems", lambda self, instance: [vague])
    must_fail(test_requests.test_invalid_input_gets_400_naming_the_field, spending=fresh_target)


def test_refusing_valid_bodies_is_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: backend.Backend, tenant: str, request: backend.JobRequest) -> backend.Job:
        raise errors.TooManyJobs(1)

    monkeypatch.setattr(backend.Backend, "create", refuse)
    must_fail(
        test_requests.test_valid_input_is_sent_as_the_spec_says_and_accepted,
        spending=fresh_target,
        model=spec.default_model(),
    )


def test_a_transition_outside_the_graph_is_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        lifecycle.STATUS_SEQUENCES, lifecycle.Outcome.COMPLETE, ("queued", "completed")
    )
    must_fail(
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        spending=fresh_target,
    )


def test_a_completed_job_without_urls_is_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = api.MockApi.job_json

    def without_urls(self: api.MockApi, job: backend.Job) -> dict[str, Any]:
        body = original(self, job)
        if body["status"] == "completed":
            body["result"] = {}
        return body

    monkeypatch.setattr(api.MockApi, "job_json", without_urls)
    must_fail(
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        spending=fresh_target,
    )


def test_cancelling_from_any_status_is_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = spec.lifecycle()
    lax = dataclasses.replace(graph, user_cancellable=frozenset(graph.statuses))
    monkeypatch.setattr(backend, "GRAPH", lax)  # the mock's reading of the spec, read once
    must_fail(
        test_lifecycle.test_cancel_succeeds_exactly_from_queued_or_processing, spending=fresh_target
    )


def test_listing_other_tenants_jobs_is_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = backend.Backend.list

    def everyone(self: backend.Backend, tenant_id: str, **kwargs: Any) -> Any:
        pages = [original(self, t, **kwargs) for t in list(self._tenants)]
        return [job for page, _ in pages for job in page], None

    monkeypatch.setattr(backend.Backend, "list", everyone)
    must_fail(test_state_machine.test_jobs_state_machine, spending=fresh_target)


def test_pages_that_repeat_a_job_are_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cursor one microsecond late makes the next page start with the job that ended this one.
    def late(instant: datetime) -> str:
        return (instant + backend.ONE_MICROSECOND).isoformat()

    monkeypatch.setattr(handlers, "cursor_text", late)
    must_fail(test_state_machine.test_jobs_state_machine, spending=fresh_target)


def test_a_missing_webhook_is_caught(fresh_target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fresh_target.mock is not None
    monkeypatch.setattr(fresh_target.mock.api.backend, "on_finished", lambda job: None)
    must_fail(test_state_machine.test_jobs_state_machine, spending=fresh_target)


def test_aliases_that_never_sunset_are_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    forever = datetime(9999, 1, 1, tzinfo=UTC)
    apply_aliases = deprecations.apply_aliases

    def never_sunset(body: dict[str, Any], aliases: Any, now: Any) -> Any:
        eternal = [dataclasses.replace(a, sunset=forever) for a in aliases]
        return apply_aliases(body, eternal, now)

    monkeypatch.setattr(handlers, "apply_aliases", never_sunset)
    must_fail(
        test_sunset.test_aliases_are_accepted_before_the_sunset_and_refused_from_it,
        steerable=fresh_target,
    )


def test_a_nonconforming_response_is_caught(
    fresh_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(representation, "timestamp", lambda instant: "yesterday")
    must_fail(
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        spending=fresh_target,
    )


def test_the_suites_own_rules_run_inside_schemathesis(monkeypatch: pytest.MonkeyPatch) -> None:
    # A server that answers the camelCase cursor breaks a rule Schemathesis does not know
    # (the published document requires next_cursor); registered, the rule catches it there.
    import schemathesis
    from krea_nano_banana_contract import checks
    from krea_nano_banana_mock import AsgiApp, ManualClock, MockOptions, build
    from schemathesis.core.failures import FailureGroup

    checks.register()
    listing = spec.operation_for("job.list")
    original = handlers.OPERATIONS[listing.operation_id]

    def camel_case_cursor(api: Any, call: Any) -> Any:
        response = original(api, call)
        response.body = response.body.replace(b'"next_cursor"', b'"nextCursor"')
        return response

    monkeypatch.setitem(handlers.OPERATIONS, listing.operation_id, camel_case_cursor)
    mock = build(ManualClock(), "http://localhost", MockOptions(tokens=["t"]))
    schema = schemathesis.openapi.from_asgi("/openapi.json", AsgiApp(mock))
    operation = schema[listing.path][listing.method]
    case = operation.Case(query={"limit": 1}, headers={"Authorization": "Bearer t"})
    with pytest.raises(FailureGroup) as raised:
        case.call_and_validate()
    failures: list[Any] = list(raised.value.exceptions)
    assert [type(f) for f in failures] == [checks.MissingPublishedField]
    assert failures[0].operation_id == listing.operation_id  # structured fields
    assert failures[0].problem == "next_cursor is required"
