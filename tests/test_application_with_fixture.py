"""Testing application code with nothing but the `krea_mock` fixture: no token, no base URL,
no injected sleep. The application builds its own clients; they reach the mock, and their
waits move the mock's clock instead of sleeping (README: "Testing your application")."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from krea_nano_banana_mock import KreaMock
from krea_nano_banana_mock.testing.verification import VerificationError
from PIL import Image

from krea_nano_banana_spec import waits
from tests.application import render_poster, render_posters


def test_an_application_creates_waits_and_downloads_in_no_time(
    krea_mock: KreaMock, tmp_path: Path
) -> None:
    before, started = krea_mock.clock.now(), time.monotonic()
    (poster,) = render_poster("a lighthouse", tmp_path)
    took = time.monotonic() - started
    waited = (krea_mock.clock.now() - before).total_seconds()
    with Image.open(poster) as image:
        assert image.size[0] < image.size[1]  # 2:3, portrait
    krea_mock.verify(
        1, method="POST", model="nano-banana-pro", body_contains={"aspect_ratio": "2:3"}
    )
    polls = krea_mock.requests(method="GET", path="/jobs/*")
    assert len(polls) >= 2  # it waited, polling as Krea advises: 2 s, 3 s, 4.5 s... of mock time
    assert waited >= 2  # its waits moved the mock's clock (which nothing else moves)...
    assert took < waited  # ...instead of sleeping as long in real time


@pytest.mark.anyio
async def test_an_async_application_waits_in_mock_time_too(
    krea_mock: KreaMock, tmp_path: Path
) -> None:
    before = krea_mock.clock.now()
    saved = await render_posters(["a", "b"], tmp_path)
    assert len(saved) == 2
    assert (krea_mock.clock.now() - before).total_seconds() >= 2  # the waits moved the clock
    krea_mock.verify(2, method="POST", model="nano-banana-2")


def test_the_fixture_gives_clients_a_base_url_and_a_token_of_the_test(krea_mock: KreaMock) -> None:
    assert os.environ["KREA_BASE_URL"] == krea_mock.base_url
    assert os.environ["KREA_API_TOKEN"]
    assert waits.current() is not waits.REAL_TIME


@pytest.mark.krea_mock(real_time=True)
def test_a_marker_keeps_real_time_for_a_test_that_needs_it(krea_mock: KreaMock) -> None:
    assert waits.current() is waits.REAL_TIME


def test_verification_reports_the_near_misses(krea_mock: KreaMock, tmp_path: Path) -> None:
    render_poster("a lighthouse", tmp_path)
    with pytest.raises(VerificationError) as failed:
        krea_mock.verify(1, method="POST", body_contains={"aspect_ratio": "16:9"})
    report = str(failed.value)
    assert "expected 1 request(s) POST any path with a body containing" in report
    assert "found 0" in report
    assert "Closest requests:" in report
    assert "body.aspect_ratio is '2:3', not '16:9'" in report
    with pytest.raises(VerificationError, match="found 1"):
        krea_mock.verify(2, method="POST")


def test_verification_of_an_empty_journal_says_so(krea_mock: KreaMock) -> None:
    with pytest.raises(VerificationError, match="The journal is empty"):
        krea_mock.verify(method="POST")


@pytest.mark.krea_mock(progression="manual")
def test_a_wait_times_out_in_mock_time(krea_mock: KreaMock) -> None:
    from krea_nano_banana import Krea, WaitTimeoutError

    with Krea() as krea:
        job = krea.generate("a lighthouse")
        before = krea_mock.clock.now()
        with pytest.raises(WaitTimeoutError):
            krea.wait(job, timeout=0.01)  # deadlines well under a poll, down to the microsecond
        with pytest.raises(WaitTimeoutError):
            krea.wait(job, timeout=30)
    assert 30 <= (krea_mock.clock.now() - before).total_seconds() < 31
