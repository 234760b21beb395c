"""The mock's request journal: what it keeps, how it is bounded and queried, on both doors."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from devtools.servers import ROOT, mock_server

CREATE = spec.generation(spec.default_model()).path
TOKEN = "journal-secret-token"


def post(client: httpx.Client, body: object) -> httpx.Response:
    return client.post(CREATE, json=body)


def test_each_request_is_kept_with_what_it_touched_and_never_the_token() -> None:
    with (
        KreaMock() as mock,
        httpx.Client(
            base_url=mock.base_url, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as client,
    ):
        job_id = post(client, {"prompt": "a lighthouse"}).json()["job_id"]
        post(client, {"prompt": "a"})
        client.get(f"/jobs/{job_id}")
        created, refused, polled = mock.requests()
    assert (created.method, created.path, created.status) == ("POST", CREATE, 200)
    assert created.model == spec.default_model()
    assert created.job_id == job_id
    assert created.parsed_body() == {"prompt": "a lighthouse"}
    assert refused.status == 400
    assert refused.error is not None
    assert refused.error.startswith("prompt:")
    assert polled.job_id == job_id
    assert created.tenant == polled.tenant
    assert created.tenant is not None
    assert TOKEN not in str([entry.as_json() for entry in (created, refused, polled)])


def test_the_journal_is_a_bounded_ring_cleared_by_reset() -> None:
    with (
        KreaMock(journal_size=3) as mock,
        httpx.Client(base_url=mock.base_url, headers={"Authorization": "Bearer t"}) as client,
    ):
        for n in range(5):
            post(client, {"prompt": f"prompt {n}"})
        kept = mock.requests()
        assert [e.parsed_body()["prompt"] for e in kept] == ["prompt 2", "prompt 3", "prompt 4"]
        assert mock.journal.dropped == 2
        mock.reset()
        assert mock.requests() == []
    with (
        KreaMock(journal_size=0) as silent,
        httpx.Client(base_url=silent.base_url, headers={"Authorization": "Bearer t"}) as client,
    ):
        post(client, {"prompt": "abc"})
        assert silent.requests() == []


@pytest.mark.slow
def test_the_journal_over_http_filters_and_names_a_bad_filter() -> None:
    with (
        mock_server() as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client,
    ):
        job_id = post(client, {"prompt": "a lighthouse"}).json()["job_id"]
        post(client, {"prompt": "a"})
        client.get(f"/jobs/{job_id}")
        everything = httpx.get(f"{url}/__mock__/journal").json()
        refused = httpx.get(f"{url}/__mock__/journal", params={"status": 400}).json()
        polls = httpx.get(f"{url}/__mock__/journal", params={"path": "/jobs/*"}).json()
        bad = httpx.get(f"{url}/__mock__/journal", params={"colour": "red"})
        bad_since = httpx.get(f"{url}/__mock__/journal", params={"since": "yesterday"})
    assert len(everything["entries"]) == 3
    assert everything["dropped"] == 0
    assert [e["body"] for e in refused["entries"]] == [{"prompt": "a"}]
    assert refused["entries"][0]["error"].startswith("prompt:")
    assert [e["job_id"] for e in polls["entries"]] == [job_id]
    assert bad.status_code == 400
    assert "colour" in bad.json()["error"]
    assert bad_since.status_code == 400
    assert "since" in bad_since.json()["error"]
    assert TOKEN not in str(everything)


def test_a_deeply_nested_body_is_refused_briefly_and_the_journal_still_serialises() -> None:
    nested = "[" * 260 + "]" * 260
    with (
        KreaMock() as mock,
        httpx.Client(base_url=mock.base_url, headers={"Authorization": "Bearer t"}) as client,
    ):
        refused = client.post(
            CREATE,
            content=f'{{"prompt": {nested}}}',
            headers={"Content-Type": "application/json"},
        )
        long_value = post(client, {"prompt": ["x" * 5000]})
        journal = client.get("/__mock__/journal")
        after = post(client, {"prompt": "a lighthouse"})
        journal_after = client.get("/__mock__/journal")
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("prompt: [[[[")
    assert len(refused.text) < 300  # a bounded excerpt, not the whole value
    assert long_value.status_code == 400
    assert len(long_value.text) < 300
    assert journal.status_code == 200
    entries = journal.json()["entries"]
    assert [e["status"] for e in entries] == [400, 400]
    assert isinstance(entries[0]["body"], str)  # the raw text, as for a body that is not JSON
    assert entries[0]["body"].startswith('{"prompt": [[[[')
    assert after.status_code == 200
    assert journal_after.status_code == 200
    assert len(journal_after.json()["entries"]) == 3


def test_an_unknown_model_filter_is_a_400_naming_the_models() -> None:
    with KreaMock() as mock, httpx.Client(transport=mock.transport()) as client:
        answer = client.get(f"{mock.base_url}/__mock__/journal", params={"model": "nano-banana-9"})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("model: 'nano-banana-9' is not a model of the spec")
    assert all(model in answer.json()["error"] for model in spec.available_models())


def test_the_readmes_example_journal_query_finds_what_it_describes() -> None:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"Over HTTP: `GET (/__mock__/journal\?[^`]+)`", readme)
    assert found is not None
    query = dict(parse_qsl(urlsplit(found[1]).query))
    model = spec.generation(query["model"])
    with (
        KreaMock() as mock,
        httpx.Client(base_url=mock.base_url, headers={"Authorization": "Bearer t"}) as client,
    ):
        client.post(model.path, json={"prompt": ""})  # the refused create it describes
        client.post(model.path, json={"prompt": "a lighthouse"})
        answer = client.get(found[1])
    assert answer.status_code == 200
    (entry,) = answer.json()["entries"]
    assert (entry["method"], entry["status"], entry["model"]) == ("POST", 400, model.model)


def test_newest_pages_from_the_end_of_the_ring() -> None:
    from datetime import UTC, datetime

    from krea_nano_banana_mock.core.journal import Entry, Journal
    from krea_nano_banana_mock.http_layer.messages import MockRequest, MockResponse

    journal = Journal(5)
    for number in range(8):  # 0, 1 and 2 are dropped
        at = datetime(2026, 6, 1, tzinfo=UTC)
        journal.record(Entry.of(at, MockRequest("GET", f"/jobs/{number}"), MockResponse(200)))
    assert [e.path for e in journal.newest(0, 2)] == ["/jobs/7", "/jobs/6"]
    assert [e.path for e in journal.newest(4, 2)] == ["/jobs/3"]
    assert journal.newest(5, 2) == []
