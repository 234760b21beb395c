"""The pytest plugin: a `krea_mock` fixture, configured with `@pytest.mark.krea_mock(...)`.

The fixture makes tests of application code self-contained and instant: every SDK client the
test builds, anywhere, reaches the mock (its base URL and a token are in the environment for
the test), and SDK waits move the mock's clock instead of sleeping. `real_time=True` in the
marker keeps real sleeping for a test that needs it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from krea_nano_banana_mock.testing.krea_mock import KreaMock

# The token SDK clients get inside a test; any token is one tenant of the mock.
FIXTURE_TOKEN = "krea-mock-token"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "krea_mock(real_time=False, **options): options for the krea_mock fixture, as for"
        " KreaMock; real_time=True lets SDK waits sleep for real",
    )


@pytest.fixture
def krea_mock(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KreaMock]:
    """A started in-process mock of the Krea API at https://api.krea.ai."""
    from krea_nano_banana_mock.testing.krea_mock import KreaMock
    from krea_nano_banana_mock.testing.virtual_time import sdk_waits_on

    marker = request.node.get_closest_marker("krea_mock")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    real_time = bool(options.pop("real_time", False))
    with KreaMock(**options) as mock, contextlib.ExitStack() as stack:
        monkeypatch.setenv("KREA_BASE_URL", mock.base_url)
        monkeypatch.setenv("KREA_API_TOKEN", FIXTURE_TOKEN)
        if not real_time:
            stack.enter_context(sdk_waits_on(mock))
        yield mock
