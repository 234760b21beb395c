"""`cancel` reads every answer Krea's document allows, and a job id is never a bare ValueError:
one that cannot name a job is refused before sending, one the API does not know is its 404."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from krea_api_client.models import JobStatus
from krea_nano_banana_mock import KreaMock

from krea_nano_banana import InvalidRequestError, Krea, KreaError, NotFoundError

JOB_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
CANCELLED = {
    "job_id": JOB_ID,
    "status": "cancelled",
    "created_at": "2026-02-13T02:20:58Z",
    "completed_at": "2026-02-13T02:21:00Z",
}


def krea_answering(cancel: httpx.Response, seen: list[str]) -> Krea:
    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if request.method == "DELETE":
            return cancel
        return httpx.Response(200, json=CANCELLED)

    return Krea("t", transport=httpx.MockTransport(respond), sleep=lambda _: None)


@pytest.mark.parametrize(
    ("answer", "requests"),
    [
        (httpx.Response(200), ["DELETE", "GET"]),  # as Krea documents it: no body
        (
            httpx.Response(200, content=b"", headers={"content-type": "application/json"}),
            ["DELETE", "GET"],
        ),
        (httpx.Response(200, json=CANCELLED), ["DELETE"]),  # an older server's answer: the job
        (httpx.Response(200, text="OK"), ["DELETE", "GET"]),  # not the job: fetched
    ],
    ids=["no body", "empty body", "the job", "plain text"],
)
def test_cancel_returns_the_job_whatever_the_200_carries(
    answer: httpx.Response, requests: list[str]
) -> None:
    seen: list[str] = []
    with krea_answering(answer, seen) as krea:
        job = krea.cancel(JOB_ID)
    assert job.status is JobStatus.CANCELLED
    assert str(job.job_id) == JOB_ID
    assert seen == requests


def test_cancel_against_the_mock_returns_the_cancelled_job(krea_mock: KreaMock) -> None:
    with Krea() as krea:
        created = krea.generate("a lighthouse at dusk")
        assert krea.cancel(created).status is JobStatus.CANCELLED
    deletes = krea_mock.requests(method="DELETE")
    assert [(e.status, e.body) for e in deletes] == [(200, b"")]


def test_an_id_the_api_does_not_know_is_a_not_found_error(krea_mock: KreaMock) -> None:
    with Krea() as krea, pytest.raises(NotFoundError) as raised:
        krea.get(str(uuid.uuid4()))
    assert isinstance(raised.value, KreaError)
    assert raised.value.status_code == 404


@pytest.mark.parametrize("job_id", ["nope", "", "   ", "a/b", "ünïcode", 42, None])
def test_an_id_that_names_no_job_is_refused_before_sending(job_id: Any) -> None:
    seen: list[str] = []
    with (
        krea_answering(httpx.Response(200), seen) as krea,
        pytest.raises(InvalidRequestError) as raised,
    ):
        krea.get(job_id)
    assert isinstance(raised.value, KreaError)
    assert "is not a job id" in str(raised.value)
    assert seen == []


def test_the_mock_answers_an_unknown_id_with_the_documented_404(krea_mock: KreaMock) -> None:
    for method in ("GET", "DELETE"):
        response = httpx.request(
            method, f"{krea_mock.base_url}/jobs/nope", headers={"Authorization": "Bearer t"}
        )
        assert response.status_code == 404
        assert json.loads(response.content) == {"error": "job not found"}
