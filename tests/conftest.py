from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from krea_nano_banana_contract import profiles
from krea_nano_banana_mock import KreaMock

from tests.helpers import Api

profiles.load()

ApiFactory = Callable[..., Api]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first, the others in their order: spread over workers (pytest-xdist,
    a file at a time), the files of the long ones then start first, not one of them last when
    all else is done. A `slow` marker may say roughly how long its test takes:
    `slow(seconds=40)`."""

    def expected_seconds(item: pytest.Item) -> float:
        marker = item.get_closest_marker("slow")
        return 0.0 if marker is None else float(marker.kwargs.get("seconds", 1))

    items.sort(key=expected_seconds, reverse=True)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def connect() -> Iterator[ApiFactory]:
    """Makes `Api` clients (same arguments as `Api`) and closes them all after the test."""
    made: list[Api] = []

    def make(*args: Any, **kwargs: Any) -> Api:
        made.append(Api(*args, **kwargs))
        return made[-1]

    yield make
    for api in made:
        api.close()


@pytest.fixture
def api(krea_mock: KreaMock, connect: ApiFactory) -> Api:
    return connect(krea_mock.transport())


@pytest.fixture
def other_api(krea_mock: KreaMock, connect: ApiFactory) -> Api:
    return connect(krea_mock.transport(), token="token-b")
