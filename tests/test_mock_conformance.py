"""Every response the mock sends validates against openapi.yaml, for every documented status."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from contract_tests.checks import ContractViolation, response_conforms
from krea_nano_banana import spec
from mock_server import KreaMock
from tests.conftest import ApiFactory
from tests.helpers import CREATE_PATH

UNKNOWN = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def documented() -> set[tuple[str, int]]:
    return {
        (op.operation_id, int(status))
        for op in spec.operations().values()
        for status in op.definition["responses"]
    }


@pytest.mark.krea_mock(concurrency_limit=1, backlog_limit=1, credits_usd=Decimal("1.00"))
def test_every_documented_status_of_every_operation_conforms(
    krea_mock: KreaMock, connect: ApiFactory
) -> None:
    api = connect(krea_mock.transport())
    anonymous = connect(krea_mock.transport(), token=None)
    seen: set[tuple[str, int]] = set()

    def expect(
        operation_id: str, status: int, send: Callable[[], httpx.Response]
    ) -> httpx.Response:
        response = send()
        assert response.status_code == status, response.text
        response_conforms(operation_id, response)
        seen.add((operation_id, status))
        return response

    create = "generate_nano_banana_2"
    job_id = expect(
        create, 200, lambda: api.http.post(CREATE_PATH, json={"prompt": "a cat"})
    ).json()["job_id"]
    expect(create, 400, lambda: api.http.post(CREATE_PATH, json={"prompt": "a"}))
    expect(create, 401, lambda: anonymous.http.post(CREATE_PATH, json={"prompt": "a cat"}))
    expect(
        create,
        402,
        lambda: api.http.post(
            CREATE_PATH, json={"prompt": "a cat"}, headers={"Prefer": "code=402"}
        ),
    )
    expect(create, 413, lambda: api.http.post(CREATE_PATH, json={"prompt": "a" * 2_000_000}))
    expect(
        create,
        415,
        lambda: api.http.post(
            CREATE_PATH, content=b"a cat", headers={"Content-Type": "text/plain"}
        ),
    )
    api.create_job()  # the backlog's only place
    expect(create, 429, lambda: api.http.post(CREATE_PATH, json={"prompt": "a cat"}))
    expect(
        create,
        503,
        lambda: api.http.post(
            CREATE_PATH, json={"prompt": "a cat"}, headers={"Prefer": "scenario=flaky"}
        ),
    )

    get = "get_job"
    for _ in range(5):
        expect(get, 200, lambda: api.http.get(f"/jobs/{job_id}"))
    expect(get, 401, lambda: anonymous.http.get(f"/jobs/{job_id}"))
    expect(get, 404, lambda: api.http.get(f"/jobs/{UNKNOWN}"))
    expect(get, 404, lambda: api.http.get("/jobs/not-a-uuid"))
    expect(get, 503, lambda: api.http.get(f"/jobs/{job_id}", headers={"Prefer": "scenario=flaky"}))

    cancel = "cancel_job"
    queued = api.list_jobs(status="queued").json()["items"][0]["job_id"]
    expect(cancel, 200, lambda: api.http.delete(f"/jobs/{queued}"))
    expect(cancel, 401, lambda: anonymous.http.delete(f"/jobs/{queued}"))
    expect(cancel, 404, lambda: api.http.delete(f"/jobs/{UNKNOWN}"))
    expect(cancel, 409, lambda: api.http.delete(f"/jobs/{job_id}"))
    expect(
        cancel,
        503,
        lambda: api.http.delete(f"/jobs/{job_id}", headers={"Prefer": "scenario=flaky"}),
    )

    listing = "list_jobs"
    expect(listing, 200, lambda: api.http.get("/jobs", params={"limit": 1}))
    expect(listing, 400, lambda: api.http.get("/jobs", params={"limit": 0}))
    expect(listing, 401, lambda: anonymous.http.get("/jobs"))
    expect(listing, 503, lambda: api.http.get("/jobs", headers={"Prefer": "scenario=flaky"}))

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
