"""Failures under the `krea_mock` fixture explain themselves: the journal of the failing test
in its report, `verify`'s message before any of the library's source, near misses with the
asked-for method and path first, and a way through for hosts that are not the API."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from krea_nano_banana_mock import KreaMock
from krea_nano_banana_mock.core.journal import Entry
from krea_nano_banana_mock.http_layer.messages import MockRequest, MockResponse
from krea_nano_banana_mock.testing.krea_mock import NotMocked
from krea_nano_banana_mock.testing.verification import (
    RequestPattern,
    VerificationError,
    verify,
)

import krea_nano_banana_spec as spec
from devtools.servers import webhook_receiver

CREATE = spec.generation(spec.default_model()).path


def run_pytest(tmp_path: Path, source: str) -> str:
    """Runs pytest on one test file, as a user would, and returns what it printed."""
    test_file = tmp_path / "test_user.py"
    test_file.write_text(textwrap.dedent(source))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(test_file), "-p", "no:cacheprovider", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stdout


APPLICATION = f"""
    import httpx

    def call(body):
        return httpx.post(
            "https://api.krea.ai{CREATE}", json=body, headers={{"Authorization": "Bearer t"}}
        )
"""


@pytest.mark.slow(seconds=5)
def test_a_failing_test_gets_the_mocks_journal_in_its_report(tmp_path: Path) -> None:
    output = run_pytest(
        tmp_path,
        APPLICATION
        + """
    def test_app(krea_mock):
        call({"prompt": "a lighthouse"})
        call({"prompt": 7})
        assert False, "the application's own assertion"

    def test_passing(krea_mock):
        call({"prompt": "a lighthouse"})
    """,
    )
    assert output.count("Captured krea_mock journal call") == 1  # the failing test only
    section = output.split("Captured krea_mock journal call")[1].split("=====")[0]
    lines = [line for line in section.splitlines() if CREATE in line]
    assert len(lines) == 2
    assert lines[0].endswith("-> 200 [nano-banana-2]")  # oldest first, newest last
    assert "-> 400" in lines[1]
    assert "REFUSED: prompt: 7 is not of type 'string'" in lines[1]


@pytest.mark.slow(seconds=5)
def test_verify_fails_with_its_message_before_any_library_source(tmp_path: Path) -> None:
    output = run_pytest(
        tmp_path,
        APPLICATION
        + """
    def test_app(krea_mock):
        call({"prompt": "a lighthouse", "aspect_ratio": "16:9"})
        krea_mock.verify(method="POST", body_contains={"aspect_ratio": "2:3"})
    """,
    )
    failure = output.split("test_app ___")[1]
    assert "VerificationError: expected at least 1 request(s) POST" in failure
    assert "body.aspect_ratio is '16:9', not '2:3'" in failure
    # The user's line is shown, none of the mock's own source is.
    assert 'krea_mock.verify(method="POST"' in failure
    assert "RequestPattern(" not in failure
    assert "def verify(" not in failure
    assert failure.index("krea_mock.verify(") < failure.index("VerificationError")


def _entry(method: str, path: str, status: int) -> Entry:
    return Entry.of(
        datetime(2026, 6, 1, tzinfo=UTC), MockRequest(method, path), MockResponse(status)
    )


def test_near_misses_rank_the_asked_for_method_and_path_first() -> None:
    polls = [_entry("GET", f"/jobs/other-{n}", 200) for n in range(5)]
    mine = _entry("GET", "/jobs/mine", 404)
    with pytest.raises(VerificationError) as failure:
        verify([*polls, mine], RequestPattern("GET", "/jobs/mine", status=200))
    closest = str(failure.value).splitlines()[2]
    assert closest == "  1. GET /jobs/mine -> 404: status is 404, not 200"


def test_repeated_near_misses_are_one_line_with_their_count() -> None:
    polls = [_entry("GET", "/jobs/same", 200) for _ in range(7)]
    with pytest.raises(VerificationError) as failure:
        verify(polls, RequestPattern("POST"))
    assert str(failure.value).splitlines()[1:] == [
        "Closest requests:",
        "  1. GET /jobs/same -> 200: method is GET, not POST (and 6 more like it)",
    ]


def test_another_host_is_not_mocked_and_the_error_says_how_to_let_it_through(
    krea_mock: KreaMock,
) -> None:
    with pytest.raises(NotMocked) as failure:
        httpx.get("http://inventory.example.test/items")
    message = str(failure.value)
    assert "not mocked!" in message
    assert "@pytest.mark.krea_mock(pass_through=['inventory.example.test'])" in message
    assert "krea_mock.router.get('http://inventory.example.test/items').respond(200)" in message


@pytest.mark.krea_mock(pass_through=["127.0.0.1"])
def test_a_host_named_in_pass_through_is_reached_for_real(krea_mock: KreaMock) -> None:
    with webhook_receiver(204) as receiver:
        assert httpx.post(receiver.url, content=b"hello").status_code == 204
    assert receiver.bodies == [b"hello"]
    # The API is still the mock.
    created = httpx.post(
        krea_mock.base_url + CREATE, json={"prompt": "a heron"}, headers={"Authorization": "t"}
    )
    assert created.status_code == 401
    krea_mock.verify(1, method="POST", status=401)


@pytest.mark.krea_mock(pass_through=["127.0.0.*"])
def test_pass_through_takes_globs_and_leaves_other_hosts_mocked(krea_mock: KreaMock) -> None:
    with pytest.raises(NotMocked):
        httpx.get("http://example.org/")
    # A glob that matches: respx lets it through, and the closed port refuses it for real.
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:9/", timeout=2)


def test_pass_through_names_a_url_given_instead_of_a_host() -> None:
    with pytest.raises(ValueError, match=r"'http://example\.test' is not a host name or glob"):
        KreaMock(pass_through=["http://example.test"])
