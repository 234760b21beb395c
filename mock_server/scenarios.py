"""Per-request scenarios for testing clients, chosen with the `Prefer` header (RFC 7240).

Stoplight Prism's `Prefer: code=402` works as it does there; the stateful scenarios are the
mock's own, e.g. `Prefer: scenario=fail; reason=moderation`. Preferences the mock does not
know are ignored, as RFC 7240 asks; a known preference with a bad value is a 400.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from mock_server.lifecycle import DEFAULT_FAILURE, FAILURE_MESSAGES, Outcome
from mock_server.validation import InvalidRequest

SCENARIOS = ("fail", "slow", "stuck", "duplicate-webhook", "flaky")


@dataclass(frozen=True, slots=True)
class Scenario:
    code: int | None = None  # answer at once with this documented error status
    retry_after: int = 1  # seconds, for code=429 and the flaky 503s
    outcome: Outcome = Outcome.COMPLETE
    failure_reason: str = DEFAULT_FAILURE
    slow: bool = False
    duplicate_webhook: bool = False
    flaky_failures: int = 0  # answer 503 this many times before handling the request

    @property
    def applied(self) -> str:
        """The `Preference-Applied` value: what the mock acted on."""
        parts = []
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.outcome is Outcome.FAIL:
            parts.append(f"scenario=fail; reason={self.failure_reason}")
        if self.outcome is Outcome.STUCK:
            parts.append("scenario=stuck")
        if self.slow:
            parts.append("scenario=slow")
        if self.duplicate_webhook:
            parts.append("scenario=duplicate-webhook")
        if self.flaky_failures:
            parts.append(f"scenario=flaky; failures={self.flaky_failures}")
        return ", ".join(parts)


NO_SCENARIO = Scenario()


def _whole_number(name: str, text: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidRequest(f"Prefer: {name}", f"must be a whole number from {low} to {high}")
    return int(text)


def parse_prefer(header: str | None) -> Scenario:
    if not header:
        return NO_SCENARIO
    found: dict[str, object] = {}
    for preference in header.split(","):
        token, *params = [part.strip() for part in preference.split(";")]
        name, _, value = token.partition("=")
        name = name.strip().lower()
        value = value.strip().strip('"')
        extras = {
            k.strip().lower(): v.strip().strip('"')
            for k, _, v in (p.partition("=") for p in params)
        }
        if name == "code":
            found["code"] = _whole_number("code", value, 100, 599)
        elif name == "retry-after":
            found["retry_after"] = _whole_number("retry-after", value, 0, 3600)
        elif name == "scenario":
            _apply_scenario(value.lower(), extras, found)
    return Scenario(**found)  # type: ignore[arg-type]


def _apply_scenario(name: str, extras: dict[str, str], found: dict[str, object]) -> None:
    if name == "fail":
        reason = extras.get("reason", DEFAULT_FAILURE)
        if reason not in FAILURE_MESSAGES:
            known = ", ".join(sorted(FAILURE_MESSAGES))
            raise InvalidRequest("Prefer: reason", f"{reason!r} is not one of {known}")
        found["outcome"] = Outcome.FAIL
        found["failure_reason"] = reason
    elif name == "stuck":
        found["outcome"] = Outcome.STUCK
    elif name == "slow":
        found["slow"] = True
    elif name == "duplicate-webhook":
        found["duplicate_webhook"] = True
    elif name == "flaky":
        found["flaky_failures"] = _whole_number("failures", extras.get("failures", "1"), 1, 10)
    else:
        raise InvalidRequest("Prefer: scenario", f"{name!r} is not one of {', '.join(SCENARIOS)}")


class FlakyCounter:
    """Remembers how many 503s each flaky request has had, so that a retry gets through."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def should_fail(self, key: tuple[str, str, str], failures: int) -> bool:
        with self._lock:
            count = self._seen.get(key, 0)
            if count >= failures:
                self._seen.pop(key, None)
                return False
            self._seen[key] = count + 1
            return True

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
