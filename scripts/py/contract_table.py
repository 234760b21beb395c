"""Times `krea-contract` in-process, live against the project's server, and live against each
mutant of devtools/mutants.py, and prints the README's table: each mutant must be caught (exit 1)
and name a rule.

    scripts/contract-table [--mutant NAME ...] [--profile dev]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from devtools.mutants import MUTANTS  # noqa: E402
from devtools.servers import mock_server, mutant_server  # noqa: E402

TOKENS = ("contract-a", "contract-b")
RULE_LINE = re.compile(r"^  - (?P<rule>.+?) \[")


def run_suite(url: str | None, profile: str) -> tuple[int, float, list[str], str]:
    command = ["krea-contract", "--profile", profile]
    if url:
        command += ["--base-url", url, "--token", TOKENS[0], "--other-token", TOKENS[1]]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    took = time.monotonic() - started
    rules = [m["rule"] for line in result.stdout.splitlines() if (m := RULE_LINE.match(line))]
    summary = [
        line for line in result.stdout.splitlines() if " passed" in line or " failed" in line
    ]
    return result.returncode, took, rules, summary[-1] if summary else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutant", action="append", choices=list(MUTANTS), dest="mutants")
    parser.add_argument("--profile", default=os.environ.get("HYPOTHESIS_PROFILE", "dev"))
    args = parser.parse_args()
    server_args = ("--token", TOKENS[0], "--token", TOKENS[1])
    rows: list[tuple[str, AbstractContextManager[str | None], int]] = [
        ("in-process mock", nullcontext(None), 0),
        ("live: `krea-mock-server`", mock_server(*server_args), 0),
    ]
    for name in args.mutants or list(MUTANTS):
        rows.append((f"live: mutant `{name}`", mutant_server(name, *server_args), 1))
    print(f"profile: {args.profile}\n")
    print("| target | what is broken | suite time | exit | caught by |")
    print("|---|---|---|---|---|")
    failures = 0
    for label, server, expected in rows:
        with server as url:
            status, took, rules, summary = run_suite(url, args.profile)
        name = label.split("`")[1] if "mutant" in label else ""
        what = MUTANTS[name][0] if name else "nothing"
        caught = "; ".join(dict.fromkeys(rules)) or summary
        ok = status == expected and (expected == 0 or rules)
        failures += not ok
        mark = "" if ok else " **(unexpected)**"
        print(f"| {label} | {what} | {took:.1f} s | {status}{mark} | {caught} |", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
