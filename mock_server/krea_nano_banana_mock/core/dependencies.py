"""Whether the mock's libraries (the `mock` extra) are installed, found without importing them.

Every install registers the mock's pytest plugin, and a user who installed only the SDK must
still be able to run pytest: so the package imports without them, and what needs them (the
fixture, `krea-mock-server`, the package's public names) says in one line which extra to
install.
"""

from __future__ import annotations

import importlib.util

# (module imported, distribution to install)
_LIBRARIES = (
    ("orjson", "orjson"),
    ("fastjsonschema", "fastjsonschema"),
    ("respx", "respx"),
    ("uvicorn", "uvicorn"),
    ("PIL", "pillow"),
)
_MISSING = [dist for module, dist in _LIBRARIES if importlib.util.find_spec(module) is None]

MISSING_EXTRA = (
    f"the mock needs {', '.join(_MISSING)}: pip install 'krea-nano-banana[mock]'"
    if _MISSING
    else None
)
