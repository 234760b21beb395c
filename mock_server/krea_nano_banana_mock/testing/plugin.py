"""The pytest plugin: a `krea_mock` fixture, configured with `@pytest.mark.krea_mock(...)`.

The fixture makes tests of application code self-contained and instant: every SDK client the
test builds, anywhere, reaches the mock (its base URL and a token are in the environment for
the test), and SDK waits move the mock's clock instead of sleeping. `real_time=True` in the
marker keeps real sleeping for a test that needs it; `pass_through=["host", "*.internal"]`
lets the application reach those hosts for real. When a test that used the fixture fails, its
report has a section with the mock's journal, as pytest shows captured logs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from krea_nano_banana_mock.testing.krea_mock import KreaMock

# The token SDK clients get inside a test; any token is one tenant of the mock.
FIXTURE_TOKEN = "krea-mock-token"
JOURNAL_SECTION = "krea_mock journal"
_mock_of_test = pytest.StashKey["KreaMock"]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "krea_mock(real_time=False, pass_through=(), **options): options for the krea_mock"
        " fixture, as for KreaMock; real_time=True lets SDK waits sleep for real;"
        " pass_through: hosts (globs) the test may reach for real",
    )


@pytest.fixture
def krea_mock(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KreaMock]:
    """A started in-process mock of the Krea API at https://api.krea.ai."""
    from krea_nano_banana_mock.core.dependencies import MISSING_EXTRA

    if MISSING_EXTRA is not None:
        pytest.fail(f"the krea_mock fixture: {MISSING_EXTRA}", pytrace=False)
    from krea_nano_banana_mock.testing.krea_mock import KreaMock
    from krea_nano_banana_mock.testing.virtual_time import sdk_waits_on

    marker = request.node.get_closest_marker("krea_mock")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    real_time = bool(options.pop("real_time", False))
    with KreaMock(**options) as mock, contextlib.ExitStack() as stack:
        request.node.stash[_mock_of_test] = mock
        monkeypatch.setenv("KREA_BASE_URL", mock.base_url)
        monkeypatch.setenv("KREA_API_TOKEN", FIXTURE_TOKEN)
        if not real_time:
            stack.enter_context(sdk_waits_on(mock))
        yield mock


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    mock = item.stash.get(_mock_of_test, None)
    if mock is not None and report.failed:
        from krea_nano_banana_mock.testing.journal_report import journal_report

        report.sections.append(
            (f"Captured {JOURNAL_SECTION} {report.when}", journal_report(mock.journal))
        )
    return report
