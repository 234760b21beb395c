"""Scenarios chosen per request with the Prefer header, and credits that run out."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from mock_server import KreaMock
from tests.helpers import CREATE_PATH, Api


@pytest.mark.parametrize(
    ("code", "message"), [(402, "insufficient credits"), (429, "too many concurrent jobs")]
)
def test_forced_documented_error(api: Api, code: int, message: str) -> None:
    response = api.create(prefer=f"code={code}")
    assert response.status_code == code
    assert response.json()["error"] == message
    assert response.headers["Preference-Applied"] == f"code={code}"
    assert api.list_jobs().json()["items"] == []  # nothing was created


def test_forced_429_carries_retry_after(api: Api) -> None:
    response = api.create(prefer="code=429, retry-after=7")
    assert response.headers["Retry-After"] == "7"


def test_undocumented_forced_code_is_ignored(api: Api) -> None:
    job = api.create_job()
    assert api.get(job["job_id"], prefer="code=402").status_code == 200


def test_flaky_fails_once_then_succeeds(api: Api) -> None:
    job_id = api.create_job()["job_id"]
    first = api.get(job_id, prefer="scenario=flaky")
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "1"
    assert api.get(job_id, prefer="scenario=flaky").status_code == 200


def test_flaky_with_more_failures(api: Api) -> None:
    codes = [
        api.http.get("/jobs", headers={"Prefer": "scenario=flaky; failures=2"}).status_code
        for _ in range(3)
    ]
    assert codes == [503, 503, 200]


def test_flaky_create_creates_nothing_on_503(api: Api) -> None:
    assert api.create(prefer="scenario=flaky").status_code == 503
    assert api.list_jobs().json()["items"] == []
    assert api.create(prefer="scenario=flaky").status_code == 200
    assert len(api.list_jobs().json()["items"]) == 1


def test_stuck_job_stays_processing_until_cancelled(api: Api) -> None:
    job_id = api.create_job(prefer="scenario=stuck")["job_id"]
    seen = [api.get_job(job_id)["status"] for _ in range(10)]
    assert seen[-1] == "processing"
    assert set(seen[2:]) == {"processing"}
    assert api.cancel(job_id).json()["status"] == "cancelled"


def test_slow_job_needs_more_polls(api: Api) -> None:
    fast = api.poll_until_terminal(api.create_job()["job_id"])
    slow = api.poll_until_terminal(api.create_job(prefer="scenario=slow")["job_id"])
    assert len(slow) == 3 * len(fast)  # three polls per step instead of one
    assert slow[-1] == "completed"


@pytest.mark.krea_mock(progression="time", step_seconds=1.0)
def test_slow_job_takes_longer_in_time(api: Api, krea_mock: KreaMock) -> None:
    fast = api.create_job()["job_id"]
    slow = api.create_job(prefer="scenario=slow")["job_id"]
    krea_mock.advance_clock(5)
    assert api.get_job(fast)["status"] == "completed"
    assert api.get_job(slow)["status"] == "queued"


@pytest.mark.parametrize(
    ("prefer", "message"),
    [
        ("scenario=explode", "Prefer: scenario: 'explode' is not one of"),
        ("scenario=fail; reason=bored", "Prefer: reason: 'bored' is not one of"),
        ("code=abc", "Prefer: code: must be a whole number"),
    ],
)
def test_bad_scenarios_are_400(api: Api, prefer: str, message: str) -> None:
    response = api.create(prefer=prefer)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_unknown_preferences_are_ignored(api: Api) -> None:
    response = api.create(prefer="return=minimal, respond-async")
    assert response.status_code == 200
    assert "Preference-Applied" not in response.headers


@pytest.mark.krea_mock(credits_usd=Decimal("0.20"))
def test_credit_budget_makes_402_happen(api: Api, other_api: Api) -> None:
    a = api.create_job({"prompt": "a cat", "resolution": "2K"})  # 0.12 reserved
    refused = api.create({"prompt": "a cat", "resolution": "2K"})  # 0.24 > 0.20
    assert refused.status_code == 402
    assert refused.json()["error"] == "insufficient credits: the job costs $0.12, $0.08 remaining"
    assert api.create({"prompt": "a cat"}).status_code == 200  # 1K costs 0.08: exactly fits
    assert (
        other_api.create({"prompt": "a cat", "resolution": "2K"}).status_code == 200
    )  # own budget
    api.poll_until_terminal(a["job_id"])
    assert api.create({"prompt": "a cat"}).status_code == 402


@pytest.mark.krea_mock(credits_usd=Decimal("0.08"))
def test_failed_and_cancelled_jobs_are_not_billed(api: Api) -> None:
    failed = api.create_job(prefer="scenario=fail")["job_id"]
    api.poll_until_terminal(failed)
    cancelled = api.create_job()["job_id"]
    assert api.cancel(cancelled).status_code == 200
    completed = api.create_job()["job_id"]
    api.poll_until_terminal(completed)
    assert api.create().status_code == 402


@pytest.mark.parametrize(
    ("prefer", "error"),
    [("scenario=reset", httpx.RemoteProtocolError), ("scenario=timeout", httpx.ReadTimeout)],
)
def test_transport_faults_happen_after_the_request_took_effect(
    api: Api, prefer: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        api.http.post(CREATE_PATH, json={"prompt": "a cat"}, headers={"Prefer": prefer})
    assert len(api.list_jobs().json()["items"]) == 1  # the job exists; only the answer was lost
    again = api.http.post(CREATE_PATH, json={"prompt": "a cat"}, headers={"Prefer": prefer})
    assert again.status_code == 200  # failures=1: the identical retry goes through
