"""A stateful mock of Krea's Nano Banana API family, driven by openapi.yaml.

Two doors into one mock: `KreaMock` (respx, in-process) and `AsgiApp` (real HTTP, served by
`krea-mock-server`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from krea_nano_banana_mock.core.dependencies import MISSING_EXTRA
from krea_nano_banana_spec.lazy import exports as _exports

if TYPE_CHECKING:
    from krea_nano_banana_mock.core.clock import (
        ManualClock as ManualClock,
    )
    from krea_nano_banana_mock.core.clock import (
        SystemClock as SystemClock,
    )
    from krea_nano_banana_mock.core.lifecycle import (
        Outcome as Outcome,
    )
    from krea_nano_banana_mock.core.lifecycle import (
        Progression as Progression,
    )
    from krea_nano_banana_mock.core.webhooks import (
        Attempt as Attempt,
    )
    from krea_nano_banana_mock.core.webhooks import (
        DeliveryPolicy as DeliveryPolicy,
    )
    from krea_nano_banana_mock.http_layer.app import (
        AsgiApp as AsgiApp,
    )
    from krea_nano_banana_mock.http_layer.assembly import (
        DEFAULT_BASE_URL as DEFAULT_BASE_URL,
    )
    from krea_nano_banana_mock.http_layer.assembly import (
        MockOptions as MockOptions,
    )
    from krea_nano_banana_mock.http_layer.assembly import (
        build as build,
    )
    from krea_nano_banana_mock.http_layer.dispatcher import (
        Dispatcher as Dispatcher,
    )
    from krea_nano_banana_mock.testing.krea_mock import (
        KreaMock as KreaMock,
    )

# Loaded on first use: the mock server imports only what serving needs, which keeps its
# memory and start-up small (see docs/benchmarks.md).
_EXPORTS = {
    "DEFAULT_BASE_URL": "krea_nano_banana_mock.http_layer.assembly",
    "AsgiApp": "krea_nano_banana_mock.http_layer.app",
    "Attempt": "krea_nano_banana_mock.core.webhooks",
    "KreaMock": "krea_nano_banana_mock.testing.krea_mock",
    "ManualClock": "krea_nano_banana_mock.core.clock",
    "Dispatcher": "krea_nano_banana_mock.http_layer.dispatcher",
    "MockOptions": "krea_nano_banana_mock.http_layer.assembly",
    "Outcome": "krea_nano_banana_mock.core.lifecycle",
    "Progression": "krea_nano_banana_mock.core.lifecycle",
    "DeliveryPolicy": "krea_nano_banana_mock.core.webhooks",
    "SystemClock": "krea_nano_banana_mock.core.clock",
    "build": "krea_nano_banana_mock.http_layer.assembly",
}
__all__, _getattr, __dir__ = _exports(__name__, _EXPORTS, globals())


def __getattr__(name: str) -> object:
    if MISSING_EXTRA is not None and name in _EXPORTS:
        raise ImportError(MISSING_EXTRA)
    return _getattr(name)
