"""A stateful mock of Krea's Nano Banana 2 API, driven by openapi.yaml.

Two doors into one mock: `KreaMock` (respx, in-process) and `AsgiApp` (real HTTP, served by
`krea-mock-server`).
"""

from mock_server.app import AsgiApp
from mock_server.assembly import DEFAULT_BASE_URL, MockOptions, build
from mock_server.clock import ManualClock, SystemClock
from mock_server.handlers import MockApi
from mock_server.lifecycle import Outcome, Progression
from mock_server.router import KreaMock
from mock_server.webhooks import Attempt, RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "AsgiApp",
    "Attempt",
    "KreaMock",
    "ManualClock",
    "MockApi",
    "MockOptions",
    "Outcome",
    "Progression",
    "RetryPolicy",
    "SystemClock",
    "build",
]
