"""The validating proxy, recording and replay, over real HTTP on loopback.

`krea-mock-server --proxy URL` in front of the project's own server finds nothing to report;
in front of a deliberately wrong one it journals each violation; `--record DIR` then
`--replay DIR` gives the same answers offline; no token reaches a cassette or the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from krea_nano_banana_mock.core.clock import SystemClock
from krea_nano_banana_mock.core.journal import Journal
from krea_nano_banana_mock.http_layer.messages import MockRequest
from krea_nano_banana_mock.proxy.cassettes import Cassettes, Exchange
from krea_nano_banana_mock.proxy.forwarding import Proxy
from krea_nano_banana_mock.proxy.replay import Replay

import krea_nano_banana_spec as spec
from devtools.servers import mock_server, mutant_server

pytestmark = pytest.mark.slow

TOKEN = "secret-token-for-the-proxy-tests"
CREATE = spec.generation(spec.default_model()).path
LIST = spec.operation_for("job.list").path


def journal(url: str, **filters: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(f"{url}/__mock__/journal", params=filters).json()[
        "entries"
    ]
    return entries


def workflow(url: str) -> list[tuple[int, Any]]:
    """What an application does: create, poll until the job ends, list, download the image.
    Returns each (status, body) in order (image bodies as their length)."""
    seen: list[tuple[int, Any]] = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        created = client.post(CREATE, json={"prompt": "a lighthouse", "aspect_ratio": "16:9"})
        seen.append((created.status_code, created.json()))
        job_id = created.json()["job_id"]
        for _ in range(20):
            polled = client.get(f"/jobs/{job_id}")
            seen.append((polled.status_code, polled.json()))
            if polled.json()["completed_at"]:
                break
        listed = client.get(LIST, params={"limit": 1})
        seen.append((listed.status_code, listed.json()))
        (image_url,) = seen[-2][1]["result"]["urls"]
        image = httpx.get(image_url)
        seen.append((image.status_code, len(image.content)))
    return seen


def test_the_proxy_in_front_of_the_projects_server_reports_no_violations() -> None:
    with mock_server("--progression", "poll") as upstream, mock_server("--proxy", upstream) as url:
        statuses = [status for status, _ in workflow(url)]
        assert statuses[0] == 200
        assert statuses[-1] == 200
        listed = httpx.get(f"{url}{LIST}", headers={"Authorization": f"Bearer {TOKEN}"})
        assert len(listed.headers.get_list("date")) == 1  # not the upstream's and ours
        entries = journal(url)
    assert len(entries) >= 4
    assert all(entry["violations"] == [] for entry in entries), entries


def test_the_proxy_journals_each_violation_of_a_wrong_server() -> None:
    with (
        mutant_server("bad-timestamps", "--progression", "poll") as upstream,
        mock_server("--proxy", upstream) as url,
    ):
        headers = {"Authorization": f"Bearer {TOKEN}"}
        created = httpx.post(f"{url}{CREATE}", json={"prompt": "a lighthouse"}, headers=headers)
        assert created.status_code == 200  # the upstream's answer, as it was
        assert created.json()["created_at"] == "yesterday"
        too_short = httpx.post(f"{url}{CREATE}", json={"prompt": "a"}, headers=headers)
        no_token = httpx.get(f"{url}{LIST}")
        as_form = httpx.post(f"{url}{CREATE}", data={"prompt": "abc"}, headers=headers)
        entries = journal(url)
    create, short, anonymous, form = entries
    assert as_form.status_code == 415
    assert form["violations"][0] == (
        "request: Content-Type: application/x-www-form-urlencoded, not application/json"
    )
    assert any("created_at" in v and "date-time" in v for v in create["violations"])
    assert short["violations"][0].startswith("request: prompt:")
    assert too_short.status_code == 400
    assert "request: no bearer token" in anonymous["violations"][0]
    assert no_token.status_code == 401


def test_an_unreachable_upstream_is_a_clear_502_and_the_proxy_keeps_serving() -> None:
    with mock_server("--proxy", "http://127.0.0.1:9") as url:
        for _ in range(2):
            answer = httpx.get(f"{url}{LIST}", headers={"Authorization": f"Bearer {TOKEN}"})
            assert answer.status_code == 502
            assert "upstream http://127.0.0.1:9 unreachable" in answer.json()["error"]
        assert len(journal(url)) == 2


@contextlib.contextmanager
def garbage_server() -> Iterator[str]:
    class Garbage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "7")
            self.end_headers()
            self.wfile.write(b"garbage")

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_upstream_answering_garbage_is_passed_on_and_journaled() -> None:
    with garbage_server() as upstream, mock_server("--proxy", upstream) as url:
        answer = httpx.get(f"{url}{LIST}", headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.content == b"garbage"
        (entry,) = journal(url)
        assert entry["violations"] == ["response 200: body is not JSON: b'garbage'"]
        state = httpx.get(f"{url}/__mock__/state").json()
        assert (state["mode"], state["unchecked"]) == ("proxy", 0)


def answered_then_checked(upstream: str, queue_limit: int) -> tuple[bytes, int, list[Any], int]:
    """One exchange through an in-process proxy: the answer, the journal's length when the
    answer is handed back, its entries' violations two loop turns later, and the drop count."""

    async def exchange() -> tuple[bytes, int, list[Any], int]:
        journal = Journal(10)
        proxy = Proxy(upstream, journal, SystemClock())
        proxy.check_queue_limit = queue_limit
        headers = {"authorization": f"Bearer {TOKEN}"}
        answer = await proxy.handle(MockRequest("GET", LIST, "", headers, b""))
        journaled_on_answer = len(journal)
        for _ in range(2):  # the turn that writes the answer, then the one that checks
            await asyncio.sleep(0)
        violations = [entry.violations for entry in journal.newest(0, 10)]
        await proxy.close()
        return answer.body, journaled_on_answer, violations, proxy.dropped

    return asyncio.run(exchange())


def test_the_proxy_answers_first_and_checks_the_exchange_just_after() -> None:
    with garbage_server() as upstream:
        body, journaled_on_answer, violations, dropped = answered_then_checked(upstream, 10)
    assert body == b"garbage"
    assert journaled_on_answer == 0  # nothing checked on the answer's path
    assert violations == [["response 200: body is not JSON: b'garbage'"]]
    assert dropped == 0


def test_an_exchange_the_full_check_queue_turns_away_is_counted() -> None:
    with garbage_server() as upstream:
        body, _, violations, dropped = answered_then_checked(upstream, 0)
    assert body == b"garbage"  # answered all the same
    assert (violations, dropped) == ([], 1)


def test_record_then_replay_gives_the_same_answers_offline_without_tokens(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    with (
        mock_server("--progression", "poll") as upstream,
        mock_server("--proxy", upstream, "--record", str(cassettes)) as url,
    ):
        recorded = workflow(url)
        recorded_journal = httpx.get(f"{url}/__mock__/journal").text
    assert list((cassettes / "images").iterdir())  # the result image was kept
    with mock_server("--replay", str(cassettes)) as url:
        replayed = workflow(url)
        assert httpx.post(f"{url}/__mock__/reset").status_code == 200
        assert workflow(url) == replayed  # deterministic: from the first recording again
        replay_journal = httpx.get(f"{url}/__mock__/journal").text
    assert [s for s, _ in replayed] == [s for s, _ in recorded]
    for (_, mine), (_, theirs) in zip(replayed[:-1], recorded[:-1], strict=True):
        assert _without_urls(mine) == _without_urls(theirs)
    assert replayed[-1] == recorded[-1]  # the same image bytes, served from the cassette folder
    every_file = [p.read_bytes() for p in cassettes.rglob("*") if p.is_file()]
    assert not any(TOKEN.encode() in content for content in every_file)
    assert b'"REDACTED"' in b"".join(every_file)
    assert TOKEN not in recorded_journal
    assert TOKEN not in replay_journal


def test_a_malformed_cassette_is_reported_and_the_rest_still_served(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    with (
        mock_server("--progression", "poll") as upstream,
        mock_server("--proxy", upstream, "--record", str(cassettes)) as url,
    ):
        recorded = workflow(url)
    (cassettes / "99999-broken.json").write_text("{not json")
    (cassettes / "99998-not-a-cassette.json").write_text('{"request": {}}')
    with mock_server("--replay", str(cassettes)) as url:
        state = httpx.get(f"{url}/__mock__/state").json()
        assert len(state["unreadable"]) == 2
        assert any("99999-broken.json: not JSON" in p for p in state["unreadable"])
        assert any("99998-not-a-cassette.json: not a cassette" in p for p in state["unreadable"])
        assert [s for s, _ in workflow(url)] == [s for s, _ in recorded]
        unknown = httpx.get(f"{url}/jobs/00000000-0000-0000-0000-000000000000")
        assert unknown.status_code == 404
        assert "replay: nothing recorded for GET /jobs/" in unknown.json()["error"]


def _without_urls(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _without_urls(v) for k, v in body.items() if k != "urls"}
    if isinstance(body, list):
        return [_without_urls(v) for v in body]
    return body


def test_a_recorder_stopped_mid_write_leaves_no_half_cassette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cassettes"
    cassettes = Cassettes(folder)
    exchange = Exchange("GET", "/jobs", "", {}, b"", 200, [], b'{"items": []}')
    cassettes.write(exchange)
    real_write = Path.write_bytes

    def killed_halfway(path: Path, content: bytes) -> int:  # the process dies mid-write
        real_write(path, content[: len(content) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_bytes", killed_halfway)
    with pytest.raises(KeyboardInterrupt):
        cassettes.write(exchange)
    monkeypatch.undo()
    exchanges, problems = Cassettes(folder).load()
    assert problems == []
    assert len(exchanges) == 1


def test_a_replay_404_says_whether_the_query_or_the_body_differed(tmp_path: Path) -> None:
    cassettes = Cassettes(tmp_path)
    cassettes.write(Exchange("GET", LIST, "limit=1", {}, b"", 200, [], b'{"items": []}'))
    cassettes.write(Exchange("POST", CREATE, "", {}, b'{"prompt": "abc"}', 400, [], b"{}"))
    replay = Replay(tmp_path, "http://127.0.0.1:1", Journal(), SystemClock())

    def error(method: str, path: str, query: str = "", body: bytes = b"") -> str:
        answer = replay.handle(MockRequest(method, path, query, {}, body))
        assert answer.status == 404
        message: str = orjson.loads(answer.body)["error"]
        return message

    assert error("GET", LIST, "limit=2") == (
        f"replay: nothing recorded for GET {LIST}?limit=2 with this query"
        " (1 recorded request(s) to this path, 2 in all): 'limit=1'"
    )
    assert "with this body" in error("POST", CREATE, "", b'{"prompt": "xyz"}')
    assert error("DELETE", LIST) == (
        f"replay: nothing recorded for DELETE {LIST} (0 recorded request(s) to this path, 2 in all)"
    )
