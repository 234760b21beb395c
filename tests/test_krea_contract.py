"""The installed `krea-contract` command, over real HTTP: it catches a broken server within
the issue's budget, passes a conforming one, and exits 2 when nothing could be checked."""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from devtools.servers import mock_server, mutant_server

pytestmark = pytest.mark.slow

KREA_CONTRACT = Path(sys.executable).with_name("krea-contract")
TOKENS = ("contract-token-one", "contract-token-two")
SERVER_TOKENS = ("--token", TOKENS[0], "--token", TOKENS[1])
# What the issue allows a run against a broken server, at the default (developer) profile.
BROKEN_SERVER_BUDGET_SECONDS = 60


def krea_contract(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [str(KREA_CONTRACT), *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )
    return result, time.monotonic() - started


def live_args(url: str, tmp_path: Path) -> list[str]:
    return [
        "--base-url",
        url,
        "--token",
        TOKENS[0],
        "--other-token",
        TOKENS[1],
        "--profile",
        "dev",
        "--junitxml",
        str(tmp_path / "report.xml"),
    ]


@pytest.mark.slow(seconds=20)
def test_a_server_whose_statuses_go_backwards_fails_fast_naming_the_rule(tmp_path: Path) -> None:
    with mutant_server("statuses-go-backwards", *SERVER_TOKENS) as url:
        result, took = krea_contract(tmp_path, *live_args(url, tmp_path))
    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-2000:]
    report = result.stdout[result.stdout.index("violated rules") :]
    assert "polled statuses follow the lifecycle" in report
    assert f"reproduce: curl -sS -X GET '{url}/jobs/" in report
    assert "${KREA_API_TOKEN}" in report
    assert not any(token in report for token in TOKENS)  # named by variable, never shown
    assert took < BROKEN_SERVER_BUDGET_SECONDS, f"took {took:.1f} s"
    junit = ElementTree.parse(tmp_path / "report.xml").getroot()
    assert int(junit.find("testsuite").get("failures")) >= 1  # type: ignore[union-attr, arg-type]


@pytest.mark.slow(seconds=20)
def test_the_projects_own_server_conforms_and_what_cannot_run_says_why(tmp_path: Path) -> None:
    with mock_server(*SERVER_TOKENS) as url:
        one_token = live_args(url, tmp_path)
        del one_token[4:6]  # no --other-token
        result, _ = krea_contract(tmp_path, *one_token)
    assert result.returncode == 0, result.stdout[-4000:]
    assert f"contract suite: ran against {url};" in result.stdout
    assert " request(s), created " in result.stdout
    assert "violated rules" not in result.stdout
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert any("tenant isolation needs a second account: pass --other-token" in s for s in skipped)


def test_a_server_that_cannot_be_reached_is_exit_2(tmp_path: Path) -> None:
    result, _ = krea_contract(tmp_path, "--base-url", "http://127.0.0.1:9", "--token", "t")
    assert result.returncode == 2
    assert "cannot reach http://127.0.0.1:9" in result.stderr


def test_bad_usage_is_exit_2_naming_the_problem(tmp_path: Path) -> None:
    unknown, _ = krea_contract(tmp_path, "--model", "nano-papaya")
    assert unknown.returncode == 2
    assert "--model" in unknown.stderr
    assert "nano-banana-2" in unknown.stderr  # says what is known
    no_token, _ = krea_contract(tmp_path, "--base-url", "http://127.0.0.1:9", "--token", "")
    assert no_token.returncode == 2
    assert "--token" in no_token.stderr
    spend, _ = krea_contract(tmp_path, "--max-spend-usd", "lots")
    assert spend.returncode == 2
    assert "--max-spend-usd" in spend.stderr
