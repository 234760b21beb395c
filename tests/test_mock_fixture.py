"""The pytest plugin's fixture, used by the generated client, sync and async, with no network."""

from __future__ import annotations

import httpx
import pytest
from krea_api_client import AuthenticatedClient
from krea_api_client.api.images import generate_nano_banana_2
from krea_api_client.api.jobs import cancel_job, get_job, list_jobs
from krea_api_client.models import (
    Job,
    JobList,
    JobStatus,
    NanoBanana2AspectRatio,
    NanoBanana2Request,
    Resolution,
)
from krea_nano_banana_mock import KreaMock

BODY = NanoBanana2Request(
    prompt="a lighthouse",
    aspect_ratio=NanoBanana2AspectRatio.RATIO_16_9,
    resolution=Resolution.RES_2K,
)


def client() -> AuthenticatedClient:
    return AuthenticatedClient(base_url="https://api.krea.ai", token="token-a")


def test_generated_sync_client_through_global_patching(krea_mock: KreaMock) -> None:
    created = generate_nano_banana_2.sync(client=client(), body=BODY)
    assert isinstance(created, Job)
    statuses = []
    for _ in range(10):
        job = get_job.sync(str(created.job_id), client=client())
        assert isinstance(job, Job)
        statuses.append(job.status)
        if job.status is JobStatus.COMPLETED:
            break
    assert statuses[-1] is JobStatus.COMPLETED
    page = list_jobs.sync(client=client())
    assert isinstance(page, JobList)
    assert [j.job_id for j in page.items] == [created.job_id]
    assert krea_mock.api_route.call_count == 1 + len(statuses) + 1


@pytest.mark.anyio
async def test_generated_async_client(krea_mock: KreaMock) -> None:
    created = await generate_nano_banana_2.asyncio(client=client(), body=BODY)
    assert isinstance(created, Job)
    answer = await cancel_job.asyncio_detailed(str(created.job_id), client=client())
    assert (answer.status_code, answer.content) == (200, b"")  # as Krea documents it
    cancelled = await get_job.asyncio(str(created.job_id), client=client())
    assert isinstance(cancelled, Job)
    assert cancelled.status is JobStatus.CANCELLED


def test_explicit_transport_without_global_patching() -> None:
    mock = KreaMock()  # not started: only the transport reaches it
    explicit = AuthenticatedClient(
        base_url="https://api.krea.ai", token="t", httpx_args={"transport": mock.transport()}
    )
    assert isinstance(generate_nano_banana_2.sync(client=explicit, body=BODY), Job)
    assert len(mock.dispatcher.backend) == 1


@pytest.mark.krea_mock(base_url="https://krea.internal.test")
def test_other_base_url(krea_mock: KreaMock) -> None:
    response = httpx.get("https://krea.internal.test/jobs", headers={"Authorization": "Bearer t"})
    assert response.status_code == 200


def test_openapi_json_is_served(krea_mock: KreaMock) -> None:
    document = httpx.get("https://api.krea.ai/openapi.json").json()
    assert document["paths"]["/jobs/{id}"]["get"]["operationId"] == "get_job"


def test_reset_forgets_everything(krea_mock: KreaMock) -> None:
    generate_nano_banana_2.sync(client=client(), body=BODY)
    krea_mock.reset()
    page = list_jobs.sync(client=client())
    assert isinstance(page, JobList)
    assert page.items == []
