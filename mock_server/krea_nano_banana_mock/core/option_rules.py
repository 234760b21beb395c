"""What each numeric setting of the mock may be, written once: the server's flags
(`--step-seconds`), the control surface (`POST /__mock__/progression {"step_seconds": ...}`)
and `KreaMock(step_seconds=...)` all check their values here, so a value one door refuses is
refused by every door, with the same words.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from krea_nano_banana_spec.validation import InvalidRequest


@dataclass(frozen=True, slots=True)
class Rule:
    whole: bool  # a whole number (a count), else any finite number (seconds)
    minimum: float
    above_minimum: bool = False  # the minimum itself is refused
    maximum: float | None = None

    def reason(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        if self.maximum is not None:
            return f"must be {kind} from {self.minimum:g} to {self.maximum:g}"
        if self.minimum == 0:
            return f"must be {'a positive' if self.above_minimum else 'a non-negative'} {kind[2:]}"
        return f"must be {kind} of at least {self.minimum:g}"

    def allows(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.whole and not isinstance(value, int):
            return False
        if not math.isfinite(value):
            return False
        if value < self.minimum or (self.above_minimum and value == self.minimum):
            return False
        return self.maximum is None or value <= self.maximum


Number = TypeVar("Number", int, float)

RULES = {
    "step_seconds": Rule(whole=False, minimum=0, above_minimum=True),
    "advance_seconds": Rule(whole=False, minimum=0),
    "concurrency_limit": Rule(whole=True, minimum=1),  # 0 would leave every job backlogged
    "backlog_limit": Rule(whole=True, minimum=0),
    "webhook_timeout": Rule(whole=False, minimum=0, above_minimum=True),
    "webhook_first_delay": Rule(whole=False, minimum=0),
    "journal_size": Rule(whole=True, minimum=0),
    "steps": Rule(whole=True, minimum=1, maximum=100),
    "port": Rule(whole=True, minimum=0, maximum=65535),
}


def checked(name: str, value: Number) -> Number:
    """`value` if setting `name` allows it; else InvalidRequest naming the setting and why."""
    rule = RULES[name]
    if not rule.allows(value):
        raise InvalidRequest(name, f"{value!r} {rule.reason()}")
    return value


def flag(name: str) -> Callable[[str], int | float]:
    """An argparse `type=` for the flag of setting `name` (`--step-seconds` for step_seconds)."""
    rule = RULES[name]

    def parse(text: str) -> int | float:
        try:
            value: int | float = int(text) if rule.whole else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} {rule.reason()}") from None
        if not rule.allows(value):
            raise argparse.ArgumentTypeError(f"{text!r} {rule.reason()}")
        return value

    parse.__name__ = name  # argparse names the type in its own messages
    return parse
