"""The seam through which test tools put virtual time under SDK waits: context-local, restored
exactly, and provided by the mock without the SDK (krea_nano_banana_spec.waits)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

from krea_nano_banana_spec import waits


def _virtual(label: float) -> waits.Waits:
    async def async_sleep(seconds: float) -> None:
        return None

    return waits.Waits(lambda seconds: None, async_sleep, lambda: label)


def test_nested_substitutions_are_undone_in_order_even_when_equal() -> None:
    outer, inner = _virtual(1.0), _virtual(2.0)
    same_as_outer = waits.Waits(outer.sleep, outer.async_sleep, outer.clock)
    assert same_as_outer == outer  # equal, yet a different substitution
    with waits.substituted(outer):
        with waits.substituted(same_as_outer):
            with waits.substituted(inner):
                assert waits.current() is inner
            assert waits.current() is same_as_outer
        assert waits.current() is outer
    assert waits.current() is waits.REAL_TIME


def test_a_substitution_holds_in_its_own_context_only() -> None:
    seen: list[waits.Waits] = []
    with waits.substituted(_virtual(1.0)) as virtual:
        worker = threading.Thread(target=lambda: seen.append(waits.current()))
        worker.start()
        worker.join()
        assert waits.current() is virtual
    assert seen == [waits.REAL_TIME]  # a thread of its own starts in a fresh context


def test_concurrent_tasks_each_wait_in_their_own_time() -> None:
    entered: list[float] = []
    everyone_in = asyncio.Event()

    async def task(label: float) -> float:
        with waits.substituted(_virtual(label)):
            entered.append(label)
            if len(entered) == 2:
                everyone_in.set()
            await everyone_in.wait()  # both substitutions are in effect from here on
            seen = waits.current().clock()
            await asyncio.sleep(0)  # neither leaves before both have read
            return seen

    async def both() -> list[float]:
        return list(await asyncio.gather(task(1.0), task(2.0)))

    assert asyncio.run(both()) == [1.0, 2.0]
    assert waits.current() is waits.REAL_TIME


HIDE_THE_SDK = """
import importlib.abc, sys

class NoSdk(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "krea_nano_banana" or name.startswith("krea_nano_banana."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoSdk())
from krea_nano_banana_mock import KreaMock
from krea_nano_banana_mock.testing.virtual_time import sdk_waits_on
from krea_nano_banana_spec import waits

with KreaMock(now="2026-06-01") as mock, sdk_waits_on(mock):
    before = mock.clock.now()
    waits.current().sleep(3)
    moved = (mock.clock.now() - before).total_seconds()
assert "krea_nano_banana" not in sys.modules
print(moved)
"""


@pytest.mark.slow
def test_the_mock_puts_virtual_time_in_place_without_the_sdk() -> None:
    result = subprocess.run(
        [sys.executable, "-c", HIDE_THE_SDK], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3.0"
