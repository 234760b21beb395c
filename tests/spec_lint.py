"""Checks on openapi.yaml that a general OpenAPI validator does not make."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def references(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def security_scheme_names(document: Mapping[str, Any]) -> set[str]:
    requirements = list(document.get("security", []))
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, Mapping):
                requirements.extend(operation.get("security", []))
    return {name for requirement in requirements for name in requirement}


def unused_components(document: Mapping[str, Any]) -> list[str]:
    """`#/components/<kind>/<name>` of every component nothing refers to."""
    used = set(references(document))
    used |= {f"#/components/securitySchemes/{n}" for n in security_scheme_names(document)}
    declared = [
        f"#/components/{kind}/{name}"
        for kind, entries in document.get("components", {}).items()
        for name in entries
    ]
    return [pointer for pointer in declared if pointer not in used]
