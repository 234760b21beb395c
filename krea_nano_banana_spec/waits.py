"""How the SDK's clients wait when they were given no `sleep` or `clock` of their own: in real
time, unless a test tool puts virtual time in its place for a while.

A seam of its own, in the one package both sides import: the mock's pytest fixture puts its
virtual time here without importing the SDK, and the SDK reads it without importing the mock.
The setting is context-local (a `ContextVar`): it holds in the task or thread that set it and
in the asyncio tasks started from there (each copies its context), and never leaks into a
concurrent test. A worker thread started inside waits in real time unless it runs in a copy of
the context (`contextvars.copy_context().run`, or `asyncio.to_thread`, which does that).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Waits:
    sleep: Callable[[float], None]
    async_sleep: Callable[[float], Awaitable[None]]
    clock: Callable[[], float]  # seconds, for deadlines: only differences matter


REAL_TIME = Waits(time.sleep, asyncio.sleep, time.monotonic)
_in_effect: contextvars.ContextVar[Waits] = contextvars.ContextVar("krea_waits", default=REAL_TIME)


def current() -> Waits:
    return _in_effect.get()


@contextlib.contextmanager
def substituted(waits: Waits) -> Iterator[Waits]:
    """Every client without a `sleep` or `clock` of its own uses `waits` inside the block;
    leaving it puts back exactly what was in effect before, even when blocks nest."""
    token = _in_effect.set(waits)
    try:
        yield waits
    finally:
        _in_effect.reset(token)
