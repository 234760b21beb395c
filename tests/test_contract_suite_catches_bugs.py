"""The contract suite is worth its name: each property fails against a mock that breaks its rule.

Every mutant of devtools/mutants.py patches one documented behaviour out of a fresh in-process
mock; the matching property from krea_nano_banana_contract/ is run against it and must fail,
naming the rule the mutant breaks (a crash, or another rule's failure, is not a catch).
Over HTTP, the installed `krea-contract` must fail against a mutant server too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from krea_nano_banana_contract import (
    checks,
    test_lifecycle,
    test_requests,
    test_schemathesis,
    test_state_machine,
    test_sunset,
)
from krea_nano_banana_contract.report import outcome, rule_of_test
from krea_nano_banana_contract.target import Target
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from devtools import mutants
from tests.first_failure import until_first_failure


@pytest.fixture
def fresh_target() -> Target:
    return Target.in_process(KreaMock(backlog_limit=100_000), "a mutant mock")


class NotCaught(AssertionError):
    """The property did not fail by the rule it was meant to catch the mutant with."""


def must_fail(prop: Callable[..., None], rule: str, **kwargs: Any) -> None:
    """`prop` fails, and the run's report would list `rule` among what it broke: as the
    report reads a failure, not as any exception at all."""
    try:
        prop(**kwargs)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # a skip, too, is not a catch
        broken, errors = outcome(error, prop.__name__, None)
        found = [b.rule for b in broken]
        if rule not in found:
            raise NotCaught(
                f"{prop.__name__} was to fail by {rule!r}; it broke {found},"
                f" with errors {[e.detail for e in errors]}"
            ) from error
    else:
        raise NotCaught(f"{prop.__name__} passed; it was to fail by {rule!r}")


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


WITHOUT_A_PROPERTY = "valid input is sent as the spec says and accepted"
SCHEMA = (checks.SchemaMismatch.__doc__ or "").strip()
# Each mutant of devtools/mutants.py, the property of the suite that must catch it in-process, its
# arguments, and the rule it must name.
CAUGHT_BY: dict[str, tuple[Callable[..., None], dict[str, Any], str]] = {
    "accepts-invalid-bodies": (
        test_requests.test_invalid_input_gets_400_naming_the_field,
        {},
        "invalid input gets 400 naming the field",
    ),
    "vague-errors": (
        test_requests.test_invalid_input_gets_400_naming_the_field,
        {},
        "invalid input gets 400 naming the field",
    ),
    "refuses-valid-bodies": (
        test_requests.test_valid_input_is_sent_as_the_spec_says_and_accepted,
        {"model": spec.default_model()},
        "valid input is sent as the spec says and accepted",
    ),
    "skips-statuses": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
        checks.FOLLOWS,
    ),
    "statuses-go-backwards": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
        checks.FOLLOWS,
    ),
    "jobs-never-finish": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
        checks.WaitExpired.rule,
    ),
    "completed-without-urls": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
        checks.FIELDS_MATCH,
    ),
    "bad-timestamps": (
        test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match,
        {},
        SCHEMA,
    ),
    "cancels-from-any-status": (
        test_lifecycle.test_cancel_succeeds_exactly_from_queued_or_processing,
        {},
        rule_of_test("test_cancel_succeeds_exactly_from_queued_or_processing"),
    ),
    "lists-other-tenants-jobs": (
        test_state_machine.test_jobs_state_machine,
        {},
        test_state_machine.ISOLATION,
    ),
    "pages-repeat-a-job": (
        test_state_machine.test_jobs_state_machine,
        {},
        test_state_machine.PAGINATION,
    ),
    "pages-never-end": (
        test_state_machine.test_jobs_state_machine,
        {},
        test_state_machine.PAGINATION,
    ),
    "drops-webhooks": (
        test_state_machine.test_jobs_state_machine,
        {},
        test_state_machine.DELIVERY,
    ),
    "aliases-never-sunset": (
        test_sunset.test_aliases_are_accepted_before_the_sunset_and_refused_from_it,
        {},
        rule_of_test("test_aliases_are_accepted_before_the_sunset_and_refused_from_it"),
    ),
    "not-found-right-after-create": (
        test_schemathesis.test_linked_operations_conform,
        {},
        (checks.CreatedJobNotFound.__doc__ or "").strip(),
    ),
}
# Caught only by Schemathesis (its ignored_auth check, and the suite's rule registered with
# it): see the last test of this file, and scripts/contract-table for the whole suite.
SCHEMATHESIS_ONLY = {"ignores-auth", "camel-case-cursor"}
FIXTURE_OF = {
    test_sunset.test_aliases_are_accepted_before_the_sunset_and_refused_from_it: "steerable",
    test_schemathesis.test_linked_operations_conform: "replayable",
}


def test_every_mutant_has_a_property_that_catches_it() -> None:
    assert set(CAUGHT_BY) | SCHEMATHESIS_ONLY == set(mutants.MUTANTS)


# Run without shrinking, except where the first failing example breaks another rule too and
# only the shrunk one isolates the rule named (a listing with another tenant's job also skips).
NEEDS_SHRINKING = {"lists-other-tenants-jobs"}


@pytest.mark.parametrize("name", sorted(CAUGHT_BY))
def test_a_mutant_is_caught_in_process(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    prop, arguments, rule = CAUGHT_BY[name]
    mutants.MUTANTS[name][1](monkeypatch)
    fresh_target = Target.in_process(KreaMock(backlog_limit=100_000), f"mutant {name}")
    fixture = FIXTURE_OF.get(prop, "spending")
    if name in NEEDS_SHRINKING:
        must_fail(prop, rule, **{fixture: fresh_target}, **arguments)
        return
    with until_first_failure(prop, monkeypatch):
        must_fail(prop, rule, **{fixture: fresh_target}, **arguments)


def test_a_failure_by_another_rule_or_a_crash_is_not_a_catch(
    monkeypatch: pytest.MonkeyPatch, fresh_target: Target
) -> None:
    # The mutant that refuses every create makes the lifecycle property fail at its first
    # request, by its own assertion that a create is accepted: not by the lifecycle rule.
    mutants.MUTANTS["refuses-valid-bodies"][1](monkeypatch)
    lifecycle = test_lifecycle.test_polled_statuses_follow_the_lifecycle_and_fields_match
    with pytest.raises(NotCaught, match="was to fail by 'polled statuses follow"):
        must_fail(lifecycle, checks.FOLLOWS, spending=fresh_target)

    def crashes(spending: Target) -> None:
        raise KeyError("job_id")

    with pytest.raises(NotCaught, match="KeyError"):
        must_fail(crashes, WITHOUT_A_PROPERTY, spending=fresh_target)

    def skips(spending: Target) -> None:
        pytest.skip("nothing to check")

    with pytest.raises(NotCaught):
        must_fail(skips, WITHOUT_A_PROPERTY, spending=fresh_target)


def test_the_suites_own_rules_run_inside_schemathesis(monkeypatch: pytest.MonkeyPatch) -> None:
    # A server that answers the camelCase cursor breaks a rule Schemathesis does not know
    # (the published document requires next_cursor); registered, the rule catches it there.
    import schemathesis
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
