"""GET /jobs: newest first, cursor pages that never repeat or skip, filters."""

from __future__ import annotations

from typing import Any

import pytest
from krea_nano_banana_mock import KreaMock

from tests.helpers import CheckedClient


def all_pages(client: CheckedClient, **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = client.list_jobs(**query).json()
        pages.append([job["job_id"] for job in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_newest_first_with_default_limit(client: CheckedClient) -> None:
    ids = [client.create_job()["job_id"] for _ in range(3)]
    body = client.list_jobs().json()
    assert [j["job_id"] for j in body["items"]] == ids[::-1]
    assert body["next_cursor"] is None


def test_pages_cover_every_job_once_even_with_a_frozen_clock(client: CheckedClient) -> None:
    ids = [client.create_job()["job_id"] for _ in range(23)]
    pages = all_pages(client, limit=5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [i for page in pages for i in page] == ids[::-1]


def test_exact_multiple_of_limit_ends_without_an_empty_page(client: CheckedClient) -> None:
    for _ in range(4):
        client.create_job()
    assert [len(p) for p in all_pages(client, limit=2)] == [2, 2]


def test_pages_are_stable_while_new_jobs_arrive(client: CheckedClient, krea_mock: KreaMock) -> None:
    old = [client.create_job()["job_id"] for _ in range(6)]
    first = client.list_jobs(limit=4).json()
    krea_mock.advance_clock(1)
    newer = [client.create_job()["job_id"] for _ in range(3)]
    second = client.list_jobs(limit=4, cursor=first["next_cursor"]).json()
    seen = [j["job_id"] for j in first["items"] + second["items"]]
    assert seen == old[::-1]
    assert not set(newer) & set(seen)


def test_cursor_is_an_instant_jobs_before_it_are_listed(
    client: CheckedClient, krea_mock: KreaMock
) -> None:
    early = client.create_job()
    krea_mock.advance_clock(60)
    late = client.create_job()
    body = client.list_jobs(cursor=late["created_at"]).json()
    assert [j["job_id"] for j in body["items"]] == [early["job_id"]]
    assert client.list_jobs(cursor="2000-01-01T00:00:00Z").json()["items"] == []


def test_status_filter(client: CheckedClient) -> None:
    done = client.create_job()["job_id"]
    client.poll_until_terminal(done)
    waiting = client.create_job()["job_id"]
    assert [j["job_id"] for j in client.list_jobs(status="completed").json()["items"]] == [done]
    assert [j["job_id"] for j in client.list_jobs(status="queued").json()["items"]] == [waiting]
    assert client.list_jobs(status="failed").json()["items"] == []


@pytest.mark.parametrize(
    ("types", "count"), [("externalImage", 2), ("flux,externalImage", 2), ("flux,k1", 0)]
)
def test_types_filter(client: CheckedClient, types: str, count: int) -> None:
    client.create_job()
    client.create_job()
    assert len(client.list_jobs(types=types).json()["items"]) == count


def test_status_filter_pages_are_complete(client: CheckedClient) -> None:
    jobs = [
        client.create_job(prefer="scenario=fail" if i % 3 == 0 else "")["job_id"] for i in range(12)
    ]
    for job_id in jobs:
        client.poll_until_terminal(job_id)
    failed = [j for i, j in enumerate(jobs) if i % 3 == 0]
    pages = all_pages(client, status="failed", limit=2)
    assert [i for page in pages for i in page] == failed[::-1]
