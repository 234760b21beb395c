"""The end of a run: each violated rule once, what broke it, and a `curl` that reproduces it.

A failing test is either a verdict on the server (a rule it broke) or an error of the suite
itself (Hypothesis giving up on a strategy, a crash in the suite's own code): only the first
kind is a violated rule. `RUN` gathers both for the run's summary, its JUnit file and the
command's exit status.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import httpx
from hypothesis.errors import HypothesisException
from schemathesis.core.failures import Failure
from schemathesis.openapi.checks import AuthScenario, IgnoredAuth

# Schemathesis filters the token out of its own curl commands; ours name the variable instead.
_FILTERED_AUTH = "'Authorization: [Filtered]'"
# What an "invalid authentication" reproduction sends: any token the server cannot know.
INVALID_TOKEN = "not-a-valid-token"
_SENT_AUTH = re.compile(r' -H "authorization: Bearer \$\{[A-Z_]+\}"', re.IGNORECASE)
_LEFT_OUT_HEADERS = {"host", "content-length", "accept", "accept-encoding", "connection"}
MAX_DETAIL = 300


@dataclass(frozen=True)
class Broken:
    rule: str
    detail: str
    curl: str | None
    test: str


@dataclass(frozen=True)
class SuiteError:
    """A test that ended without a verdict on the server: the suite's own failure."""

    test: str
    detail: str


@dataclass
class RunRecord:
    """What the run found, test by test."""

    broken: list[Broken] = field(default_factory=list)
    errors: list[SuiteError] = field(default_factory=list)
    passed: int = 0
    interrupted: str | None = None  # why the run stopped early, if it did

    def violated_rules(self) -> dict[str, Broken]:
        by_rule: dict[str, Broken] = {}
        for item in self.broken:
            by_rule.setdefault(item.rule, item)
        return by_rule


RUN = RunRecord()


def curl_of(request: httpx.Request, secrets: Mapping[str, str]) -> str:
    """A shell command that sends `request` again. An `Authorization: Bearer <secret>` header
    names the environment variable that holds the secret (`secrets`: value -> variable name);
    nothing else is rewritten, so a short token can never mangle the rest of the command."""
    words = ["curl", "-sS", "-X", request.method, _single_quoted(str(request.url))]
    for name, value in request.headers.items():
        if name.lower() in _LEFT_OUT_HEADERS | {"user-agent"}:
            continue
        words += ["-H", _header(name, value, secrets)]
    if request.content:
        words += ["--data-raw", shlex.quote(request.content.decode("utf-8", "replace"))]
    return " ".join(words)


def _header(name: str, value: str, secrets: Mapping[str, str]) -> str:
    scheme, _, credential = value.partition(" ")
    if name.lower() == "authorization" and scheme.lower() == "bearer" and credential in secrets:
        return f'"{name}: {scheme} ${{{secrets[credential]}}}"'
    return shlex.quote(f"{name}: {value}")


def _single_quoted(text: str) -> str:
    """Always quoted, unlike shlex.quote, so that a command reads the same for any URL."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def schemathesis_curl(command: str, token_variable: str) -> str:
    return command.replace(_FILTERED_AUTH, f'"Authorization: Bearer ${{{token_variable}}}"')


def as_sent_by(failure: IgnoredAuth, curl: str) -> str:
    """The reproduction of an ignored-authentication failure sends what the probe sent: no
    credentials, or an invalid token; never the valid one."""
    if failure.scenario == AuthScenario.NO_AUTH:
        return _SENT_AUTH.sub("", curl)
    return _SENT_AUTH.sub(f" -H 'Authorization: Bearer {INVALID_TOKEN}'", curl)


def _leaves(error: BaseException, curl: str | None) -> Iterator[tuple[BaseException, str | None]]:
    curl = getattr(error, "curl", None) or curl
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner, curl)
    else:
        yield error, curl


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def rule_of_test(test: str) -> str:
    """A bare assertion belongs to the test it sits in, whose name states the rule."""
    return test.removeprefix("test_").replace("_", " ")


def outcome(
    error: BaseException, test: str, last_curl: str | None
) -> tuple[list[Broken], list[SuiteError]]:
    """What `error` says: the rules it shows broken, and the suite's own errors. A rule of our
    own names itself; a Schemathesis check by its title; a bare assertion by its test. A
    Hypothesis error (such as a flaky strategy) or a crash of another kind is no verdict."""
    broken, errors = [], []
    for leaf, curl in _leaves(error, None):
        if isinstance(leaf, Failure):
            reproduce = curl or last_curl
            if isinstance(leaf, IgnoredAuth) and reproduce:
                reproduce = as_sent_by(leaf, reproduce)
            detail = first_line(leaf.message) or leaf.title
            broken.append(Broken(leaf.title, detail[:MAX_DETAIL], reproduce, test))
        elif isinstance(leaf, AssertionError) and not isinstance(leaf, HypothesisException):
            rule = getattr(leaf, "rule", None) or rule_of_test(test)
            detail = first_line(str(leaf)) or type(leaf).__name__
            broken.append(Broken(rule, detail[:MAX_DETAIL], curl or last_curl, test))
        else:
            detail = f"{type(leaf).__name__}: {first_line(str(leaf))}".rstrip(": ")
            errors.append(SuiteError(test, detail[:MAX_DETAIL]))
    return broken, errors


def broken_rules(error: BaseException, test: str, last_curl: str | None) -> list[Broken]:
    return outcome(error, test, last_curl)[0]


def failure_text(broken: list[Broken], errors: list[SuiteError]) -> str:
    """A failed test as CI shows it (the JUnit file, the terminal): the rule first, its detail
    and the reproduction; no traceback, no object reprs."""
    lines = []
    for item in broken:
        lines.append(f"violated rule: {item.rule}: {item.detail}")
        if item.curl:
            lines.append(f"  reproduce: {item.curl}")
    lines += [f"suite error (no verdict on the server): {e.detail}" for e in errors]
    return "\n".join(lines)


def summary_lines(run: RunRecord) -> list[str]:
    lines = []
    rules = run.violated_rules()
    if rules:
        lines.append(f"violated rules ({len(rules)}):")
        for rule, item in rules.items():
            lines.append(f"  - {rule} [{item.test}]: {item.detail}")
            if item.curl:
                lines.append(f"      reproduce: {item.curl}")
    if run.errors:
        lines.append(f"errors of the suite itself, not rules the server broke ({len(run.errors)}):")
        lines += [f"  - [{e.test}] {e.detail}" for e in run.errors]
    return lines
