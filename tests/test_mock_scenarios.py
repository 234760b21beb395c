"""Scenarios chosen per request with the Prefer header, and credits that run out."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from tests.helpers import CREATE_PATH, CheckedClient


@pytest.mark.parametrize(
    ("code", "message", "applied"),
    [
        (402, "insufficient credits", "code=402"),
        (429, "too many concurrent jobs", "code=429; retry-after=1"),
    ],
)
def test_forced_documented_error(
    client: CheckedClient, code: int, message: str, applied: str
) -> None:
    response = client.create(prefer=f"code={code}")
    assert response.status_code == code
    assert response.json()["error"] == message
    assert response.headers["Preference-Applied"] == applied
    assert client.list_jobs().json()["items"] == []  # nothing was created


@pytest.mark.parametrize(
    "prefer",
    ["code=429; retry-after=7", "code=429, retry-after=7", 'code="429"; retry-after="7"'],
)
def test_forced_429_carries_retry_after_in_either_form(client: CheckedClient, prefer: str) -> None:
    # RFC 7240 writes a preference's parameters after ";"; a separate preference works too.
    response = client.create(prefer=prefer)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.headers["Preference-Applied"] == "code=429; retry-after=7"


def test_an_undocumented_forced_code_is_refused_saying_which_are(client: CheckedClient) -> None:
    operation = spec.operation(spec.generation().operation_id)
    refused = client.create(prefer="code=409")
    assert refused.status_code == 400
    errors = [code for code in operation.definition["responses"] if code[0] in "45"]
    assert refused.json()["error"] == (
        f"Prefer: code: 409 is not an error status of {operation.operation_id}"
        f" ({', '.join(errors)})"
    )


@pytest.mark.parametrize(
    ("prefer", "message"),
    [
        ("code=4xx", "Prefer: code: must be a whole number from 100 to 599"),
        ("code=429; retry-after=soon", "Prefer: retry-after: must be a whole number"),
        ("code=429; colour=blue", "Prefer: code: unknown parameter 'colour'"),
        ("code=", "Prefer: cannot parse 'code=': expected name=value"),
        ('scenario="fail', "Prefer: cannot parse 'scenario=\"fail': unbalanced quotes"),
        ("scenario=explode", "Prefer: scenario: 'explode' is not one of fail, slow"),
        ("scenario=slow; reason=timeout", "Prefer: reason: applies only with scenario=fail"),
        ("code=429, code=402", "Prefer: code: given twice (429, 402)"),
    ],
)
def test_a_known_preference_that_cannot_be_parsed_is_a_400(
    client: CheckedClient, prefer: str, message: str
) -> None:
    response = client.create(prefer=prefer)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message), response.json()
    assert client.list_jobs().json()["items"] == []


@pytest.mark.parametrize(
    ("prefer", "applied"),
    [
        ("scenario=fail; reason=timeout", "scenario=fail; reason=timeout"),
        ("scenario=fail, reason=timeout", "scenario=fail; reason=timeout"),
        ("scenario=slow, scenario=duplicate-webhook", "scenario=slow, scenario=duplicate-webhook"),
        ("respond-async, scenario=stuck; wait=5", "scenario=stuck"),
    ],
)
def test_preference_applied_echoes_every_preference_applied(
    client: CheckedClient, prefer: str, applied: str
) -> None:
    if "wait" in prefer:  # a parameter the mock does not know, on a known preference
        assert client.create(prefer=prefer).status_code == 400
        return
    response = client.create(prefer=prefer)
    assert response.status_code == 200
    assert response.headers["Preference-Applied"] == applied


def test_flaky_fails_once_then_succeeds(client: CheckedClient) -> None:
    job_id = client.create_job()["job_id"]
    first = client.get(job_id, prefer="scenario=flaky")
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "1"
    assert client.get(job_id, prefer="scenario=flaky").status_code == 200


def test_flaky_with_more_failures(client: CheckedClient) -> None:
    codes = [
        client.http.get("/jobs", headers={"Prefer": "scenario=flaky; failures=2"}).status_code
        for _ in range(3)
    ]
    assert codes == [503, 503, 200]


def test_flaky_create_creates_nothing_on_503(client: CheckedClient) -> None:
    assert client.create(prefer="scenario=flaky").status_code == 503
    assert client.list_jobs().json()["items"] == []
    assert client.create(prefer="scenario=flaky").status_code == 200
    assert len(client.list_jobs().json()["items"]) == 1


def test_stuck_job_stays_processing_until_cancelled(client: CheckedClient) -> None:
    job_id = client.create_job(prefer="scenario=stuck")["job_id"]
    seen = [client.get_job(job_id)["status"] for _ in range(10)]
    assert seen[-1] == "processing"
    assert set(seen[2:]) == {"processing"}
    assert client.cancel(job_id).status_code == 200
    assert client.get_job(job_id)["status"] == "cancelled"


def test_slow_job_needs_more_polls(client: CheckedClient) -> None:
    fast = client.poll_until_terminal(client.create_job()["job_id"])
    slow = client.poll_until_terminal(client.create_job(prefer="scenario=slow")["job_id"])
    assert len(slow) == 3 * len(fast)  # three polls per step instead of one
    assert slow[-1] == "completed"


@pytest.mark.krea_mock(progression="time", step_seconds=1.0)
def test_slow_job_takes_longer_in_time(client: CheckedClient, krea_mock: KreaMock) -> None:
    fast = client.create_job()["job_id"]
    slow = client.create_job(prefer="scenario=slow")["job_id"]
    krea_mock.advance_clock(5)
    assert client.get_job(fast)["status"] == "completed"
    assert client.get_job(slow)["status"] == "queued"


@pytest.mark.parametrize(
    ("prefer", "message"),
    [
        ("scenario=explode", "Prefer: scenario: 'explode' is not one of"),
        ("scenario=fail; reason=bored", "Prefer: reason: 'bored' is not one of"),
        ("code=abc", "Prefer: code: must be a whole number"),
    ],
)
def test_bad_scenarios_are_400(client: CheckedClient, prefer: str, message: str) -> None:
    response = client.create(prefer=prefer)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_unknown_preferences_are_ignored(client: CheckedClient) -> None:
    response = client.create(prefer="return=minimal, respond-async")
    assert response.status_code == 200
    assert "Preference-Applied" not in response.headers


@pytest.mark.krea_mock(credits=Decimal("92.2"))
def test_credit_budget_makes_402_happen(client: CheckedClient, other_client: CheckedClient) -> None:
    a = client.create_job({"prompt": "a cat", "resolution": "2K"})  # 57.8 reserved
    refused = client.create({"prompt": "a cat", "resolution": "2K"})  # 115.6 > 92.2
    assert refused.status_code == 402
    assert refused.json()["error"] == (
        "insufficient credits: the job costs 57.8 compute units, 34.4 remaining"
    )
    assert client.create({"prompt": "a cat"}).status_code == 200  # 1K costs 34.4: exactly fits
    assert (
        other_client.create({"prompt": "a cat", "resolution": "2K"}).status_code == 200
    )  # own budget
    client.poll_until_terminal(a["job_id"])
    assert client.create({"prompt": "a cat"}).status_code == 402


@pytest.mark.krea_mock(credits=Decimal("34.4"))
def test_failed_and_cancelled_jobs_are_not_billed(client: CheckedClient) -> None:
    failed = client.create_job(prefer="scenario=fail")["job_id"]
    client.poll_until_terminal(failed)
    cancelled = client.create_job()["job_id"]
    assert client.cancel(cancelled).status_code == 200
    completed = client.create_job()["job_id"]
    client.poll_until_terminal(completed)
    assert client.create().status_code == 402


@pytest.mark.parametrize(
    ("prefer", "error"),
    [("scenario=reset", httpx.RemoteProtocolError), ("scenario=timeout", httpx.ReadTimeout)],
)
def test_transport_faults_happen_after_the_request_took_effect(
    client: CheckedClient, prefer: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        client.http.post(CREATE_PATH, json={"prompt": "a cat"}, headers={"Prefer": prefer})
    assert len(client.list_jobs().json()["items"]) == 1  # the job exists; only the answer was lost
    again = client.http.post(CREATE_PATH, json={"prompt": "a cat"}, headers={"Prefer": prefer})
    assert again.status_code == 200  # failures=1: the identical retry goes through


@pytest.mark.parametrize(
    "prefer", ["scenario=explode", "code=abc", "scenario=fail; reason=bored", "code=402"]
)
def test_a_bad_prefer_is_ignored_where_the_operation_documents_no_400(
    client: CheckedClient, prefer: str
) -> None:
    job_id, other_id = client.create_job()["job_id"], client.create_job()["job_id"]
    polled = client.get(job_id, prefer=prefer)  # checked against the spec: no 400 documented
    cancelled = client.cancel(other_id, prefer=prefer)
    assert polled.status_code == 200
    assert cancelled.status_code == 200
    assert "Preference-Applied" not in polled.headers
    assert client.list_jobs().status_code == 200
