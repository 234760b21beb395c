"""A short soak (the 60 s one is `./scripts/soak`, figures in docs/benchmarks.md): mixed
traffic on loopback, a recording proxy killed with SIGKILL mid-run; correctness only."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from devtools.servers import ROOT

pytestmark = pytest.mark.slow(seconds=15)


def test_a_short_soak_serves_everything_loses_nothing_and_replays_after_a_kill() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "py" / "soak.py"), "--seconds", "4", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    figures = json.loads(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert figures["server_errors"] == 0, figures["by_status"]
    assert figures["jobs_created"] > 0
    assert figures["jobs_lost"] == 0
    assert {200, 400, 401, 404} <= {int(status) for status in figures["by_status"]}
    assert figures["webhook_attempts"] > 0
    assert figures["proxy_requests_before_kill"] > 0
    assert figures["cassettes_recorded"] > 0
    assert figures["cassettes_unreadable"] == []
    assert figures["replayed_status"] == 200
