"""The mock's numeric settings are checked once, by the same rules, at every door: the server's
flags, the control surface and KreaMock's options."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest
from krea_nano_banana_mock import KreaMock
from krea_nano_banana_mock.core.option_rules import RULES

from devtools.servers import ROOT


@pytest.mark.parametrize(
    ("flag", "value", "reason"),
    [
        ("--step-seconds", "-1", "must be a positive number"),  # jobs ended before they began
        ("--step-seconds", "nan", "must be a positive number"),
        ("--concurrency-limit", "0", "must be a whole number of at least 1"),  # all backlogged
        ("--backlog-limit", "-3", "must be a non-negative whole number"),
        ("--webhook-timeout", "-1", "must be a positive number"),
        ("--webhook-first-delay", "-0.5", "must be a non-negative number"),
        ("--journal-size", "-1", "must be a non-negative whole number"),
        ("--port", "99999", "must be a whole number from 0 to 65535"),  # was a traceback
    ],
)
def test_a_bad_server_flag_is_one_line_naming_it(flag: str, value: str, reason: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "krea_nano_banana_mock.server", flag, value],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.splitlines()[-1] == (
        f"krea-mock-server: error: argument {flag}: {value!r} {reason}"
    )
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("progression", {"policy": "time", "step_seconds": -1}, "step_seconds"),
        ("progression", {"policy": "time", "step_seconds": 0}, "step_seconds"),
        ("clock", {"advance_seconds": -5}, "advance_seconds"),
        ("clock", {"advance_seconds": True}, "advance_seconds"),
    ],
)
def test_the_control_surface_refuses_the_same_values(
    action: str, body: dict[str, object], field: str
) -> None:
    with KreaMock() as mock, httpx.Client(transport=mock.transport()) as client:
        answer = client.post(f"{mock.base_url}/__mock__/{action}", json=body)
        advance = client.post(f"{mock.base_url}/__mock__/jobs/x/advance", json={"steps": 0})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(f"{field}: ")
    assert answer.json()["error"].endswith(RULES[field].reason())
    assert advance.status_code == 400
    assert advance.json()["error"] == "steps: 0 must be a whole number from 1 to 100"


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("step_seconds", -1.0),
        ("concurrency_limit", 0),
        ("backlog_limit", -1),
        ("journal_size", -1),
        ("concurrency_limit", 2.5),
    ],
)
def test_kreamock_refuses_them_too(option: str, value: float) -> None:
    options: dict[str, Any] = {option: value}
    with pytest.raises(ValueError, match=rf"^{option}: .* {RULES[option].reason()}$"):
        KreaMock(**options)


def test_values_at_the_bounds_are_accepted() -> None:
    with KreaMock(step_seconds=0.001, concurrency_limit=1, backlog_limit=0, journal_size=0):
        pass
    bounds = ["--port", "65535", "--step-seconds", "0.001", "--concurrency-limit", "1"]
    run = subprocess.run(
        [sys.executable, "-m", "krea_nano_banana_mock.server", *bounds, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr  # parsed up to --help without complaint
