"""Verification over the journal, as WireMock users know it: "this was requested N times",
and, when it was not, the requests that came closest and how each one differs."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from krea_nano_banana_mock.core.journal import Entry

CLOSEST_SHOWN = 3


@dataclass(frozen=True)
class RequestPattern:
    """What a request must be to match. `path` may be a glob; `body_contains` is a subset of
    the JSON body (nested objects compared key by key, lists and scalars by equality)."""

    method: str | None = None
    path: str | None = None
    model: str | None = None
    status: int | None = None
    body_contains: Mapping[str, Any] | None = None

    def describe(self) -> str:
        parts = [self.method or "any method", self.path or "any path"]
        if self.model:
            parts.append(f"to {self.model}")
        if self.status is not None:
            parts.append(f"answered {self.status}")
        if self.body_contains:
            parts.append(f"with a body containing {dict(self.body_contains)!r}")
        return " ".join(parts)

    def where_differs(self, entry: Entry) -> list[str]:
        """How `entry`'s method and path differ from this pattern's."""
        found = []
        if self.method and entry.method != self.method.upper():
            found.append(f"method is {entry.method}, not {self.method.upper()}")
        if self.path and not fnmatch.fnmatchcase(entry.path, self.path):
            found.append(f"path is {entry.path}, not {self.path}")
        return found

    def differences(self, entry: Entry) -> list[str]:
        """How `entry` differs from this pattern; empty when it matches."""
        found = self.where_differs(entry)
        if self.model and entry.model != self.model:
            found.append(f"model is {entry.model}, not {self.model}")
        if self.status is not None and entry.status != self.status:
            found.append(f"status is {entry.status}, not {self.status}")
        if self.body_contains:
            found += _body_differences(self.body_contains, entry.parsed_body(), "body")
        return found


def _body_differences(expected: Mapping[str, Any], actual: Any, where: str) -> list[str]:
    if not isinstance(actual, dict):
        return [f"{where} is {actual!r}, not an object"]
    found = []
    for key, wanted in expected.items():
        if key not in actual:
            found.append(f"{where}.{key} is missing (expected {wanted!r})")
        elif isinstance(wanted, Mapping):
            found += _body_differences(wanted, actual[key], f"{where}.{key}")
        elif actual[key] != wanted:
            found.append(f"{where}.{key} is {actual[key]!r}, not {wanted!r}")
    return found


class VerificationError(AssertionError):
    pass


def verify(
    entries: Sequence[Entry],
    pattern: RequestPattern,
    times: int | None = None,
    at_least: int | None = None,
) -> list[Entry]:
    """The matching entries; raises VerificationError, with the near misses, unless there
    are exactly `times` of them (or at least `at_least`; by default at least one)."""
    __tracebackhide__ = True
    matching = [entry for entry in entries if not pattern.differences(entry)]
    if times is not None:
        ok, wanted = len(matching) == times, f"{times} request(s)"
    else:
        least = 1 if at_least is None else at_least
        ok, wanted = len(matching) >= least, f"at least {least} request(s)"
    if ok:
        return matching
    lines = [f"expected {wanted} {pattern.describe()}; found {len(matching)}."]
    near = _near_misses(entries, pattern)
    if near:
        lines.append("Closest requests:")
        for number, (entry, why, alike) in enumerate(near, 1):
            more = f" (and {alike} more like it)" if alike else ""
            lines.append(f"  {number}. {entry.method} {entry.path} -> {entry.status}: {why}{more}")
    elif not entries:
        lines.append("The journal is empty: nothing reached the mock.")
    raise VerificationError("\n".join(lines))


def _near_misses(entries: Sequence[Entry], pattern: RequestPattern) -> list[tuple[Entry, str, int]]:
    """The closest misses, each with how it differs and how many other requests missed the same
    way (the newest of them shown). A request with the method and path asked for comes first,
    however many polls there were: it is the one whose body or answer the test got wrong."""
    groups: dict[tuple[str, str, int, str], list[Entry]] = {}
    ranks: dict[tuple[str, str, int, str], tuple[bool, int]] = {}
    for entry in entries:
        found = pattern.differences(entry)
        if found:
            key = (entry.method, entry.path, entry.status, "; ".join(found))
            groups.setdefault(key, []).append(entry)
            ranks[key] = (bool(pattern.where_differs(entry)), len(found))
    closest = sorted(groups, key=ranks.__getitem__)[:CLOSEST_SHOWN]  # stable: oldest first
    return [(groups[key][-1], key[3], len(groups[key]) - 1) for key in closest]
