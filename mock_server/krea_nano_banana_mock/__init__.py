"""A stateful mock of Krea's Nano Banana API family, driven by openapi.yaml.

Two doors into one mock: `KreaMock` (respx, in-process) and `AsgiApp` (real HTTP, served by
`krea-mock-server`).
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from krea_nano_banana_spec.lazy import exports as _exports

# The mock's dependencies come with the `mock` extra. Without them the package still imports,
# because every install registers the pytest plugin and a user who installed only the SDK must
# be able to run pytest; what needs the mock says which extra to install instead.
_MISSING = [
    distribution
    for module, distribution in (
        ("orjson", "orjson"),
        ("fastjsonschema", "fastjsonschema"),
        ("respx", "respx"),
        ("uvicorn", "uvicorn"),
        ("PIL", "pillow"),
    )
    if importlib.util.find_spec(module) is None
]
MISSING_EXTRA = (
    f"the mock needs {', '.join(_MISSING)}: pip install 'krea-nano-banana[mock]'"
    if _MISSING
    else None
)

if TYPE_CHECKING:
    from krea_nano_banana_mock.api import (
        MockApi as MockApi,
    )
    from krea_nano_banana_mock.app import (
        AsgiApp as AsgiApp,
    )
    from krea_nano_banana_mock.assembly import (
        DEFAULT_BASE_URL as DEFAULT_BASE_URL,
    )
    from krea_nano_banana_mock.assembly import (
        MockOptions as MockOptions,
    )
    from krea_nano_banana_mock.assembly import (
        build as build,
    )
    from krea_nano_banana_mock.clock import (
        ManualClock as ManualClock,
    )
    from krea_nano_banana_mock.clock import (
        SystemClock as SystemClock,
    )
    from krea_nano_banana_mock.lifecycle import (
        Outcome as Outcome,
    )
    from krea_nano_banana_mock.lifecycle import (
        Progression as Progression,
    )
    from krea_nano_banana_mock.router import (
        KreaMock as KreaMock,
    )
    from krea_nano_banana_mock.webhooks import (
        Attempt as Attempt,
    )
    from krea_nano_banana_mock.webhooks import (
        DeliveryPolicy as DeliveryPolicy,
    )

# Loaded on first use: the mock server imports only what serving needs, which keeps its
# memory and start-up small (see docs/benchmarks.md).
_EXPORTS = {
    "DEFAULT_BASE_URL": "krea_nano_banana_mock.assembly",
    "AsgiApp": "krea_nano_banana_mock.app",
    "Attempt": "krea_nano_banana_mock.webhooks",
    "KreaMock": "krea_nano_banana_mock.router",
    "ManualClock": "krea_nano_banana_mock.clock",
    "MockApi": "krea_nano_banana_mock.api",
    "MockOptions": "krea_nano_banana_mock.assembly",
    "Outcome": "krea_nano_banana_mock.lifecycle",
    "Progression": "krea_nano_banana_mock.lifecycle",
    "DeliveryPolicy": "krea_nano_banana_mock.webhooks",
    "SystemClock": "krea_nano_banana_mock.clock",
    "build": "krea_nano_banana_mock.assembly",
}
__all__, _getattr, __dir__ = _exports(__name__, _EXPORTS, globals())


def __getattr__(name: str) -> object:
    if MISSING_EXTRA is not None and name in _EXPORTS:
        raise ImportError(MISSING_EXTRA)
    return _getattr(name)
