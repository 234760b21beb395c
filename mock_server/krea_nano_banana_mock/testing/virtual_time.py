"""SDK waits in the mock's time: a client that polls a job sleeps by moving the mock's clock.

The seam is the spec package's `waits`, which both sides import: the mock puts its time there
without knowing the SDK, whether the SDK is installed or not.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from krea_nano_banana_spec import waits

if TYPE_CHECKING:
    from krea_nano_banana_mock.testing.krea_mock import KreaMock

RESOLUTION = 1e-6  # the mock's clock counts microseconds


@contextlib.contextmanager
def sdk_waits_on(mock: KreaMock) -> Iterator[None]:
    origin = mock.clock.now()

    def sleep(seconds: float) -> None:
        # At least the clock's resolution: a sleep that moved no time would let a waiter
        # whose deadline is less than a microsecond away spin for ever.
        if seconds > 0:
            mock.advance_clock(max(seconds, RESOLUTION))

    async def async_sleep(seconds: float) -> None:
        sleep(seconds)
        await asyncio.sleep(0)  # still a suspension point, as a real sleep is

    def clock() -> float:
        # Seconds since the fixture began, exact to the microsecond (an epoch timestamp as a
        # float would round away the small differences a deadline is made of).
        return (mock.clock.now() - origin).total_seconds()

    with waits.substituted(waits.Waits(sleep, async_sleep, clock)):
        yield
