"""A real browser for tests: Debian's Chromium driven by Playwright, never a downloaded one.

In CI (CI=true) a test that needs the browser and finds none fails, so the browser tests can
never pass by being skipped; elsewhere it is skipped with the reason and the way to install.
"""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# Quiet and self-contained: no sandbox (containers), no GPU, no calls home.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL = "apt-get install chromium, and pip install playwright (the test extra)"


def executable() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def unavailable(reason: str) -> NoReturn:
    message = f"{reason}: {INSTALL}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests need a browser in CI; {message}")
    pytest.skip(message)
