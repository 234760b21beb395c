"""The generated client parses what the real API is documented to return, not just the schema.

Responses here are shaped like the ones quoted in Krea's docs (krea-api-facts.md, "Real
responses are looser"), served through httpx.MockTransport as if recorded.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from krea_api_client import AuthenticatedClient
from krea_api_client.api.jobs import get_job, list_jobs
from krea_api_client.models import (
    Job,
    JobList,
    JobResult,
    JobStatus,
)
from krea_api_client.types import Unset

JOB_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
JOB_UUID = UUID(JOB_ID)


def client_answering(payload: Any, status: int = 200) -> AuthenticatedClient:
    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status,
            content=json.dumps(payload).encode(),
            headers={"content-type": "application/json"},
        )

    return AuthenticatedClient(
        base_url="https://api.krea.ai",
        token="t",
        httpx_args={"transport": httpx.MockTransport(respond)},
    )


def fetch(payload: dict[str, Any]) -> Job:
    job = get_job.sync(str(JOB_UUID), client=client_answering(payload))
    assert isinstance(job, Job)
    return job


def test_docs_create_response() -> None:
    job = fetch(
        {
            "job_id": JOB_ID,
            "status": "queued",
            "created_at": "2023-11-07T05:31:56Z",
            "completed_at": None,
            "result": None,
        }
    )
    assert job.status is JobStatus.QUEUED
    assert job.completed_at is None
    assert job.result is None


def test_created_job_without_completed_at_or_result_keys() -> None:
    job = fetch({"job_id": JOB_ID, "status": "queued", "created_at": "2026-02-13T02:20:58.265Z"})
    assert isinstance(job.completed_at, Unset)
    assert isinstance(job.result, Unset)
    assert job.created_at == datetime(2026, 2, 13, 2, 20, 58, 265000, tzinfo=UTC)


def test_processing_with_empty_result_and_type_key() -> None:
    job = fetch(
        {
            "job_id": JOB_ID,
            "status": "processing",
            "created_at": "2026-02-13T02:20:58.265Z",
            "result": {},
            "type": "externalImage",
        }
    )
    assert job.status is JobStatus.PROCESSING
    assert isinstance(job.result, JobResult)
    assert isinstance(job.result.urls, Unset)
    assert job.type_ == "externalImage"


def test_backlogged_on_a_single_job() -> None:
    assert (
        fetch(
            {"job_id": JOB_ID, "status": "backlogged", "created_at": "2026-02-13T02:20:58Z"}
        ).status
        is JobStatus.BACKLOGGED
    )


def test_unknown_status_and_extra_keys_pass_through() -> None:
    job = fetch(
        {
            "job_id": JOB_ID,
            "status": "upscaling",
            "created_at": "2026-02-13T02:20:58.265Z",
            "progress": 0.4,
            "result": {"urls": [], "preview_urls": ["https://x/p.png"]},
        }
    )
    assert job.status == "upscaling"
    assert not isinstance(job.status, JobStatus)
    assert job.additional_properties == {"progress": 0.4}
    assert isinstance(job.result, JobResult)
    assert job.result.additional_properties == {"preview_urls": ["https://x/p.png"]}
    assert job.to_dict()["status"] == "upscaling"


def test_completed_job_with_urls() -> None:
    job = fetch(
        {
            "job_id": JOB_ID,
            "status": "completed",
            "created_at": "2026-02-13T02:20:58.265Z",
            "completed_at": "2026-02-13T02:21:09.871Z",
            "result": {"urls": ["https://gen.krea.ai/a.png"]},
        }
    )
    assert isinstance(job.result, JobResult)
    assert job.result.urls == ["https://gen.krea.ai/a.png"]


def test_failed_job_error_of_any_shape() -> None:
    for error in ("moderation", {"code": "nsfw", "message": "rejected"}):
        job = fetch(
            {
                "job_id": JOB_ID,
                "status": "failed",
                "created_at": "2026-02-13T02:20:58Z",
                "result": {"error": error},
            }
        )
        assert isinstance(job.result, JobResult)
        assert job.result.error == error


@pytest.mark.parametrize("key", ["nextCursor", "next_cursor"])
def test_list_reads_either_cursor_spelling(key: str) -> None:
    page = list_jobs.sync(client=client_answering({"items": [], key: "2026-02-13T02:20:58.265Z"}))
    assert isinstance(page, JobList)
    cursor = page.next_cursor if key == "next_cursor" else page.nextCursor
    assert cursor == "2026-02-13T02:20:58.265Z"
