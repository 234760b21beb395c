"""The dashboard's server side: served in every mode, offline by construction, paged views of
jobs, webhooks and the journal; and who may reach /__mock__/ at all (--admin-token, the
warning when bound beyond loopback). The page itself is tested in a browser:
test_dashboard_browser.py."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from krea_nano_banana_mock import KreaMock
from krea_nano_banana_mock.core.journal import Entry, Journal
from krea_nano_banana_mock.core.redaction import redact_url
from krea_nano_banana_mock.dashboard import Source
from krea_nano_banana_mock.dashboard.views import journal_page, summary
from krea_nano_banana_mock.http_layer.admin_token import exposure_warning
from krea_nano_banana_mock.http_layer.messages import MockRequest, MockResponse

import krea_nano_banana_spec as spec
from devtools.servers import READY_PREFIX, ROOT, mock_server

CREATE = spec.generation(spec.default_model()).path
STATIC = Path(ROOT, "mock_server/krea_nano_banana_mock/dashboard/static")
UI = "/__mock__/ui"
LIFECYCLE = spec.lifecycle()


def mock_source(mock: KreaMock) -> Source:
    return Source("mock", mock.journal, mock.dispatcher.control.state, mock.dispatcher)


def test_the_page_names_nothing_outside_the_server_that_serves_it() -> None:
    for file in STATIC.iterdir():
        text = file.read_text()
        if file.suffix == ".svg":
            text = text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a name, not a fetch
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}|@import|@font-face", text), file


@pytest.mark.slow
def test_the_dashboard_is_served_in_every_mode(tmp_path: Path) -> None:
    with mock_server() as mock, mock_server("--proxy", mock) as proxy:
        with mock_server("--replay", str(tmp_path)) as replay:
            for url, mode in ((mock, "mock"), (proxy, "proxy"), (replay, "replay")):
                page = httpx.get(url + UI)
                assert page.status_code == 200
                assert page.headers["content-type"].startswith("text/html")
                assert "default-src 'self'" in page.headers["content-security-policy"]
                assert httpx.get(f"{url}{UI}/static/app.js").status_code == 200
                shown = httpx.get(f"{url}{UI}/api/summary").json()
                assert shown["mode"] == mode
                assert (shown["jobs"] is None) == (mode != "mock")
        # The dashboard is in front of the API, not in its way.
        assert httpx.get(proxy + "/openapi.json").status_code == 200
        assert httpx.post(f"{mock}{UI}/api/summary").status_code == 405
        assert httpx.get(f"{mock}{UI}/api/journal", params={"per_page": "0"}).json() == {
            "error": "per_page: must be a whole number from 1 to 200"
        }


@pytest.mark.slow
def test_the_server_prints_the_dashboards_url_at_start() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "krea_nano_banana_mock.server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline()[len(READY_PREFIX) :].split()[0]
            assert process.stdout.readline() == f"Dashboard: {url}{UI}\n"
        finally:
            process.terminate()
            _, errors = process.communicate(timeout=10)
    assert "warning" not in errors  # loopback: nothing to warn about


def test_jobs_show_their_tenant_digest_prompt_timeline_and_result() -> None:
    with KreaMock(progression="time", now="2026-06-01T00:00:00Z") as mock:
        client = httpx.Client(transport=mock.transport(), base_url=mock.base_url)
        created = client.post(
            CREATE, json={"prompt": "a fox"}, headers={"Authorization": "Bearer token-a"}
        ).json()
        client.post(
            CREATE,
            json={"prompt": "a hare"},
            headers={"Authorization": "Bearer token-b", "Prefer": "scenario=fail"},
        )
        mock.advance_clock(3600)  # nobody polls: each status must still be on the timeline
        jobs = summary(mock_source(mock), 0, 10)["jobs"]
    assert jobs["total"] == 2
    failed, completed = jobs["items"]  # newest first
    assert completed["job_id"] == created["job_id"]
    assert completed["prompt_text"] == "a fox"
    assert completed["tenant"] != failed["tenant"]
    assert "token" not in str(jobs)
    statuses = tuple(change["entered"] for change in completed["history"])
    assert statuses[-1] == LIFECYCLE.succeeded
    assert LIFECYCLE.is_path(statuses)
    assert len(statuses) > 2
    times = [change["at"] for change in completed["history"]]
    assert times == sorted(times)
    assert completed["result"]["urls"][0].startswith("/results/")
    assert failed["status"] == LIFECYCLE.failed
    assert failed["result"]["error"]
    assert failed["thumbnail"] is None


def test_webhook_deliveries_show_a_redacted_url_codes_and_the_next_retry() -> None:
    hook = "https://hooks.example.test/krea?token=very-secret&job=1"
    with KreaMock(progression="manual", now="2026-06-01T00:00:00Z") as mock:
        mock.router.post(url__startswith="https://hooks.example.test/").respond(500)
        client = httpx.Client(transport=mock.transport(), base_url=mock.base_url)
        job = client.post(
            CREATE,
            json={"prompt": "a wren"},
            headers={"Authorization": "Bearer t", "X-Webhook-URL": hook},
        ).json()
        mock.advance(job["job_id"], steps=10)
        (delivery,) = summary(mock_source(mock), 0, 10)["webhooks"]
    assert "very-secret" not in str(delivery)
    assert delivery["receiver"] == "https://hooks.example.test/krea?token=REDACTED&job=1"
    assert [a["status_code"] for a in delivery["attempts"]] == [500]
    assert delivery["state"] == "retrying"
    assert delivery["next_retry"] > delivery["attempts"][0]["at"]


def _entry(number: int) -> Entry:
    at = datetime(2026, 6, 1, tzinfo=UTC)
    status = 400 if number % 2 else 200
    return Entry.of(
        at,
        MockRequest("GET", f"/jobs/{number}"),
        MockResponse(status, b'{"error": "no"}'),
        tenant="t",
    )


def test_a_journal_of_ten_thousand_requests_is_read_a_page_at_a_time() -> None:
    journal = Journal(10_000)
    for number in range(10_000):
        journal.record(_entry(number))
    first = journal_page(journal, {"per_page": "50"})
    assert first["total"] == 10_000
    assert [e["path"] for e in first["entries"]] == [f"/jobs/{n}" for n in range(9999, 9949, -1)]
    last = journal_page(journal, {"page": "199", "per_page": "50"})
    assert last["entries"][-1]["path"] == "/jobs/0"
    # A path without `*` matches anywhere in the path; odd numbers were refused.
    refused = journal_page(journal, {"status": "400", "path": "/jobs/999"})
    assert [e["path"] for e in refused["entries"]] == [
        "/jobs/9999",
        "/jobs/9997",
        "/jobs/9995",
        "/jobs/9993",
        "/jobs/9991",
        "/jobs/999",
    ]
    assert all(e["refused"] and e["error"] == "no" for e in refused["entries"])


@pytest.mark.slow
def test_admin_token_guards_the_control_surface_and_dashboard_only() -> None:
    with mock_server("--admin-token", "s3cret") as url:
        for path in ("/__mock__/state", UI, f"{UI}/api/summary"):
            refused = httpx.get(url + path)
            assert refused.status_code == 401, path
            assert refused.headers["www-authenticate"].startswith("Basic")
            wrong = httpx.get(url + path, headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            assert httpx.get(url + path, headers={"Authorization": "Bearer s3cret"}).is_success
            basic = base64.b64encode(b"anyone:s3cret").decode()
            assert httpx.get(url + path, headers={"Authorization": f"Basic {basic}"}).is_success
        # The API keeps its own bearer tokens: the admin token is not one of them.
        created = httpx.post(
            url + CREATE, json={"prompt": "a gull"}, headers={"Authorization": "Bearer user"}
        )
        assert created.status_code == 200


@pytest.mark.slow
def test_an_empty_admin_token_is_refused_at_start() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "krea_nano_banana_mock.server", "--admin-token", ""],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "--admin-token must not be empty" in result.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_no_warning_on_loopback(host: str) -> None:
    assert exposure_warning(host, guarded=False) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "mock.internal"])
def test_a_warning_when_bound_beyond_loopback(host: str) -> None:
    unguarded = exposure_warning(host, guarded=False)
    assert unguarded is not None
    assert host in unguarded
    assert "--admin-token" in unguarded
    guarded = exposure_warning(host, guarded=True)
    assert guarded is not None
    assert "no auth" not in guarded


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("https://hooks.test/k", "https://hooks.test/k"),
        ("https://me:pw@hooks.test:8443/k", "https://REDACTED@hooks.test:8443/k"),
        ("https://hooks.test/k?api_key=1&x=2", "https://hooks.test/k?api_key=REDACTED&x=2"),
        (
            "https://hooks.test/k?X-Amz-Signature=abc",
            "https://hooks.test/k?X-Amz-Signature=REDACTED",
        ),
        ("http://[::1]:9/k?token=t#frag", "http://[::1]:9/k?token=REDACTED#frag"),
        ("not a url", "not a url"),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


def test_a_thumbnail_is_the_result_drawn_small_and_only_for_a_completed_job() -> None:
    import io

    from krea_nano_banana_mock.dashboard.views import THUMBNAIL_SIDE, thumbnail
    from PIL import Image

    with KreaMock(progression="manual") as mock:
        client = httpx.Client(transport=mock.transport(), base_url=mock.base_url)
        job = client.post(
            CREATE,
            json={"prompt": "a wide bay", "aspect_ratio": "16:9"},
            headers={"Authorization": "Bearer t"},
        ).json()
        assert thumbnail(mock.dispatcher, job["job_id"]) is None  # not completed yet
        mock.advance(job["job_id"], steps=10)
        drawn = thumbnail(mock.dispatcher, job["job_id"])
        assert thumbnail(mock.dispatcher, "no-such-job") is None
    assert drawn is not None
    width, height = Image.open(io.BytesIO(drawn)).size
    assert width == THUMBNAIL_SIDE
    assert 0.5 < height / width < 0.6  # 16:9 kept


def test_the_server_binds_loopback_unless_told() -> None:
    from krea_nano_banana_mock.server import parse_args

    assert parse_args([]).host == "127.0.0.1"
    assert parse_args(["--admin-token", "t"]).admin_token == "t"
