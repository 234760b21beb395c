from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from krea_nano_banana_contract import profiles
from krea_nano_banana_mock import KreaMock

from tests.helpers import CheckedClient

profiles.load()

ClientFactory = Callable[..., CheckedClient]


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
def connect() -> Iterator[ClientFactory]:
    """Makes `CheckedClient`s (its arguments) and closes them all after the test."""
    made: list[CheckedClient] = []

    def make(*args: Any, **kwargs: Any) -> CheckedClient:
        made.append(CheckedClient(*args, **kwargs))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(krea_mock: KreaMock, connect: ClientFactory) -> CheckedClient:
    return connect(krea_mock.transport())


@pytest.fixture
def other_client(krea_mock: KreaMock, connect: ClientFactory) -> CheckedClient:
    return connect(krea_mock.transport(), token="token-b")
