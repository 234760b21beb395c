"""What makes openapi.yaml unfit to generate from, found before the generator runs.

openapi-python-client skips what it cannot resolve and carries on: a mistyped `$ref` drops the
operations that use it (their modules vanish), and an enum whose `x-enum-varnames` does not
match its values silently gets members named `VALUE_0`, `VALUE_1`, ... (every member renamed).
Both are refused here, each naming the place in the document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def place(path: tuple[str | int, ...]) -> str:
    """`("paths", "/jobs", "get", "parameters", 0)` -> `paths./jobs.get.parameters[0]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(the document's root)"


Path = tuple[str | int, ...]


def walk(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


def unresolved(document: Mapping[str, Any], ref: str) -> str | None:
    """Why `ref` does not point at anything in `document`, or None if it does."""
    if not ref.startswith("#/"):
        return "only references inside the document (#/...) are supported"
    node: Any = document
    walked: list[str] = []
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            where = "/".join(walked) or "the document"
            return f"{where} has no {part!r}"
        node = node[part]
        walked.append(raw)
    return None


def unnamed(values: list[Any], names: list[Any]) -> str:
    extra = values[len(names) :]
    return f": no name for {', '.join(repr(v) for v in extra)}" if extra else ""


def problems(document: Mapping[str, Any]) -> list[str]:
    """Every reason not to generate from `document`, one line each, naming its place."""
    found = []
    for path, node in walk(document):
        if not isinstance(node, Mapping):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and (why := unresolved(document, ref)) is not None:
            found.append(f"{place(path)}: $ref {ref!r} points at nothing ({why})")
        names = node.get("x-enum-varnames")
        values = node.get("enum")
        if isinstance(names, list) and isinstance(values, list) and len(names) != len(values):
            found.append(
                f"{place(path)}: {len(values)} enum values but {len(names)} x-enum-varnames "
                f"(one name per value, in order; without them the generator renames every "
                f"member){unnamed(values, names)}"
            )
    return found
