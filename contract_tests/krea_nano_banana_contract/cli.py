"""`krea-contract`: the contract suite against any server, as one command for CI.

Exit status: 0 when the server conforms, 1 when it breaks a rule, 2 on bad usage or when the
server cannot be reached (nothing was checked).
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.error
import urllib.request
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
        "with a curl that reproduces it); 2 bad usage, or the server cannot be reached. "
        "Against a server that is not on loopback, jobs (which cost money) are created only "
        "with --max-spend-usd.",
    )
    made.add_argument(
        "--base-url",
        default=os.environ.get("KREA_BASE_URL"),
        help="the server to check (default: $KREA_BASE_URL; none: the in-process mock)",
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


def reachable(base_url: str, token: str) -> str | None:
    """None if the server answers HTTP at all (any status); otherwise why not. The standard
    library's client, so that nothing pytest's plugins import is loaded before pytest."""
    listing = spec.operation_for("job.list").path
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}{listing}?limit=1", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10.0):
            return None
    except urllib.error.HTTPError:
        return None  # an answer, if not a happy one: the suite will say what is wrong with it
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    environment: dict[str, str] = {}
    if args.base_url:
        if not args.base_url.startswith(("http://", "https://")):
            parser().error(f"--base-url {args.base_url!r} must start with http:// or https://")
        if not args.token:
            parser().error("--base-url needs --token (or $KREA_API_TOKEN)")
        problem = reachable(args.base_url, args.token)
        if problem is not None:
            print(f"krea-contract: cannot reach {args.base_url}: {problem}", file=sys.stderr)
            return NOT_CHECKED
        environment |= {"KREA_BASE_URL": args.base_url, "KREA_API_TOKEN": args.token}
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
    status = pytest.main(pytest_args)
    if status == pytest.ExitCode.OK:
        return CONFORMS
    return VIOLATIONS if status == pytest.ExitCode.TESTS_FAILED else NOT_CHECKED


def run() -> None:
    sys.exit(main())
