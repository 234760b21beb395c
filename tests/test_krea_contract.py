"""The installed `krea-contract` command, over real HTTP, as a user runs it: it catches a broken
server and says so in CI's terms (rule, curl, JUnit), passes a
conforming one as often as it is run, leaves no job of its own unfinished, and exits 2 when
nothing could be checked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

import pytest
from krea_nano_banana_contract.pacing import Pacing
from krea_nano_banana_contract.target import FAST_STEP_SECONDS

import krea_nano_banana_spec as spec
from devtools.servers import mock_server, mutant_server

pytestmark = pytest.mark.slow

KREA_CONTRACT = Path(sys.executable).with_name("krea-contract")
TOKENS = ("contract-token-one", "contract-token-two")
SERVER_TOKENS = ("--token", TOKENS[0], "--token", TOKENS[1])


def krea_contract(
    cwd: Path, *args: str, **environment: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [str(KREA_CONTRACT), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, **environment},
    )
    return result, time.monotonic() - started


def live_args(url: str, tmp_path: Path, profile: str = "dev") -> list[str]:
    return [
        "--base-url",
        url,
        "--token",
        TOKENS[0],
        "--other-token",
        TOKENS[1],
        "--profile",
        profile,
        "--junitxml",
        str(tmp_path / "report.xml"),
    ]


def junit_cases(path: Path) -> dict[str, str]:
    """Each test case's name, and its failure's message ("" when it did not fail)."""
    cases = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        failure = case.find("failure")
        cases[case.get("name", "")] = "" if failure is None else failure.get("message", "")
    return cases


def statuses_on(url: str, token: str) -> Counter[str]:
    """Every job of this token on the server, by status."""
    seen: Counter[str] = Counter()
    cursor = None
    listing = spec.operation_for("job.list").path
    while True:
        query = f"?limit=100&cursor={cursor}" if cursor else "?limit=100"
        request = urllib.request.Request(
            f"{url}{listing}{query}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            page = json.load(response)
        seen.update(job["status"] for job in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return seen


@pytest.mark.slow(seconds=20)
def test_a_server_whose_statuses_go_backwards_fails_naming_the_rule(tmp_path: Path) -> None:
    with mutant_server("statuses-go-backwards", *SERVER_TOKENS) as url:
        result, _ = krea_contract(tmp_path, *live_args(url, tmp_path))
    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-2000:]
    assert result.stdout.startswith(f"krea-contract: checking {url} (--base-url)")
    report = result.stdout[result.stdout.index("violated rules") :]
    assert "polled statuses follow the lifecycle" in report
    assert f"reproduce: curl -sS -X GET '{url}/jobs/" in report
    assert "${KREA_API_TOKEN}" in report
    assert not any(token in report for token in TOKENS)  # named by variable, never shown
    # The summary comes before pytest's own sections, which stay short: no tracebacks.
    assert result.stdout.index("violated rules") < result.stdout.index("= FAILURES =")
    assert "Traceback" not in result.stdout
    cases = junit_cases(tmp_path / "report.xml")
    failed = {name: message for name, message in cases.items() if message}
    assert any(
        "violated rule: polled statuses follow the lifecycle" in message
        and f"reproduce: curl -sS -X GET '{url}/jobs/" in message
        for message in failed.values()
    ), failed


@pytest.mark.slow(seconds=20)
def test_runs_against_one_server_pass_each_time_and_leave_no_job_unfinished(
    tmp_path: Path,
) -> None:
    with mock_server(*SERVER_TOKENS) as url:
        one_token = live_args(url, tmp_path, profile="fast")
        del one_token[4:6]  # no --other-token
        first, _ = krea_contract(tmp_path, *one_token)
        left_by_first = statuses_on(url, TOKENS[0])
        second, _ = krea_contract(tmp_path, *live_args(url, tmp_path, profile="fast"))
        left = statuses_on(url, TOKENS[0]) + statuses_on(url, TOKENS[1])
    for result in (first, second):
        assert result.returncode == 0, result.stdout[-4000:]
        assert f"contract suite: ran against {url};" in result.stdout
        assert " request(s), created " in result.stdout
        assert "contract suite: cancelled " in result.stdout
        assert "violated rules" not in result.stdout
        assert "[100%]" in result.stdout  # every test counted in the progress line
    terminal = set(spec.lifecycle().terminal)
    assert set(left_by_first) <= terminal, left_by_first
    assert set(left) <= terminal, left
    skipped = [line for line in first.stdout.splitlines() if line.startswith("SKIPPED")]
    assert any("tenant isolation needs a second account: pass --other-token" in s for s in skipped)
    cases = junit_cases(tmp_path / "report.xml")
    conforms = [name for name in cases if name.startswith("test_every_operation_conforms")]
    # one test case per operation, each named by it
    assert len(conforms) == len(spec.operations()), conforms
    for operation in spec.operations().values():
        assert f"test_every_operation_conforms[{operation.method} {operation.path}]" in cases


def test_a_server_that_never_delivers_webhooks_gets_a_verdict_naming_the_rule(
    tmp_path: Path,
) -> None:
    model = spec.default_model()
    with mutant_server("drops-webhooks", *SERVER_TOKENS) as url:
        result, _ = krea_contract(
            tmp_path, *live_args(url, tmp_path, profile="fast"), "--model", model
        )
    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-2000:]
    cases = junit_cases(tmp_path / "report.xml")
    message = cases[f"test_a_finished_job_is_posted_to_its_webhook[{model}]"]
    assert message.startswith("violated rule: a finished job is posted to its webhook: no webhook")
    # The wait was the delivery allowance after polling saw the job end, not the job's budget
    # (the run's speed is measured in the README, not asserted here on a shared machine).
    waited = float(message.split(" within ")[1].split(" s ")[0])
    assert waited <= Pacing.per_step_time(FAST_STEP_SECONDS).delivery_seconds
    assert f"reproduce: curl -sS -X GET '{url}/jobs/" in message
    assert '-H "authorization: Bearer ${KREA_API_TOKEN}"' in message


def test_an_interrupted_run_still_writes_its_summary_and_junit(tmp_path: Path) -> None:
    junit = tmp_path / "report.xml"
    with mock_server(*SERVER_TOKENS) as url:
        with subprocess.Popen(
            [str(KREA_CONTRACT), *live_args(url, tmp_path, profile="fast")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        ) as run:
            wait_until_jobs_exist(url)
            run.send_signal(signal.SIGTERM)  # what CI sends a job past its timeout
            stdout, _ = run.communicate(timeout=120)
        left = statuses_on(url, TOKENS[0])
    assert run.returncode == 2, stdout[-3000:]  # no verdict, and none claimed
    assert "contract suite: interrupted (SIGTERM)" in stdout
    assert "contract suite: cancelled " in stdout
    assert set(left) <= set(spec.lifecycle().terminal), left
    assert ElementTree.parse(junit).getroot().find("testsuite") is not None


def wait_until_jobs_exist(url: str) -> None:
    """Until the suite has created jobs on the server (it is under way; the one whose create
    the signal interrupts may be unknown to it, those before it are not)."""
    for _ in range(600):
        if sum(statuses_on(url, TOKENS[0]).values()) >= 3:
            return
        time.sleep(0.1)
    raise AssertionError("the suite created no job within a minute")


def test_a_server_that_cannot_be_reached_is_exit_2(tmp_path: Path) -> None:
    # The target comes from the environment here, and the run says so.
    result, _ = krea_contract(
        tmp_path, "--token", "t", KREA_BASE_URL="http://127.0.0.1:9", KREA_API_TOKEN_OTHER=""
    )
    assert result.returncode == 2
    assert "checking http://127.0.0.1:9 (from $KREA_BASE_URL)" in result.stdout
    assert "cannot reach http://127.0.0.1:9" in result.stderr


def test_a_refused_token_is_exit_2_naming_it_before_any_test(tmp_path: Path) -> None:
    with mock_server(*SERVER_TOKENS) as url:
        args = live_args(url, tmp_path)
        args[args.index("--other-token") + 1] = "not-a-token-of-this-server"
        # The flag wins over an exported KREA_BASE_URL.
        result, _ = krea_contract(tmp_path, *args, KREA_BASE_URL="http://127.0.0.1:9")
    assert result.returncode == 2, result.stdout[-3000:]
    assert f"checking {url} (--base-url)" in result.stdout
    assert f"{url} refuses the token of --other-token (401" in result.stderr
    assert len(result.stdout.splitlines()) + len(result.stderr.splitlines()) <= 3
    assert not (tmp_path / "report.xml").exists()  # no test ran


def test_a_budget_is_honoured_in_process_too(tmp_path: Path) -> None:
    # The budget allows no job at all: what creates one is skipped, saying why; what only
    # reads still runs. The flag wins over an exported KREA_BASE_URL.
    result, _ = krea_contract(
        tmp_path,
        "--in-process",
        "--max-spend-usd",
        "0",
        "--profile",
        "fast",
        KREA_BASE_URL="http://127.0.0.1:9",
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.startswith("krea-contract: checking the in-process mock (--in-process)")
    assert "created 0 job(s), an estimated $0.00 spent" in result.stdout
    assert "spend guard: $0.00 of $0 spent" in result.stdout


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
