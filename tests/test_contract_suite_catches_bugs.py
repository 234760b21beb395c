"""The contract suite is worth its name: each property fails against a mock that breaks its rule.

Every mutant of devtools/mutants.py patches one documented behaviour out of a fresh in-process
mock; the matching property from krea_nano_banana_contract/ is run against it and must fail.
Over HTTP, the installed `krea-contract` must fail against a mutant server too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from krea_nano_banana_contract import test_lifecycle, test_requests, test_state_machine, test_sunset
from krea_nano_banana_contract.target import Target
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from devtools import mutants
from tests.first_failure import until_first_failure


@pytest.fixture
def fresh_target() -> Target:
    return Target.in_process(KreaMock(backlog_limit=100_000), "a mutant mock")


def must_fail(prop: Callable[..., None], **kwargs: Any) -> None:
    with pytest.raises((AssertionError, ExceptionGroup)):
        prop(**kwargs)


@pytest.mark.slow
def test_the_unbroken_mock_passes_what_the_mutants_fail(fresh_target: Target) -> None:
    # The baseline: without a patch, the same calls succeed.
    test_requests.test_invalid_input_gets_400_naming_the_field(spending=fresh_target)
    test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match(spending=fresh_target)
    test_lifecycle.test_cancel_succeeds_exactly_from_queued_or_processing(spending=fresh_target)
    test_state_machine.test_jobs_state_machine(spending=fresh_target)
    test_sunset.test_aliases_are_accepted_before_the_sunset_and_refused_from_it(
        steerable=fresh_target
    )


# Each mutant of devtools/mutants.py, and the property of the suite that must catch it in-process.
CAUGHT_BY: dict[str, tuple[Callable[..., None], dict[str, Any]]] = {
    "accepts-invalid-bodies": (test_requests.test_invalid_input_gets_400_naming_the_field, {}),
    "vague-errors": (test_requests.test_invalid_input_gets_400_naming_the_field, {}),
    "refuses-valid-bodies": (
        test_requests.test_valid_input_is_sent_as_the_spec_says_and_accepted,
        {"model": spec.default_model()},
    ),
    "skips-statuses": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
    ),
    "statuses-go-backwards": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
    ),
    "jobs-never-finish": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
    ),
    "completed-without-urls": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
    ),
    "bad-timestamps": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
    ),
    "cancels-from-any-status": (
        test_lifecycle.test_cancel_succeeds_exactly_from_queued_or_processing,
        {},
    ),
    "lists-other-tenants-jobs": (test_state_machine.test_jobs_state_machine, {}),
    "pages-repeat-a-job": (test_state_machine.test_jobs_state_machine, {}),
    "pages-never-end": (test_state_machine.test_jobs_state_machine, {}),
    "drops-webhooks": (test_state_machine.test_jobs_state_machine, {}),
    "aliases-never-sunset": (
        test_sunset.test_aliases_are_accepted_before_the_sunset_and_refused_from_it,
        {},
    ),
}
# Caught only by Schemathesis (its ignored_auth check, and the suite's rule registered with
# it): see the last test of this file, and scripts/contract-table for the whole suite.
SCHEMATHESIS_ONLY = {"ignores-auth", "camel-case-cursor"}


def test_every_mutant_has_a_property_that_catches_it() -> None:
    assert set(CAUGHT_BY) | SCHEMATHESIS_ONLY == set(mutants.MUTANTS)


@pytest.mark.parametrize("name", sorted(CAUGHT_BY))
def test_a_mutant_is_caught_in_process(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    prop, arguments = CAUGHT_BY[name]
    mutants.MUTANTS[name][1](monkeypatch)
    fresh_target = Target.in_process(KreaMock(backlog_limit=100_000), f"mutant {name}")
    fixture = "steerable" if prop is CAUGHT_BY["aliases-never-sunset"][0] else "spending"
    with until_first_failure(prop, monkeypatch):
        must_fail(prop, **{fixture: fresh_target}, **arguments)


def test_the_suites_own_rules_run_inside_schemathesis(monkeypatch: pytest.MonkeyPatch) -> None:
    # A server that answers the camelCase cursor breaks a rule Schemathesis does not know
    # (the published document requires next_cursor); registered, the rule catches it there.
    import schemathesis
    from krea_nano_banana_contract import checks
    from krea_nano_banana_mock import AsgiApp, ManualClock, MockOptions, build
    from schemathesis.core.failures import FailureGroup

    checks.register()
    listing = spec.operation_for("job.list")
    mutants.MUTANTS["camel-case-cursor"][1](monkeypatch)
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
