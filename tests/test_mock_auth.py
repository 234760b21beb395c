"""Bearer auth on every operation, and tenancy: a job is only its creator's."""

from __future__ import annotations

import pytest
from krea_nano_banana_mock import KreaMock

from tests.conftest import ClientFactory
from tests.helpers import CheckedClient

UNKNOWN_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def every_operation(client: CheckedClient) -> list[int]:
    return [
        client.create().status_code,
        client.get(UNKNOWN_ID).status_code,
        client.cancel(UNKNOWN_ID).status_code,
        client.list_jobs().status_code,
    ]


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwdw==", "token-a"]
)
def test_missing_or_malformed_bearer_is_401_everywhere(
    krea_mock: KreaMock, authorization: str | None, connect: ClientFactory
) -> None:
    client = connect(krea_mock.transport(), token=None)
    if authorization is not None:
        client.http.headers["Authorization"] = authorization
    assert every_operation(client) == [401, 401, 401, 401]
    assert "Authorization" in client.list_jobs().json()["error"]


def test_any_token_is_accepted_by_default(krea_mock: KreaMock, connect: ClientFactory) -> None:
    assert connect(krea_mock.transport(), token="anything").create().status_code == 200


@pytest.mark.krea_mock(tokens=["alpha", "beta"])
def test_configured_tokens_only(krea_mock: KreaMock, connect: ClientFactory) -> None:
    assert connect(krea_mock.transport(), token="alpha").create().status_code == 200
    assert connect(krea_mock.transport(), token="beta").list_jobs().status_code == 200
    refused = connect(krea_mock.transport(), token="gamma")
    assert every_operation(refused) == [401, 401, 401, 401]


def test_scheme_is_case_insensitive(krea_mock: KreaMock, connect: ClientFactory) -> None:
    client = connect(krea_mock.transport(), token=None)
    client.http.headers["Authorization"] = "bearer token-a"
    assert client.create().status_code == 200


def test_jobs_are_invisible_to_other_tokens(
    client: CheckedClient, other_client: CheckedClient
) -> None:
    job = client.create_job()
    assert other_client.get(job["job_id"]).status_code == 404
    assert other_client.cancel(job["job_id"]).status_code == 404
    assert other_client.list_jobs().json()["items"] == []
    # and the owner still has it, untouched by the other tenant's attempts
    assert client.get_job(job["job_id"])["status"] == "scheduled"
    assert [j["job_id"] for j in client.list_jobs().json()["items"]] == [job["job_id"]]


def test_not_found_and_not_yours_look_the_same(
    client: CheckedClient, other_client: CheckedClient
) -> None:
    job = client.create_job()
    theirs = other_client.get(job["job_id"])
    missing = other_client.get(UNKNOWN_ID)
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
