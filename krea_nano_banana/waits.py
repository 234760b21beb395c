"""How the SDK's clients wait when they were given no `sleep` or `clock` of their own: in real
time, unless a test tool puts virtual time in its place for a while.

The mock's pytest fixture does, so that application code which builds its own clients waits
for jobs without sleeping. The setting is process-wide, not per task or thread: an
application's worker threads wait in the same time as the test that started them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Waits:
    sleep: Callable[[float], None]
    async_sleep: Callable[[float], Awaitable[None]]
    clock: Callable[[], float]  # seconds, for deadlines: only differences matter


REAL_TIME = Waits(time.sleep, asyncio.sleep, time.monotonic)
_in_effect = [REAL_TIME]


def current() -> Waits:
    return _in_effect[-1]


@contextlib.contextmanager
def substituted(waits: Waits) -> Iterator[Waits]:
    """Every client without a `sleep` or `clock` of its own uses `waits` inside the block."""
    _in_effect.append(waits)
    try:
        yield waits
    finally:
        _in_effect.remove(waits)
