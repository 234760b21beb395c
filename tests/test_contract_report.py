"""What a contract run reports: reproductions that reproduce, rules apart from the suite's own
errors, and what counts as a server on this machine."""

from __future__ import annotations

import shlex
import socket
from typing import Any

import httpx
import pytest
from hypothesis.errors import FlakyStrategyDefinition
from krea_nano_banana_contract import cli, report, target
from krea_nano_banana_contract.checks import (
    FOLLOWS,
    LifecycleViolation,
    SchemaMismatch,
    statuses_follow_the_lifecycle,
)
from krea_nano_banana_contract.report import (
    INVALID_TOKEN,
    curl_of,
    outcome,
    schemathesis_curl,
)
from schemathesis.openapi.checks import AuthScenario, IgnoredAuth

SECRETS = {"a": "KREA_API_TOKEN", "b": "KREA_API_TOKEN_OTHER"}  # the README's own tokens


def test_a_short_token_is_named_by_its_variable_and_nothing_else_is_touched() -> None:
    request = httpx.Request(
        "POST",
        "http://127.0.0.1:8080/generate/image/google/nano-banana-2?a=b",
        headers={"Authorization": "Bearer a", "X-Webhook-URL": "http://a.example/b"},
        json={"prompt": "a banana", "aspect_ratio": "16:9"},
    )
    curl = curl_of(request, SECRETS)
    assert '-H "authorization: Bearer ${KREA_API_TOKEN}"' in curl
    assert "-H 'x-webhook-url: http://a.example/b'" in curl
    assert "'http://127.0.0.1:8080/generate/image/google/nano-banana-2?a=b'" in curl
    assert '{"prompt":"a banana","aspect_ratio":"16:9"}' in curl
    assert "KREA_API_TOKEN_OTHER" not in curl  # "b" in the body and URL is not a token
    words = shlex.split(curl)  # and it is one well-formed shell command
    assert words[:4] == ["curl", "-sS", "-X", "POST"]


def test_a_token_that_is_not_configured_is_shown_as_sent() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/jobs", headers={"Authorization": "Bearer z"})
    assert "-H 'authorization: Bearer z'" in curl_of(request, SECRETS)


def _schemathesis_command() -> str:
    return schemathesis_curl(
        "curl -X GET -H 'Authorization: [Filtered]' http://127.0.0.1:8080/jobs", "KREA_API_TOKEN"
    )


def _ignored(scenario: AuthScenario) -> IgnoredAuth:
    return IgnoredAuth(
        operation="GET /jobs", message="Expected 401 or 403, got `200 OK`", scenario=scenario
    )


def test_an_ignored_auth_reproduction_sends_what_the_probe_sent() -> None:
    valid = _schemathesis_command()
    assert "${KREA_API_TOKEN}" in valid
    (invalid,), _ = outcome(_ignored(AuthScenario.INVALID_AUTH), "test_x", valid)
    assert invalid.rule == "API accepts requests without authentication"
    assert invalid.curl is not None
    assert f"Authorization: Bearer {INVALID_TOKEN}" in invalid.curl
    assert "${KREA_API_TOKEN}" not in invalid.curl
    (anonymous,), _ = outcome(_ignored(AuthScenario.NO_AUTH), "test_x", valid)
    assert anonymous.curl is not None
    assert "uthorization" not in anonymous.curl
    assert anonymous.curl.endswith("http://127.0.0.1:8080/jobs")


def test_rules_are_named_and_the_suites_own_errors_are_not_rules() -> None:
    group = ExceptionGroup(
        "two",
        [
            LifecycleViolation("completed -> queued", FOLLOWS),
            SchemaMismatch("get_job", 200, "status: missing"),
            FlakyStrategyDefinition("Inconsistent data generation!"),
            KeyError("job_id"),
        ],
    )
    broken, errors = outcome(group, "test_polled_statuses", "curl x")
    assert [b.rule for b in broken] == [
        FOLLOWS,
        "The response body does not validate against the documented schema.",
    ]
    assert [e.detail for e in errors] == [
        "FlakyStrategyDefinition: Inconsistent data generation!",
        "KeyError: 'job_id'",
    ]
    (bare,), _ = outcome(AssertionError("assert 429 == 200"), "test_valid_input_is_sent", None)
    assert bare.rule == "valid input is sent"


def _resolving_to(*addresses: str) -> Any:
    def getaddrinfo(host: str, *_: Any, **__: Any) -> list[Any]:
        if not addresses:
            raise socket.gaierror("Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in addresses]

    return getaddrinfo


@pytest.mark.parametrize(
    ("addresses", "local"),
    [
        (("127.0.0.1",), True),  # a host alias, as in /etc/hosts
        (("127.0.1.1", "::1"), True),
        (("127.0.0.1", "203.0.113.7"), False),  # one way out is enough to cost money
        (("203.0.113.7",), False),
        ((), False),  # unresolvable
    ],
)
def test_a_host_is_local_when_every_address_it_resolves_to_is(
    monkeypatch: pytest.MonkeyPatch, addresses: tuple[str, ...], local: bool
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _resolving_to(*addresses))
    assert target.is_loopback("http://mock-alias:8080") is local


@pytest.fixture
def fresh_record(monkeypatch: pytest.MonkeyPatch) -> report.RunRecord:
    record = report.RunRecord()
    monkeypatch.setattr(report, "RUN", record)
    return record


def test_a_run_with_nothing_passed_is_no_verdict(
    fresh_record: report.RunRecord, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every test skipped (a host taken for a paid one, say): pytest says OK, the command does not.
    assert cli.verdict(pytest.ExitCode.OK) == cli.NOT_CHECKED
    assert "nothing was checked" in capsys.readouterr().err
    fresh_record.passed = 1
    assert cli.verdict(pytest.ExitCode.OK) == cli.CONFORMS


def test_only_violated_rules_make_exit_1(fresh_record: report.RunRecord) -> None:
    fresh_record.passed = 5
    fresh_record.errors.append(report.SuiteError("test_x", "FlakyStrategyDefinition: ..."))
    assert cli.verdict(pytest.ExitCode.TESTS_FAILED) == cli.NOT_CHECKED
    fresh_record.interrupted = "SIGTERM"
    assert cli.verdict(pytest.ExitCode.INTERRUPTED) == cli.NOT_CHECKED
    fresh_record.broken.append(report.Broken("a rule", "detail", None, "test_y"))
    assert cli.verdict(pytest.ExitCode.INTERRUPTED) == cli.VIOLATIONS


def test_polled_statuses_are_reported_compactly() -> None:
    polls = ["queued"] * 3 + ["processing"] * 257 + ["completed", "queued"]
    with pytest.raises(LifecycleViolation) as raised:
        statuses_follow_the_lifecycle(polls)
    assert str(raised.value) == (
        "completed -> queued is not in the lifecycle:"
        " queued x3 -> processing x257 -> completed -> queued"
    )


def test_setting_the_mocks_clock_is_never_the_reproduction() -> None:
    # The sunset rule's reproduction is the create that broke it, not the suite's housekeeping.
    from datetime import UTC, datetime

    from krea_nano_banana_contract.strategies import minimal_body
    from krea_nano_banana_mock import KreaMock

    steered = target.Target.in_process(KreaMock(), "a mock")
    assert steered.steering is not None
    with steered.client("t") as client:
        client.create(minimal_body())
    steered.steering.set_now(datetime(2030, 1, 1, tzinfo=UTC))
    assert steered.last_curl is not None
    assert steered.last_curl.startswith("curl -sS -X POST ")
    assert "/__mock__/" not in steered.last_curl
