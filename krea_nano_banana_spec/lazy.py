"""Lazy package exports (PEP 562): a package lists its public names, and each is imported from
its module on first use. It keeps what a process loads to what it uses: the mock server, for
one, starts without the SDK client, respx or jsonschema."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(
    package: str, names: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """`__all__`, `__getattr__` and `__dir__` for a package whose public names map to modules."""

    def getattr_(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(names[name]), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(names))

    return sorted(names, key=lambda name: (not name.isupper(), name)), getattr_, dir_
