"""What a new user gets wrong, tried as they would: each ends in one clear error (a `KreaError`
from the SDK; one line and a non-zero exit from the CLI, run as a subprocess), never a
traceback, a crash inside the generated client, or a silently wrong result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from krea_nano_banana_mock import KreaMock
from PIL import Image

import krea_nano_banana_spec as spec
from devtools.servers import mock_server
from krea_nano_banana import (
    ConfigurationError,
    InvalidRequestError,
    Krea,
    KreaError,
    UnknownModel,
    estimate_cost,
)
from krea_nano_banana.deprecations import warn_on_aliases
from tests.test_cli import run

NOT_A_UUID = "nope"


@pytest.fixture
def krea(krea_mock: KreaMock) -> Iterator[Krea]:
    with Krea() as client:  # the fixture's base URL and token; waits in the mock's time
        yield client


def refused(error: pytest.ExceptionInfo[BaseException], field: str) -> str:
    assert isinstance(error.value, KreaError), type(error.value)
    assert isinstance(error.value, InvalidRequestError)
    assert error.value.field == field
    return str(error.value)


# -- the SDK -------------------------------------------------------------------------------


def test_list_takes_a_status_as_a_plain_string(krea: Krea, krea_mock: KreaMock) -> None:
    done = krea.generate_and_wait("a lighthouse")
    krea.generate("another lighthouse")  # still queued
    assert [job.job_id for job in krea.list(status="completed")] == [done.job_id]
    with pytest.raises(KreaError) as raised:
        krea.list(status="done")  # type: ignore[arg-type]
    assert "'done' is not one of backlogged, queued" in refused(raised, "status")


def test_list_takes_types_as_a_list_or_a_plain_string(krea: Krea) -> None:
    job = krea.generate("a lighthouse")
    job_type = spec.generation().job_type
    assert [j.job_id for j in krea.list(types=job_type)] == [job.job_id]
    assert [j.job_id for j in krea.list(types=[job_type])] == [job.job_id]
    assert list(krea.list(types=["flux"])) == []


@pytest.mark.parametrize("page_size", [0, -1, 1001, 2.5, "10"])
def test_a_page_size_out_of_the_spec_s_range_is_refused_before_sending(
    krea: Krea, krea_mock: KreaMock, page_size: Any
) -> None:
    with pytest.raises(KreaError) as raised:
        krea.list(page_size=page_size)
    assert "is not a whole number from 1 to 1000" in refused(raised, "page_size")
    assert krea_mock.requests() == []


@pytest.mark.parametrize("action", ["get", "cancel", "wait", "download"])
def test_a_malformed_job_id_is_refused_before_sending(
    krea: Krea, krea_mock: KreaMock, action: str
) -> None:
    with pytest.raises(KreaError) as raised:
        getattr(krea, action)(NOT_A_UUID)
    assert "'nope' is not a job id (a UUID" in refused(raised, "job")
    assert krea_mock.requests() == []


def test_an_unknown_model_is_a_krea_error_exported_by_the_sdk(krea: Krea) -> None:
    with pytest.raises(UnknownModel) as raised:
        krea.generate("a lighthouse", model="nano-banana-9")  # type: ignore[call-overload]
    assert isinstance(raised.value, KreaError)
    assert str(raised.value).startswith("unknown model 'nano-banana-9' (known: ")
    with pytest.raises(UnknownModel):
        estimate_cost("nano-banana-9")  # type: ignore[arg-type]


@pytest.mark.parametrize("images", [2.5, -3, 0, True, "2"])
def test_estimate_cost_refuses_a_count_of_images_that_is_not_a_whole_positive_number(
    images: Any,
) -> None:
    with pytest.raises(KreaError) as raised:
        estimate_cost("nano-banana-2", images=images)
    assert "is not a whole number >= 1" in refused(raised, "images")


def test_download_to_a_file_path_even_an_existing_one(krea: Krea, tmp_path: Path) -> None:
    job = krea.generate_and_wait("a lighthouse", aspect_ratio="16:9")
    existing = tmp_path / "existing.png"
    existing.write_bytes(b"an older picture")
    assert krea.download(job, existing) == [existing]
    with Image.open(existing) as image:
        assert image.size == (1360, 768)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.png"]  # no .part left
    assert krea.download(job, str(tmp_path / "new" / "out.png")) == [tmp_path / "new" / "out.png"]


def test_download_into_a_place_that_cannot_be_written_is_a_krea_error(
    krea: Krea, tmp_path: Path
) -> None:
    job = krea.generate_and_wait("a lighthouse")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(KreaError, match=r"cannot save into .*file"):
        krea.download(job, blocker / "sub")  # a folder inside a file


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-06-01", "Krea accepts it until 2026-06-19 and refuses it from then on"),
        ("2026-06-19", "Krea has refused it since 2026-06-19, so this request will fail"),
    ],
)
def test_the_alias_warning_speaks_in_the_tense_of_the_sunset(now: str, expected: str) -> None:
    aliases = spec.generation().aliases
    moment = datetime.fromisoformat(now).replace(tzinfo=UTC)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_on_aliases({aliases[0].alias: "x"}, aliases, now=moment)
    assert expected in str(caught[0].message)


def test_the_alias_warning_reads_the_real_date(krea: Krea) -> None:
    alias = spec.generation().aliases[0]
    expected = "has refused it since" if datetime.now(UTC) >= alias.sunset else "accepts it until"
    with pytest.warns(DeprecationWarning, match=expected), pytest.raises(KreaError):
        krea.generate("a lighthouse", extra_body={alias.alias: "16:9"})


def test_poll_interval_works_on_generate_and_wait_too(krea: Krea, krea_mock: KreaMock) -> None:
    job = krea.generate_and_wait("a lighthouse", poll_interval=2.5)
    assert str(job.status) == "completed"


@pytest.mark.parametrize("call", ["wait", "generate_and_wait"])
def test_a_negative_poll_interval_is_refused_before_any_job_is_made(
    krea: Krea, krea_mock: KreaMock, call: str
) -> None:
    calls = {
        "wait": lambda: krea.wait("3c90c3cc-0d44-4b50-8888-8dd25736052a", poll_interval=-1),
        "generate_and_wait": lambda: krea.generate_and_wait("a lighthouse", poll_interval=-1),
    }
    with pytest.raises(KreaError) as raised:
        calls[call]()
    assert "-1 is negative" in refused(raised, "poll_interval")
    assert krea_mock.requests() == []


@pytest.mark.parametrize("url", ["http://[::1", "api.krea.ai", "ftp://api.krea.ai"])
def test_a_base_url_that_is_not_one_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError, match="base URL") as raised:
        Krea("token", url)
    assert isinstance(raised.value, KreaError)


# -- the CLI, as a user runs it -------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with mock_server("--step-seconds", "0.05") as url:
        yield url


def nano_banana(
    server: str, *argv: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "krea_nano_banana.cli", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "KREA_API_TOKEN": "cli-user", "KREA_BASE_URL": server},
        check=False,
    )


def one_line_failure(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def journal(server: str, **query: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(f"{server}/__mock__/journal", params=query).json()[
        "entries"
    ]
    return entries


@pytest.mark.parametrize("action", ["get", "cancel", "wait"])
@pytest.mark.slow
def test_cli_jobs_with_a_malformed_id(server: str, action: str) -> None:
    line = one_line_failure(nano_banana(server, "jobs", action, NOT_A_UUID))
    assert line.startswith("error: job: 'nope' is not a job id (a UUID")


@pytest.mark.slow
def test_cli_with_a_base_url_that_is_not_one(server: str) -> None:
    line = one_line_failure(nano_banana(server, "--base-url", "http://[::1", "jobs", "list"))
    assert line.startswith("error: base URL 'http://[::1' is not a URL")


@pytest.mark.slow
def test_cli_refuses_a_negative_poll_interval_before_making_a_job(server: str) -> None:
    before = len(journal(server, method="POST"))
    result = nano_banana(server, "generate", "a lighthouse", "--wait", "--poll-interval", "-1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--poll-interval: '-1' is not a number of seconds >= 0" in result.stderr
    assert len(journal(server, method="POST")) == before  # nothing paid for


@pytest.mark.slow
def test_cli_poll_interval_zero_polls_no_faster_than_krea_advises(
    capsys: pytest.CaptureFixture[str], krea_mock: KreaMock
) -> None:
    krea_mock.set_progression("manual")
    job_id = json.loads(run(capsys, "generate", "a lighthouse")[1])["job_id"]
    code, _, _ = run(capsys, "jobs", "wait", job_id, "--poll-interval", "0", "--timeout", "10")
    assert code == 3  # timed out, in the mock's time
    polls = krea_mock.requests(method="GET", path=f"/jobs/{job_id}")
    # the job read once, then polled at 0, 2, 4, 6, 8 and 10 s: the 2 s floor
    assert len(polls) == 1 + 6


@pytest.mark.slow
def test_cli_output_without_wait_waits_and_saves(server: str, tmp_path: Path) -> None:
    target = tmp_path / "out.png"
    result = nano_banana(server, "generate", "a lighthouse", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{target} (1024x1024)"
    assert target.is_file()


@pytest.mark.slow
def test_cli_reads_the_prompt_from_stdin(server: str) -> None:
    result = nano_banana(server, "--json", "generate", "-", stdin="a lighthouse from a pipe\n")
    assert result.returncode == 0, result.stderr
    job_id = json.loads(result.stdout)["job_id"]
    (created,) = [e for e in journal(server, method="POST") if e.get("job_id") == job_id]
    assert created["body"]["prompt"] == "a lighthouse from a pipe"


@pytest.mark.slow
def test_cli_cost_refuses_a_negative_count(server: str) -> None:
    result = nano_banana(server, "cost", "--images", "-3")
    assert result.returncode == 2
    assert "--images: '-3' is not a whole number >= 1" in result.stderr
    assert "$" not in result.stdout


@pytest.mark.slow
def test_cli_jobs_list_filters_by_types(server: str) -> None:
    made = json.loads(nano_banana(server, "--json", "generate", "a typed lighthouse").stdout)
    job_type = spec.generation().job_type
    listed = nano_banana(server, "--json", "jobs", "list", "--types", job_type)
    assert made["job_id"] in listed.stdout
    assert nano_banana(server, "jobs", "list", "--types", "flux").stdout == ""


@pytest.mark.slow
def test_cli_ctrl_c_while_waiting_names_the_job_and_how_to_cancel_or_resume(
    tmp_path: Path,
) -> None:
    with mock_server("--progression", "manual") as url:
        process = subprocess.Popen(
            [sys.executable, "-m", "krea_nano_banana.cli", "generate", "a lighthouse", "--wait"],
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "KREA_API_TOKEN": "cli-user", "KREA_BASE_URL": url},
        )
        assert process.stderr is not None
        first = process.stderr.readline()  # the first status line: the job exists
        assert first.split()[-1] == "queued", first
        time.sleep(0.2)  # inside the wait's sleep
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=30)
        (job,) = journal(url, method="POST")
    assert process.returncode == 130
    assert "Traceback" not in rest
    job_id = job["job_id"]
    assert rest.strip() == (
        f"error: interrupted; job {job_id} goes on running: cancel it with `nano-banana jobs "
        f"cancel {job_id}` or wait again with `nano-banana jobs wait {job_id}`"
    )


@pytest.mark.parametrize("answer", ["<html>", '{"job_id": 5}', "[]"])
def test_an_answer_off_the_spec_is_a_krea_error_from_every_call(answer: str) -> None:
    off_spec = httpx.MockTransport(lambda _: httpx.Response(200, text=answer))
    job_id = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    with Krea("token", "https://api.krea.test", transport=off_spec) as krea:
        calls: dict[str, Callable[[], object]] = {
            "get": lambda: krea.get(job_id),
            "cancel": lambda: krea.cancel(job_id),
            "list": lambda: list(krea.list()),
            "generate": lambda: krea.generate("a lighthouse"),
        }
        for name, call in calls.items():
            with pytest.raises(KreaError, match="answer that is not a Job") as raised:
                call()
            assert type(raised.value).__name__ == "UnexpectedResponse", name
