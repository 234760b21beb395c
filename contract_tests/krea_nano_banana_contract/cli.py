"""`krea-contract`: the contract suite against any server, as one command for CI.

Exit status: 0 when the server conforms, 1 when it breaks a rule, 2 when there is no verdict:
bad usage, a server that cannot be reached or refuses a token, a run in which every test was
skipped or that stopped on the suite's own errors, or one interrupted before it found a
violation.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import krea_nano_banana_spec as spec

try:
    import hypothesis  # noqa: F401  (the suite needs all three; say so before anything runs)
    import pytest
    import schemathesis  # noqa: F401
except ImportError as missing:  # the console script is installed even without the extra
    print(
        f"krea-contract needs the contract extra ({missing.name} is missing):"
        " pip install 'krea-nano-banana[contract]'",
        file=sys.stderr,
    )
    raise SystemExit(2) from missing

CONFORMS, VIOLATIONS, NOT_CHECKED = 0, 1, 2
PACKAGE = Path(__file__).resolve().parent


def _dollars(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of dollars") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError("must be a non-negative number of dollars")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def parser() -> argparse.ArgumentParser:
    models = spec.available_models()
    made = argparse.ArgumentParser(
        prog="krea-contract",
        description="Checks that a server keeps the contract of openapi.yaml: requests, "
        "responses, the job lifecycle, tenant isolation, webhooks, deprecated aliases.",
        epilog="exit status: 0 the server conforms; 1 it violates a rule (each is listed once, "
        "with a curl that reproduces it); 2 no verdict: bad usage, a server that cannot be "
        "reached or refuses a token, every test skipped, only the suite's own errors, or "
        "interrupted before a violation was found. "
        "Against a server that is not on loopback, jobs (which cost money) are created only "
        "with --max-spend-usd.",
    )
    where = made.add_mutually_exclusive_group()
    where.add_argument(
        "--base-url",
        help="the server to check (default: $KREA_BASE_URL; none: the in-process mock)",
    )
    where.add_argument(
        "--in-process",
        action="store_true",
        help="check the in-process mock, even when $KREA_BASE_URL is set",
    )
    made.add_argument(
        "--token",
        default=os.environ.get("KREA_API_TOKEN"),
        help="bearer token (default: $KREA_API_TOKEN)",
    )
    made.add_argument(
        "--other-token",
        default=os.environ.get("KREA_API_TOKEN_OTHER"),
        help="a second account's token, for tenant isolation (default: $KREA_API_TOKEN_OTHER)",
    )
    made.add_argument(
        "--model",
        action="append",
        dest="models",
        choices=models,
        metavar="NAME",
        help=f"check only this model (repeatable; default: all of {', '.join(models)})",
    )
    made.add_argument("--junitxml", metavar="FILE", help="also write a JUnit XML report")
    made.add_argument(
        "--max-spend-usd",
        type=_dollars,
        metavar="X",
        help="the most the run may spend creating jobs, at Krea's published prices",
    )
    made.add_argument(
        "--job-timeout",
        type=_seconds,
        default=600.0,
        metavar="SECONDS",
        help="how long a job may take on a server the suite cannot speed up (default: 600)",
    )
    made.add_argument(
        "--profile",
        choices=["ci", "dev", "fast"],
        help="Hypothesis profile (default: ci when $CI is set, dev otherwise)",
    )
    return made


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer at all
    text: str  # the body's first bytes, or why there was no answer


def probe(base_url: str, token: str) -> Answer:
    """What the server answers a one-job listing with this token. The standard library's
    client, so that nothing pytest's plugins import is loaded before pytest."""
    listing = spec.operation_for("job.list").path
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}{listing}?limit=1", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10.0) as response:
            return Answer(response.status, "")
    except urllib.error.HTTPError as answered:  # an answer, if not a happy one
        return Answer(answered.code, answered.read(300).decode("utf-8", "replace").strip())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Answer(None, str(getattr(exc, "reason", exc)))


REFUSED = (401, 403)


def token_problem(base_url: str, tokens: dict[str, str]) -> str | None:
    """Why the run cannot start, naming the option whose token the server refuses; None if
    every token is accepted (checked first: with a refused token every test would fail
    without saying anything about the server)."""
    for option, token in tokens.items():
        answer = probe(base_url, token)
        if answer.status is None:
            return f"cannot reach {base_url}: {answer.text}"
        if answer.status in REFUSED:
            said = f": {answer.text}" if answer.text else ""
            return f"{base_url} refuses the token of {option} ({answer.status}{said})"
    return None


def target_of(args: argparse.Namespace) -> tuple[str | None, str]:
    """The server to check (None: in-process), and how the run names it: flags win over the
    environment, and the environment's choice is said, never silent."""
    if args.in_process:
        return None, "the in-process mock (--in-process)"
    if args.base_url:
        return args.base_url, f"{args.base_url} (--base-url)"
    from_environment = os.environ.get("KREA_BASE_URL")
    if from_environment:
        return from_environment, f"{from_environment} (from $KREA_BASE_URL)"
    return None, "the in-process mock"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    base_url, named = target_of(args)
    print(f"krea-contract: checking {named}", flush=True)
    environment: dict[str, str] = {}
    if base_url:
        if not base_url.startswith(("http://", "https://")):
            parser().error(f"--base-url {base_url!r} must start with http:// or https://")
        if not args.token:
            parser().error("--base-url needs --token (or $KREA_API_TOKEN)")
        tokens = {"--token": args.token}
        if args.other_token:
            tokens["--other-token"] = args.other_token
        problem = token_problem(base_url, tokens)
        if problem is not None:
            print(f"krea-contract: {problem}", file=sys.stderr)
            return NOT_CHECKED
        environment |= {"KREA_BASE_URL": base_url, "KREA_API_TOKEN": args.token}
    else:
        os.environ.pop("KREA_BASE_URL", None)
    if args.other_token:
        environment["KREA_API_TOKEN_OTHER"] = args.other_token
    if args.models:
        environment["KREA_CONTRACT_MODELS"] = ",".join(args.models)
    if args.max_spend_usd is not None:
        environment["KREA_MAX_SPEND_USD"] = str(args.max_spend_usd)
    environment["KREA_JOB_TIMEOUT"] = str(args.job_timeout)
    if args.profile:
        environment["HYPOTHESIS_PROFILE"] = args.profile
    os.environ.update(environment)
    pytest_args = [
        "--pyargs",
        "krea_nano_banana_contract",
        # The suite's own settings, whatever pytest configuration the current folder holds.
        "-c",
        os.devnull,
        "--rootdir",
        str(PACKAGE),
        "-p",
        "no:cacheprovider",
        "-q",
        "-rs",
        # This runner imported the package before pytest could mark it for assertion rewriting;
        # its test modules, imported later, are rewritten all the same.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    if args.junitxml:
        pytest_args += ["--junitxml", args.junitxml]
    return verdict(pytest.main(pytest_args))


def verdict(status: int | pytest.ExitCode) -> int:
    """The exit status, from what the run found (`report.RUN`) as much as from pytest's."""
    from krea_nano_banana_contract.report import RUN

    if RUN.broken:
        return VIOLATIONS
    if status == pytest.ExitCode.OK and RUN.passed == 0:
        print("krea-contract: nothing was checked: every test was skipped", file=sys.stderr)
        return NOT_CHECKED
    if status == pytest.ExitCode.OK:
        return CONFORMS
    if status == pytest.ExitCode.TESTS_FAILED and not RUN.errors and not RUN.interrupted:
        return VIOLATIONS  # failed before the suite could classify it: a failure all the same
    if RUN.errors:
        print(
            "krea-contract: no verdict: the suite failed on its own errors (listed above),"
            " and found no violated rule",
            file=sys.stderr,
        )
    return NOT_CHECKED


def run() -> None:
    sys.exit(main())
