"""A stateful mock of Krea's Nano Banana API family, driven by openapi.yaml.

Two doors into one mock: `KreaMock` (respx, in-process) and `AsgiApp` (real HTTP, served by
`krea-mock-server`).
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from krea_nano_banana_spec.lazy import exports as _exports

# The mock's dependencies come with the `mock` extra; without them, say so once, here.
_MISSING = [name for name in ("orjson", "fastjsonschema") if importlib.util.find_spec(name) is None]
if _MISSING:
    raise ImportError(f"the mock needs {', '.join(_MISSING)}: pip install 'krea-nano-banana[mock]'")

if TYPE_CHECKING:
    from mock_server.api import (
        MockApi as MockApi,
    )
    from mock_server.app import (
        AsgiApp as AsgiApp,
    )
    from mock_server.assembly import (
        DEFAULT_BASE_URL as DEFAULT_BASE_URL,
    )
    from mock_server.assembly import (
        MockOptions as MockOptions,
    )
    from mock_server.assembly import (
        build as build,
    )
    from mock_server.clock import (
        ManualClock as ManualClock,
    )
    from mock_server.clock import (
        SystemClock as SystemClock,
    )
    from mock_server.lifecycle import (
        Outcome as Outcome,
    )
    from mock_server.lifecycle import (
        Progression as Progression,
    )
    from mock_server.router import (
        KreaMock as KreaMock,
    )
    from mock_server.webhooks import (
        Attempt as Attempt,
    )
    from mock_server.webhooks import (
        DeliveryPolicy as DeliveryPolicy,
    )

# Loaded on first use: the mock server imports only what serving needs, which keeps its
# memory and start-up small (see docs/benchmarks.md).
_EXPORTS = {
    "DEFAULT_BASE_URL": "mock_server.assembly",
    "AsgiApp": "mock_server.app",
    "Attempt": "mock_server.webhooks",
    "KreaMock": "mock_server.router",
    "ManualClock": "mock_server.clock",
    "MockApi": "mock_server.api",
    "MockOptions": "mock_server.assembly",
    "Outcome": "mock_server.lifecycle",
    "Progression": "mock_server.lifecycle",
    "DeliveryPolicy": "mock_server.webhooks",
    "SystemClock": "mock_server.clock",
    "build": "mock_server.assembly",
}
__all__, __getattr__, __dir__ = _exports(__name__, _EXPORTS, globals())
