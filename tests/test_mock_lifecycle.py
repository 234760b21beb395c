"""Jobs follow the spec's lifecycle graph under each progression policy."""

from __future__ import annotations

import pytest
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from tests.helpers import CheckedClient

LIFECYCLE = spec.lifecycle()


def test_poll_policy_moves_one_step_per_poll(client: CheckedClient) -> None:
    job = client.create_job()
    assert job["status"] == "queued"
    assert job["completed_at"] is None
    assert job["result"] is None
    seen = client.poll_until_terminal(job["job_id"])
    assert seen == ["scheduled", "processing", "sampling", "completed"]
    assert LIFECYCLE.is_path(("queued", *seen))


def test_completed_at_and_urls_appear_exactly_at_completion(client: CheckedClient) -> None:
    job_id = client.create_job()["job_id"]
    while True:
        job = client.get_job(job_id)
        done = job["status"] in LIFECYCLE.terminal
        assert (job["completed_at"] is not None) == done
        assert bool(job["result"] and job["result"].get("urls")) == (job["status"] == "completed")
        if done:
            break


def test_terminal_statuses_absorb(client: CheckedClient) -> None:
    job_id = client.create_job()["job_id"]
    client.poll_until_terminal(job_id)
    final = client.get_job(job_id)
    for _ in range(3):
        assert client.get_job(job_id) == final


def test_failed_job_has_result_error(client: CheckedClient) -> None:
    job_id = client.create_job(prefer="scenario=fail; reason=moderation")["job_id"]
    seen = client.poll_until_terminal(job_id)
    assert seen[-1] == "failed"
    job = client.get_job(job_id)
    assert "moderation" in job["result"]["error"]
    assert "urls" not in job["result"]


@pytest.mark.krea_mock(progression="time", step_seconds=1.0, now="2026-01-01T00:00:00Z")
def test_time_policy_moves_with_the_clock(client: CheckedClient, krea_mock: KreaMock) -> None:
    job_id = client.create_job()["job_id"]
    assert client.get_job(job_id)["status"] == "queued"  # polling alone does not move it
    krea_mock.advance_clock(1.0)
    assert client.get_job(job_id)["status"] == "scheduled"
    krea_mock.advance_clock(10.0)
    job = client.get_job(job_id)
    assert job["status"] == "completed"
    # completed at the instant its last step was due, not when someone happened to look
    assert job["created_at"] == "2026-01-01T00:00:00.000Z"
    assert job["completed_at"] == "2026-01-01T00:00:04.000Z"


@pytest.mark.krea_mock(progression="manual")
def test_manual_policy_moves_only_when_told(client: CheckedClient, krea_mock: KreaMock) -> None:
    job_id = client.create_job()["job_id"]
    krea_mock.advance_clock(3600)
    assert client.get_job(job_id)["status"] == "queued"
    krea_mock.advance(job_id)
    assert client.get_job(job_id)["status"] == "scheduled"
    krea_mock.advance(job_id, steps=10)
    assert client.get_job(job_id)["status"] == "completed"


@pytest.mark.parametrize("steps", [0, 2])  # queued, processing
def test_cancel_from_queued_or_processing(
    krea_mock: KreaMock, client: CheckedClient, steps: int
) -> None:
    krea_mock.set_progression("manual")
    job_id = client.create_job()["job_id"]
    if steps:
        krea_mock.advance(job_id, steps)
    assert client.get_job(job_id)["status"] in LIFECYCLE.user_cancellable
    response = client.cancel(job_id)
    assert (response.status_code, response.content) == (200, b"")  # Krea documents no body
    assert "content-type" not in response.headers
    kept = client.get_job(job_id)
    assert kept["status"] == "cancelled"
    assert kept["completed_at"] is not None


@pytest.mark.parametrize(("steps", "status"), [(1, "scheduled"), (3, "sampling"), (4, "completed")])
def test_cancel_from_other_statuses_is_409(
    krea_mock: KreaMock, client: CheckedClient, steps: int, status: str
) -> None:
    krea_mock.set_progression("manual")
    job_id = client.create_job()["job_id"]
    krea_mock.advance(job_id, steps)
    response = client.cancel(job_id)
    assert response.status_code == 409
    assert (
        response.json()["error"]
        == f"job is {status}; only queued or processing jobs can be cancelled"
    )
    assert client.get_job(job_id)["status"] == status


def test_cancelling_twice_is_409(client: CheckedClient) -> None:
    job_id = client.create_job()["job_id"]
    assert client.cancel(job_id).status_code == 200
    assert client.cancel(job_id).status_code == 409


@pytest.mark.krea_mock(concurrency_limit=2, progression="manual")
def test_jobs_beyond_the_concurrency_limit_are_backlogged(
    client: CheckedClient, other_client: CheckedClient, krea_mock: KreaMock
) -> None:
    first, second, third = (client.create_job() for _ in range(3))
    assert [first["status"], second["status"], third["status"]] == [
        "queued",
        "queued",
        "backlogged",
    ]
    assert other_client.create_job()["status"] == "queued"  # the limit is per token
    krea_mock.advance(first["job_id"], steps=10)
    assert client.get_job(third["job_id"])["status"] == "queued"
    assert client.cancel(second["job_id"]).status_code == 200


@pytest.mark.krea_mock(concurrency_limit=1, backlog_limit=1)
def test_a_full_backlog_is_429_with_retry_after(client: CheckedClient) -> None:
    client.create_job()
    client.create_job()
    response = client.create()
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"] == "too many concurrent jobs"
