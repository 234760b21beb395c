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

SCENARIOS = ("fail", "slow", "stuck", "duplicate-webhook", "flaky", "reset", "timeout")
FAULTS = ("flaky", "reset", "timeout")


@dataclass(frozen=True, slots=True)
class Scenario:
    code: int | None = None  # answer at once with this documented error status
    retry_after: int = 1  # seconds, for code=429 and the flaky 503s
    outcome: Outcome = Outcome.COMPLETE
    failure_reason: str = DEFAULT_FAILURE
    slow: bool = False
    duplicate_webhook: bool = False
    fault: str | None = None  # flaky (503), reset (drop the connection), timeout (stall)
    fault_times: int = 0  # how many identical requests get the fault before one succeeds
    stall_seconds: float = 10.0

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
        if self.fault:
            parts.append(f"scenario={self.fault}; failures={self.fault_times}")
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
    elif name in FAULTS:
        found["fault"] = name
        found["fault_times"] = _whole_number("failures", extras.get("failures", "1"), 1, 10)
        if "seconds" in extras:
            found["stall_seconds"] = _whole_number("seconds", extras["seconds"], 1, 300)
    else:
        raise InvalidRequest("Prefer: scenario", f"{name!r} is not one of {', '.join(SCENARIOS)}")


class FaultCounter:
    """Remembers how many faults each identical request has had, so that a retry gets through."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, ...], int] = {}
        self._lock = threading.Lock()

    def should_fail(self, key: tuple[str, ...], failures: int) -> bool:
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
