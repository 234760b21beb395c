"""The pytest plugin: a `krea_mock` fixture, configured with `@pytest.mark.krea_mock(...)`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from krea_nano_banana_mock.router import KreaMock


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "krea_mock(**options): options for the krea_mock fixture, as for KreaMock",
    )


@pytest.fixture
def krea_mock(request: pytest.FixtureRequest) -> Iterator[KreaMock]:
    """A started in-process mock of the Krea API at https://api.krea.ai."""
    from krea_nano_banana_mock.router import KreaMock

    marker = request.node.get_closest_marker("krea_mock")
    with KreaMock(**(marker.kwargs if marker else {})) as mock:
        yield mock
