"""Per-request scenarios for testing clients, chosen with the `Prefer` header (RFC 7240).

Stoplight Prism's `Prefer: code=402` works as it does there; the stateful scenarios are the
mock's own, e.g. `Prefer: scenario=fail; reason=moderation`. A setting may come as a parameter
of its preference (`code=429; retry-after=5`, RFC 7240's form) or as a preference of its own
(`code=429, retry-after=5`). Preferences the mock does not know are ignored, as RFC 7240 asks;
a known one that cannot be parsed, or a setting that does not apply, is a 400 saying why.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from krea_nano_banana_mock.core.lifecycle import DEFAULT_FAILURE, FAILURE_MESSAGES, Outcome
from krea_nano_banana_spec.validation import InvalidRequest


class Fault(StrEnum):
    """A transport fault a scenario asks for (`Prefer: scenario=...`)."""

    FLAKY = "flaky"  # a 503 with Retry-After; nothing takes effect
    RESET = "reset"  # the request takes effect, then the connection drops without an answer
    TIMEOUT = "timeout"  # the request takes effect, then the answer stalls


SCENARIOS = ("fail", "slow", "stuck", "duplicate-webhook", "flaky", "reset", "timeout")
FAULTS = tuple(Fault)
# Each setting, and the scenarios it applies to (None: it applies on its own).
SETTINGS: dict[str, tuple[str, ...] | None] = {
    "code": None,
    "scenario": None,
    "retry-after": None,
    "reason": ("fail",),
    "failures": FAULTS,
    "seconds": ("timeout",),
}


@dataclass(frozen=True, slots=True)
class Scenario:
    code: int | None = None  # answer at once with this documented error status
    retry_after: int = 1  # seconds, for code=429 and the flaky 503s
    outcome: Outcome = Outcome.COMPLETE
    failure_reason: str = DEFAULT_FAILURE
    slow: bool = False
    duplicate_webhook: bool = False
    fault: Fault | None = None
    fault_times: int = 0  # how many identical requests get the fault before one succeeds
    stall_seconds: float = 10.0

    def code_applied(self, sends_retry_after: bool) -> str:
        """The `Preference-Applied` value when the forced status was answered."""
        text = f"code={self.code}"
        return f"{text}; retry-after={self.retry_after}" if sends_retry_after else text

    @property
    def applied(self) -> str:
        """The `Preference-Applied` value when the request went through: the scenarios acted on."""
        parts = []
        if self.outcome is Outcome.FAIL:
            parts.append(f"scenario=fail; reason={self.failure_reason}")
        if self.outcome is Outcome.STUCK:
            parts.append("scenario=stuck")
        if self.slow:
            parts.append("scenario=slow")
        if self.duplicate_webhook:
            parts.append("scenario=duplicate-webhook")
        if self.fault:
            text = f"scenario={self.fault}; failures={self.fault_times}"
            if self.fault is Fault.FLAKY:
                text += f"; retry-after={self.retry_after}"
            if self.fault is Fault.TIMEOUT:
                text += f"; seconds={self.stall_seconds:g}"
            parts.append(text)
        return ", ".join(parts)


NO_SCENARIO = Scenario()


def _split(text: str, separator: str) -> list[str]:
    """Splits on `separator` outside double quotes."""
    pieces: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def _pair(piece: str) -> tuple[str, str]:
    name, equals, value = piece.partition("=")
    name, value = name.strip().lower(), value.strip()
    if not name or (equals and not value) or " " in name:
        raise InvalidRequest("Prefer", f"cannot parse {piece.strip()!r}: expected name=value")
    if value.startswith('"') != value.endswith('"') or value == '"':
        raise InvalidRequest("Prefer", f"cannot parse {piece.strip()!r}: unbalanced quotes")
    return name, value.strip('"')


def _settings(header: str) -> tuple[list[str], dict[str, str]]:
    """The scenarios asked for, and every other known setting, from all preferences."""
    scenarios: list[str] = []
    values: dict[str, str] = {}
    for preference in _split(header, ","):
        pieces = [p for p in _split(preference, ";") if p.strip()]
        if not pieces or pieces[0].partition("=")[0].strip().lower() not in SETTINGS:
            continue  # a preference of another kind (return=minimal, respond-async, ...)
        name, _ = _pair(pieces[0])
        for key, text in [_pair(p) for p in pieces]:
            if key not in SETTINGS:
                known = ", ".join(SETTINGS)
                raise InvalidRequest(f"Prefer: {name}", f"unknown parameter {key!r} ({known})")
            if key == "scenario":
                scenarios.append(text.lower())
            elif values.setdefault(key, text) != text:
                raise InvalidRequest(f"Prefer: {key}", f"given twice ({values[key]}, {text})")
    return scenarios, values


def _whole_number(name: str, text: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidRequest(f"Prefer: {name}", f"must be a whole number from {low} to {high}")
    return int(text)


def parse_prefer(header: str | None) -> Scenario:
    if not header:
        return NO_SCENARIO
    scenarios, values = _settings(header)
    for name in scenarios:
        if name not in SCENARIOS:
            raise InvalidRequest(
                "Prefer: scenario", f"{name!r} is not one of {', '.join(SCENARIOS)}"
            )
    for key, applies_to in SETTINGS.items():
        if key in values and applies_to is not None and not set(applies_to) & set(scenarios):
            wanted = " or ".join(f"scenario={s}" for s in applies_to)
            raise InvalidRequest(f"Prefer: {key}", f"applies only with {wanted}")
    found: dict[str, object] = {}
    if "code" in values:
        found["code"] = _whole_number("code", values["code"], 100, 599)
    if "retry-after" in values:
        found["retry_after"] = _whole_number("retry-after", values["retry-after"], 0, 3600)
    for name in scenarios:
        _apply_scenario(name, values, found)
    return Scenario(**found)  # type: ignore[arg-type]


def _apply_scenario(name: str, values: dict[str, str], found: dict[str, object]) -> None:
    if name == "fail":
        reason = values.get("reason", DEFAULT_FAILURE)
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
    else:  # one of FAULTS
        found["fault"] = Fault(name)
        found["fault_times"] = _whole_number("failures", values.get("failures", "1"), 1, 10)
        if "seconds" in values:
            found["stall_seconds"] = _whole_number("seconds", values["seconds"], 1, 300)


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
