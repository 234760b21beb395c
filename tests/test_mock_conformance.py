"""Every response the mock sends validates against openapi.yaml, for every documented status."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from krea_nano_banana_contract.checks import ContractViolation, response_conforms
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from tests.conftest import ApiFactory

UNKNOWN = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def documented() -> set[tuple[str, int]]:
    return {
        (op.operation_id, int(status))
        for op in spec.operations().values()
        for status in op.definition["responses"]
    }


@pytest.mark.krea_mock(concurrency_limit=1, backlog_limit=1, credits=Decimal("1000"))
def test_every_documented_status_of_every_operation_conforms(
    krea_mock: KreaMock, connect: ApiFactory
) -> None:
    api = connect(krea_mock.transport())
    anonymous = connect(krea_mock.transport(), token=None)
    seen: set[tuple[str, int]] = set()

    def expect(operation_id: str, status: int, response: httpx.Response) -> httpx.Response:
        assert response.status_code == status, response.text
        response_conforms(operation_id, response)
        seen.add((operation_id, status))
        return response

    job_id = ""
    for model in spec.generations():  # each model on a tenant of its own: its own limits
        mine = connect(krea_mock.transport(), token=f"token-{model.model}")
        path, create = model.path, model.operation_id
        job_id = expect(create, 200, mine.http.post(path, json={"prompt": "a cat"})).json()[
            "job_id"
        ]
        expect(create, 400, mine.http.post(path, json={"prompt": 42}))
        expect(create, 401, anonymous.http.post(path, json={"prompt": "a cat"}))
        expect(
            create,
            402,
            mine.http.post(path, json={"prompt": "a cat"}, headers={"Prefer": "code=402"}),
        )
        expect(create, 413, mine.http.post(path, json={"prompt": "a" * 2_000_000}))
        expect(
            create,
            415,
            mine.http.post(path, content=b"a cat", headers={"Content-Type": "text/plain"}),
        )
        mine.create_job(model=model.model)  # the backlog's only place
        expect(create, 429, mine.http.post(path, json={"prompt": "a cat"}))
        expect(
            create,
            503,
            mine.http.post(path, json={"prompt": "a cat"}, headers={"Prefer": "scenario=flaky"}),
        )
    api = connect(krea_mock.transport(), token=f"token-{spec.generations()[-1].model}")

    get = "get_job"
    for _ in range(5):
        expect(get, 200, api.http.get(f"/jobs/{job_id}"))
    expect(get, 401, anonymous.http.get(f"/jobs/{job_id}"))
    expect(get, 404, api.http.get(f"/jobs/{UNKNOWN}"))
    expect(get, 404, api.http.get("/jobs/not-a-uuid"))
    expect(get, 503, api.http.get(f"/jobs/{job_id}", headers={"Prefer": "scenario=flaky"}))

    cancel = "cancel_job"
    queued = api.list_jobs(status="queued").json()["items"][0]["job_id"]
    expect(cancel, 200, api.http.delete(f"/jobs/{queued}"))
    expect(cancel, 401, anonymous.http.delete(f"/jobs/{queued}"))
    expect(cancel, 404, api.http.delete(f"/jobs/{UNKNOWN}"))
    expect(cancel, 409, api.http.delete(f"/jobs/{job_id}"))
    expect(
        cancel,
        503,
        api.http.delete(f"/jobs/{job_id}", headers={"Prefer": "scenario=flaky"}),
    )

    listing = "list_jobs"
    expect(listing, 200, api.http.get("/jobs", params={"limit": 1}))
    expect(listing, 400, api.http.get("/jobs", params={"limit": 0}))
    expect(listing, 401, anonymous.http.get("/jobs"))
    expect(listing, 503, api.http.get("/jobs", headers={"Prefer": "scenario=flaky"}))

    assert seen == documented()


@pytest.mark.parametrize(
    "prefer", ["", "scenario=fail; reason=timeout", "scenario=stuck", "scenario=slow"]
)
def test_job_bodies_conform_at_every_status_of_every_scenario(
    krea_mock: KreaMock, connect: ApiFactory, prefer: str
) -> None:
    api = connect(krea_mock.transport())
    job_id = api.create_job(prefer=prefer)["job_id"]
    for _ in range(15):
        api.get_job(job_id)  # conformance is checked on every response by the helper
        api.list_jobs()
    api.cancel(job_id)


def test_the_checks_catch_a_nonconforming_response() -> None:
    # The helper's checks must be able to fail, or the tests above prove nothing.
    bad_status = httpx.Response(418, json={"error": "teapot"})
    bad_body = httpx.Response(200, json={"job_id": "x", "status": "queued"})
    invented = httpx.Response(
        200, json={"job_id": UNKNOWN, "status": "pondering", "created_at": "2026-01-01T00:00:00Z"}
    )
    for response in (bad_status, bad_body, invented):
        with pytest.raises(ContractViolation):
            response_conforms("get_job", response)
