"""Every response the mock sends validates against openapi.yaml, for every documented status."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from krea_nano_banana_contract.checks import ContractViolation, response_conforms
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from devtools import mutants
from tests.conftest import ClientFactory
from tests.helpers import CheckedClient

UNKNOWN = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def documented() -> set[tuple[str, int]]:
    return {
        (op.operation_id, int(status))
        for op in spec.operations().values()
        for status in op.definition["responses"]
    }


@pytest.mark.krea_mock(concurrency_limit=1, backlog_limit=1, credits=Decimal("1000"))
def test_every_documented_status_of_every_operation_conforms(
    krea_mock: KreaMock, connect: ClientFactory
) -> None:
    client = connect(krea_mock.transport())
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
    client = connect(krea_mock.transport(), token=f"token-{spec.generations()[-1].model}")

    get = "get_job"
    for _ in range(5):
        expect(get, 200, client.http.get(f"/jobs/{job_id}"))
    expect(get, 401, anonymous.http.get(f"/jobs/{job_id}"))
    expect(get, 404, client.http.get(f"/jobs/{UNKNOWN}"))
    expect(get, 404, client.http.get("/jobs/not-a-uuid"))
    expect(get, 503, client.http.get(f"/jobs/{job_id}", headers={"Prefer": "scenario=flaky"}))

    cancel = "cancel_job"
    queued = client.list_jobs(status="queued").json()["items"][0]["job_id"]
    expect(cancel, 200, client.http.delete(f"/jobs/{queued}"))
    expect(cancel, 401, anonymous.http.delete(f"/jobs/{queued}"))
    expect(cancel, 404, client.http.delete(f"/jobs/{UNKNOWN}"))
    expect(cancel, 409, client.http.delete(f"/jobs/{job_id}"))
    expect(
        cancel,
        503,
        client.http.delete(f"/jobs/{job_id}", headers={"Prefer": "scenario=flaky"}),
    )

    listing = "list_jobs"
    expect(listing, 200, client.http.get("/jobs", params={"limit": 1}))
    expect(listing, 400, client.http.get("/jobs", params={"limit": 0}))
    expect(listing, 401, anonymous.http.get("/jobs"))
    expect(listing, 503, client.http.get("/jobs", headers={"Prefer": "scenario=flaky"}))

    assert seen == documented()


LIFECYCLE = spec.lifecycle()
# Each scenario, and the path its jobs take: the spec's `x-lifecycle.mock_paths`.
SCENARIO_PATHS = {
    "": LIFECYCLE.mock_paths["complete"],
    "scenario=fail; reason=timeout": LIFECYCLE.mock_paths["fail"],
    "scenario=stuck": LIFECYCLE.mock_paths["stuck"],
    "scenario=slow": LIFECYCLE.mock_paths["complete"],
}
# Enough polls for the slowest scenario's path (ten polls a step), with some to spare.
POLLS = 10 * len(LIFECYCLE.statuses) + 5


def walk(client: CheckedClient, prefer: str) -> tuple[list[str], httpx.Response]:
    """Creates a job, polls it (and the listing) until it ends or the polls run out, checking
    every response against the spec on the way; then cancels it. Returns the statuses it saw
    change, and the cancel's response."""
    created = client.create_job(prefer=prefer)
    job_id = created["job_id"]
    seen = [created["status"]]
    for _ in range(POLLS):
        status = client.get_job(job_id)["status"]  # conformance is checked by the helper
        listed = {j["job_id"]: j["status"] for j in client.list_jobs().json()["items"]}
        assert listed[job_id] == status, f"listed as {listed[job_id]}, got as {status}"
        if status != seen[-1]:
            seen.append(status)
        if status in LIFECYCLE.terminal:
            break
    return seen, client.cancel(job_id)


@pytest.mark.parametrize("prefer", sorted(SCENARIO_PATHS))
def test_job_bodies_conform_at_every_status_of_every_scenario(
    krea_mock: KreaMock, connect: ClientFactory, prefer: str
) -> None:
    client = connect(krea_mock.transport())
    seen, cancel = walk(client, prefer)
    assert seen == list(SCENARIO_PATHS[prefer])  # every status of the path, in order
    if seen[-1] in LIFECYCLE.user_cancellable:
        assert cancel.status_code == 200, cancel.text
        assert cancel.content == b""  # Krea documents the cancel's 200 with no body
        assert client.get_job(cancel.request.url.path.rsplit("/", 1)[-1])["status"] == (
            LIFECYCLE.cancelled
        )
    else:
        assert cancel.status_code == 409, cancel.text


@pytest.mark.krea_mock
def test_the_walk_sees_a_skipped_status(
    krea_mock: KreaMock, connect: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test above can fail: a mock that jumps from queued to completed is seen to.
    mutants.MUTANTS["skips-statuses"][1](monkeypatch)
    seen, _ = walk(connect(krea_mock.transport()), "")
    assert seen != list(SCENARIO_PATHS[""])
    assert seen == [LIFECYCLE.mock_paths["complete"][0], LIFECYCLE.succeeded]


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
