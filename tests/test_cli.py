"""The `nano-banana` command line, against the in-process mock."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from krea_nano_banana_mock import KreaMock

from krea_nano_banana.cli import EXIT_FAILED, EXIT_TIMEOUT, main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, krea_mock: KreaMock) -> None:
    monkeypatch.setenv("KREA_API_TOKEN", "cli-token")
    monkeypatch.setenv("KREA_BASE_URL", krea_mock.base_url)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_generate_wait_and_save(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "out.png"
    code, out, err = run(
        capsys,
        "generate",
        "a lighthouse",
        "--aspect-ratio",
        "16:9",
        "--resolution",
        "2K",
        "--wait",
        "--poll-interval",
        "0",
        "-o",
        str(target),
    )
    assert code == 0, err
    assert out.strip() == f"{target} (2736x1536)"
    assert target.is_file()
    statuses = [line.split()[-1] for line in err.strip().splitlines()]
    assert statuses == ["queued", "scheduled", "processing", "sampling", "completed"]


def test_generate_without_wait_prints_the_job(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "generate",
        "a lighthouse",
        "--style-image",
        "url=https://x.test/s.png,strength=0.5",
        "--style-images",
        '{"strength": -1}',
    )
    assert code == 0, err
    assert json.loads(out)["status"] == "queued"


def test_jobs_get_list_cancel_wait(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    job_id = json.loads(run(capsys, "generate", "a lighthouse")[1])["job_id"]
    assert job_id in run(capsys, "jobs", "list")[1]
    assert json.loads(run(capsys, "jobs", "cancel", job_id)[1])["status"] == "cancelled"
    assert json.loads(run(capsys, "jobs", "get", job_id)[1])["status"] == "cancelled"
    assert run(capsys, "jobs", "list", "--status", "completed")[1] == ""
    other = json.loads(run(capsys, "generate", "a lighthouse")[1])["job_id"]
    code, out, _ = run(capsys, "jobs", "wait", other, "--poll-interval", "0", "-o", str(tmp_path))
    assert code == 0
    assert out.strip().endswith("(1024x1024)")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "ab"], "error: nano-banana-2: prompt: 'ab' is too short (minimum length: 3)"),
        (
            ["generate", "a lighthouse", "--webhook-url", "ftp://x.test/"],
            "error: 400: X-Webhook-URL: 'ftp://x.test/' must be an absolute http or https URL",
        ),
        (["jobs", "get", "3c90c3cc-0d44-4b50-8888-8dd25736052a"], "error: 404: job not found"),
    ],
)
def test_failures_are_one_line_and_non_zero(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == EXIT_FAILED
    assert out == ""
    assert err.strip() == message


def test_a_wait_that_times_out_exits_non_zero(
    capsys: pytest.CaptureFixture[str], krea_mock: KreaMock
) -> None:
    krea_mock.set_progression("manual")
    job_id = json.loads(run(capsys, "generate", "a lighthouse")[1])["job_id"]
    code, _, err = run(
        capsys, "jobs", "wait", job_id, "--timeout", "0.01", "--poll-interval", "0.01"
    )
    assert code == EXIT_TIMEOUT
    assert "still queued" in err.splitlines()[-1]


def test_a_failed_job_exits_non_zero(
    capsys: pytest.CaptureFixture[str], krea_mock: KreaMock
) -> None:
    job_id = json.loads(run(capsys, "generate", "a lighthouse")[1])["job_id"]
    krea_mock.dispatcher.backend.advance(job_id, 2)
    krea_mock.dispatcher.backend.cancel(krea_mock.job(job_id).tenant, job_id)  # type: ignore[union-attr]
    code, _, err = run(capsys, "jobs", "wait", job_id, "--poll-interval", "0")
    assert code == EXIT_FAILED
    assert err.strip().splitlines()[-1] == f"error: job {job_id} was cancelled"


def test_cost(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(capsys, "cost", "--resolution", "2K", "--images", "2")[1].strip()
        == "$0.24 (115.6 compute units)"
    )


@pytest.mark.slow
def test_demo_script_runs_end_to_end() -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "demo")], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    saved = result.stdout.strip().splitlines()[-1]
    assert saved.endswith("citadel.png (2736x1536)")
    for status in ("queued", "processing", "completed"):
        assert status in result.stderr
