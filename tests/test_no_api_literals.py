"""Everything that describes the API comes from openapi.yaml: no string literal in the SDK, the
mock or the contract suite spells an enum value, a job status, a request field, an
operationId, a header parameter or a path of the API, except where ALLOWED says why.

A new literal fails here, naming its file, its line and what it is in the spec. Tests, examples
and generated/ are not scanned: they may state what they check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import krea_nano_banana_spec as spec

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("krea_nano_banana_spec", "krea_nano_banana", "mock_server", "contract_tests")

# (file, literal): why it may stay.
ALLOWED: dict[tuple[str, str], str] = {
    ("krea_nano_banana_spec/__init__.py", "prompt"): "a role name of x-request-roles (Role.PROMPT)",
    ("krea_nano_banana_spec/__init__.py", "width"): "a role name of x-request-roles (Role.WIDTH)",
    ("krea_nano_banana_spec/__init__.py", "height"): "a role name of x-request-roles (Role.HEIGHT)",
    ("krea_nano_banana_spec/__init__.py", "aspect_ratio"): "a role name (Role.ASPECT_RATIO)",
    ("krea_nano_banana/cli.py", "width"): "a saved file's pixel width in --json output",
    ("krea_nano_banana/cli.py", "height"): "a saved file's pixel height in --json output",
    ("mock_server/krea_nano_banana_mock/core/webhooks.py", "url"): "a webhook log entry's URL",
}


def _request_fields(schema: Mapping[str, Any], found: dict[str, str], owner: str) -> None:
    for name, sub in schema.get("properties", {}).items():
        found.setdefault(name, f"a request field of {owner}")
        _request_fields(sub, found, owner)
        _request_fields(sub.get("items", {}), found, owner)


def api_words() -> dict[str, str]:
    """Each word the spec defines, and what it is there."""
    found: dict[str, str] = {}
    for status in spec.enum_values("JobStatus"):
        found[status] = "a job status"
    for name, schema in spec.document()["components"]["schemas"].items():
        for value in schema.get("enum", []):
            found.setdefault(str(value), f"an enum value of {name}")
    for model in spec.generations():
        _request_fields(model.request_schema, found, model.request_schema_name)
        for alias in model.aliases:
            found.setdefault(alias.alias, "a deprecated alias")
    for operation in spec.operations().values():
        found[operation.operation_id] = "an operationId"
        found[operation.path] = "an API path"
        for parameter in operation.parameters():
            if parameter["in"] == "header":
                found[parameter["name"]] = "a header parameter"
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def found_literals() -> dict[tuple[str, str], list[int]]:
    words = api_words()
    found: dict[tuple[str, str], list[int]] = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for line, text in literals(path):
                if text in words:
                    found.setdefault((relative, text), []).append(line)
    return found


def test_no_new_literal_of_the_api_outside_the_allow_list() -> None:
    words = api_words()
    unexpected = [
        f"{file}:{lines[0]}: {text!r} is {words[text]} in openapi.yaml: read it from the spec"
        for (file, text), lines in found_literals().items()
        if (file, text) not in ALLOWED
    ]
    assert unexpected == [], "\n".join(unexpected)


def test_every_allow_list_entry_is_still_needed_and_says_why() -> None:
    found = found_literals()
    stale = [entry for entry in ALLOWED if entry not in found]
    assert stale == [], f"no longer needed: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_scan_finds_a_planted_literal(tmp_path: Path) -> None:
    # The check must be able to fail: a status written as a literal is found, a docstring not.
    planted = tmp_path / "planted.py"
    planted.write_text('"""completed"""\nSTATUS = "completed"\nf"{x}/jobs"\n')
    assert [text for _, text in literals(planted)] == ["completed", "/jobs"]
