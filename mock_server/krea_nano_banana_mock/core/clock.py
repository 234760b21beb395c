"""Time for the mock, injected: the backend asks a clock and never reads the system time itself."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def set(self, instant: datetime) -> None: ...

    def advance(self, seconds: float) -> None: ...


class SystemClock:
    """Wall-clock time, optionally shifted so that it starts at a chosen instant and runs on."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = (start - datetime.now(UTC)) if start is not None else timedelta(0)

    def now(self) -> datetime:
        if self._offset:
            return datetime.now(UTC) + self._offset
        return datetime.now(UTC)

    def set(self, instant: datetime) -> None:
        self._offset = instant - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)


class ManualClock:
    """Time that moves only when told to: for tests that must be exact."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start if start is not None else datetime.now(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._now = instant

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; a bare date means its midnight, and no offset means UTC."""
    instant = datetime.fromisoformat(text)
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
