"""GET /jobs: newest first, cursor pages that never repeat or skip, filters."""

from __future__ import annotations

from typing import Any

import pytest
from krea_nano_banana_mock import KreaMock

from tests.helpers import Api


def all_pages(api: Api, **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = api.list_jobs(**query).json()
        pages.append([job["job_id"] for job in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_newest_first_with_default_limit(api: Api) -> None:
    ids = [api.create_job()["job_id"] for _ in range(3)]
    body = api.list_jobs().json()
    assert [j["job_id"] for j in body["items"]] == ids[::-1]
    assert body["next_cursor"] is None


def test_pages_cover_every_job_once_even_with_a_frozen_clock(api: Api) -> None:
    ids = [api.create_job()["job_id"] for _ in range(23)]
    pages = all_pages(api, limit=5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [i for page in pages for i in page] == ids[::-1]


def test_exact_multiple_of_limit_ends_without_an_empty_page(api: Api) -> None:
    for _ in range(4):
        api.create_job()
    assert [len(p) for p in all_pages(api, limit=2)] == [2, 2]


def test_pages_are_stable_while_new_jobs_arrive(api: Api, krea_mock: KreaMock) -> None:
    old = [api.create_job()["job_id"] for _ in range(6)]
    first = api.list_jobs(limit=4).json()
    krea_mock.advance_clock(1)
    newer = [api.create_job()["job_id"] for _ in range(3)]
    second = api.list_jobs(limit=4, cursor=first["next_cursor"]).json()
    seen = [j["job_id"] for j in first["items"] + second["items"]]
    assert seen == old[::-1]
    assert not set(newer) & set(seen)


def test_cursor_is_an_instant_jobs_before_it_are_listed(api: Api, krea_mock: KreaMock) -> None:
    early = api.create_job()
    krea_mock.advance_clock(60)
    late = api.create_job()
    body = api.list_jobs(cursor=late["created_at"]).json()
    assert [j["job_id"] for j in body["items"]] == [early["job_id"]]
    assert api.list_jobs(cursor="2000-01-01T00:00:00Z").json()["items"] == []


def test_status_filter(api: Api) -> None:
    done = api.create_job()["job_id"]
    api.poll_until_terminal(done)
    waiting = api.create_job()["job_id"]
    assert [j["job_id"] for j in api.list_jobs(status="completed").json()["items"]] == [done]
    assert [j["job_id"] for j in api.list_jobs(status="queued").json()["items"]] == [waiting]
    assert api.list_jobs(status="failed").json()["items"] == []


@pytest.mark.parametrize(
    ("types", "count"), [("externalImage", 2), ("flux,externalImage", 2), ("flux,k1", 0)]
)
def test_types_filter(api: Api, types: str, count: int) -> None:
    api.create_job()
    api.create_job()
    assert len(api.list_jobs(types=types).json()["items"]) == count


def test_status_filter_pages_are_complete(api: Api) -> None:
    jobs = [
        api.create_job(prefer="scenario=fail" if i % 3 == 0 else "")["job_id"] for i in range(12)
    ]
    for job_id in jobs:
        api.poll_until_terminal(job_id)
    failed = [j for i, j in enumerate(jobs) if i % 3 == 0]
    pages = all_pages(api, status="failed", limit=2)
    assert [i for page in pages for i in page] == failed[::-1]
