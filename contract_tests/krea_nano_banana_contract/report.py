"""The end of a run: each violated rule once, what broke it, and a `curl` that reproduces it."""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import httpx
from schemathesis.core.failures import Failure

# Schemathesis filters the token out of its own curl commands; ours name the variable instead.
_FILTERED_AUTH = "'Authorization: [Filtered]'"


@dataclass(frozen=True)
class Broken:
    rule: str
    detail: str
    curl: str | None
    test: str


def curl_of(request: httpx.Request, secrets: Mapping[str, str]) -> str:
    """A shell command that sends `request` again; each secret is replaced by a reference to
    the environment variable that holds it (`secrets`: value -> variable name)."""
    words = ["curl", "-sS", "-X", request.method, _single_quoted(str(request.url))]
    for name, value in request.headers.items():
        if name.lower() in {
            "host",
            "content-length",
            "accept",
            "accept-encoding",
            "connection",
            "user-agent",
        }:
            continue
        words += ["-H", _quote_with_variables(f"{name}: {value}", secrets)]
    if request.content:
        words += ["--data-raw", shlex.quote(request.content.decode("utf-8", "replace"))]
    return " ".join(words)


def _single_quoted(text: str) -> str:
    """Always quoted, unlike shlex.quote, so that a command reads the same for any URL."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _quote_with_variables(text: str, secrets: Mapping[str, str]) -> str:
    hidden = [secret for secret in secrets if secret and secret in text]
    if not hidden:
        return shlex.quote(text)
    escaped = "".join("\\" + c if c in '\\"$`' else c for c in text)
    for secret in hidden:
        escaped = escaped.replace(secret, "${" + secrets[secret] + "}")
    return f'"{escaped}"'


def schemathesis_curl(command: str, token_variable: str) -> str:
    return command.replace(_FILTERED_AUTH, f'"Authorization: Bearer ${{{token_variable}}}"')


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


def broken_rules(error: BaseException, test: str, last_curl: str | None) -> list[Broken]:
    """What `error` says was violated. A rule of our own names itself; a Schemathesis check by
    its title; a bare assertion by the test it sits in, whose name states the rule."""
    found = []
    for leaf, curl in _leaves(error, None):
        if isinstance(leaf, Failure):
            rule, detail = leaf.title, first_line(leaf.message) or leaf.title
        else:
            rule = getattr(leaf, "rule", None) or test.removeprefix("test_").replace("_", " ")
            detail = first_line(str(leaf)) or type(leaf).__name__
        found.append(Broken(rule, detail[:300], curl or last_curl, test))
    return found


def summary_lines(broken: list[Broken]) -> list[str]:
    by_rule: dict[str, Broken] = {}
    for item in broken:
        by_rule.setdefault(item.rule, item)
    if not by_rule:
        return []
    lines = [f"violated rules ({len(by_rule)}):"]
    for rule, item in by_rule.items():
        lines.append(f"  - {rule} [{item.test}]: {item.detail}")
        if item.curl:
            lines.append(f"      reproduce: {item.curl}")
    return lines
