"""Request bodies drawn from openapi.yaml: valid ones, and invalid ones built from its constraints.

Valid bodies come from Schemathesis's generator for each generation operation. Invalid ones start
from a valid body and break exactly one rule the spec states (a type, an enum, a length, a
range, a format, a required field, no unknown fields), remembering which field they broke, so
a property can check that the server's error names it.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

import krea_nano_banana_spec as spec
from krea_nano_banana_spec.validation import field_path

Path = tuple[str | int, ...]
MISSING = object()


MODELS = spec.available_models()
PROMPT_TEXT = "A lighthouse on a basalt cliff at dusk"


@functools.cache
def _schema() -> Any:
    # The normalised document, as every reader sees it (a copy: Schemathesis keeps it).
    return schemathesis.openapi.from_dict(json.loads(spec.document_json()))


def valid_bodies(model: str) -> st.SearchStrategy[dict[str, Any]]:
    operation = spec.generation(model)
    endpoint = _schema()[operation.path][operation.operation.method]
    cases: st.SearchStrategy[Any] = endpoint.as_strategy(generation_mode=GenerationMode.POSITIVE)
    bodies: st.SearchStrategy[dict[str, Any]] = cases.map(lambda case: case.body)
    return bodies


@dataclass(frozen=True)
class Violation:
    """One broken rule: at `path`, put what `bad_value` draws (or delete the key)."""

    path: Path
    rule: str
    bad_value: st.SearchStrategy[Any]

    @property
    def field(self) -> str:
        return field_path("", self.path)

    @property
    def leaf(self) -> str:
        return str([p for p in self.path if isinstance(p, str)][-1])


WRONG_TYPE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "string": st.one_of(st.integers(), st.booleans(), st.lists(st.text(), max_size=2)),
    "number": st.one_of(st.text(max_size=5), st.booleans(), st.none()),
    "integer": st.one_of(st.text(max_size=5), st.booleans(), st.floats(0.5, 0.9)),
    "array": st.one_of(
        st.text(max_size=5), st.integers(), st.dictionaries(st.text(), st.integers(), max_size=1)
    ),
    "object": st.one_of(st.text(max_size=5), st.integers(), st.lists(st.integers(), max_size=1)),
}


def _rules_of(schema: dict[str, Any], path: Path, aliases: frozenset[str]) -> list[Violation]:
    found: list[Violation] = []
    kind = spec.value_type(schema)
    if isinstance(kind, str) and kind in WRONG_TYPE_VALUES:
        wrong = WRONG_TYPE_VALUES[kind]
        if isinstance(schema.get("type"), list) and "null" in schema["type"]:
            wrong = wrong.filter(lambda value: value is not None)  # null is allowed here
        found.append(Violation(path, f"not {kind}", wrong))
    if "enum" in schema:
        known = set(schema["enum"])
        found.append(
            Violation(
                path,
                "not in enum",
                st.text(min_size=1, max_size=6).filter(lambda t: t not in known),
            )
        )
    if "minLength" in schema:
        found.append(Violation(path, "too short", st.text(max_size=schema["minLength"] - 1)))
    if "minimum" in schema:
        low = schema["minimum"]
        found.append(Violation(path, "below minimum", st.floats(low - 1e6, low, exclude_max=True)))
    if "exclusiveMinimum" in schema:
        low = schema["exclusiveMinimum"]
        found.append(Violation(path, "not above minimum", st.floats(low - 1e6, low)))
    if "maximum" in schema:
        high = schema["maximum"]
        found.append(
            Violation(path, "above maximum", st.floats(high, high + 1e6, exclude_min=True))
        )
    if schema.get("format") == "uri":
        found.append(Violation(path, "not a uri", st.sampled_from(["not a uri", "://x", "x y z"])))
    if kind == "object":
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            found.extend(_rules_of(sub, (*path, name), aliases))
        for name in schema.get("required", []):
            found.append(Violation((*path, name), "required", st.just(MISSING)))
        if schema.get("additionalProperties") is False:
            unknown = st.from_regex(r"\A[a-z][a-z_]{2,10}\Z").filter(
                lambda n: n not in properties and n not in aliases
            )
            found.append(Violation(path, "unknown field", unknown.map(lambda n: (n, 1))))
    if kind == "array" and isinstance(schema.get("items"), dict):
        found.extend(_rules_of(schema["items"], (*path, 0), aliases))
    return found


@functools.cache
def violations(model: str) -> tuple[Violation, ...]:
    operation = spec.generation(model)
    aliases = frozenset(a.alias for a in operation.aliases)
    found = _rules_of(dict(operation.request_schema), (), aliases)
    # The root's own type is the transport's business (a non-object body), not a field's.
    return tuple(v for v in found if v.path or v.rule == "unknown field")


def _item_schema(model: str, path: Path) -> dict[str, Any]:
    node: dict[str, Any] = dict(spec.generation(model).request_schema)
    for part in path:
        node = node["items"] if isinstance(part, int) else node["properties"][part]
    return node


def minimal_value(schema: Mapping[str, Any]) -> Any:
    """A small valid value of a schema: its required fields only, its first enum value, ..."""
    if spec.value_type(schema) == "object":
        return {
            name: minimal_value(schema["properties"][name]) for name in schema.get("required", [])
        }
    if spec.value_type(schema) == "array":
        return [minimal_value(schema.get("items", {}))]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    if schema.get("format") == "uri":
        return "https://example.com/a.png"
    if spec.value_type(schema) in ("number", "integer"):
        if "minimum" in schema:
            return schema["minimum"]
        return schema.get("exclusiveMinimum", -1) + 1
    return "x" * max(schema.get("minLength", 1), 1)


def minimal_body(model: str | None = None) -> dict[str, Any]:
    """A valid request to `model`: its required fields, and a real prompt where it has one."""
    operation = spec.generation(model)
    body: dict[str, Any] = minimal_value(operation.request_schema)
    prompt = operation.field(spec.Role.PROMPT)
    if prompt is not None:
        body[prompt] = PROMPT_TEXT
    return body


def webhook_header(model: str | None = None) -> str | None:
    return spec.generation(model).header(spec.Role.WEBHOOK_URL)


def _descend(model: str, body: Any, path: Path) -> Any:
    """The node at `path`, creating minimal valid containers on the way."""
    node = body
    for depth, part in enumerate(path):
        schema = _item_schema(model, path[: depth + 1])
        if isinstance(part, int):
            while len(node) <= part:
                node.append(minimal_value(schema))
        else:
            wanted = list if spec.value_type(schema) == "array" else dict
            if not isinstance(node.get(part), wanted):
                node[part] = [] if wanted is list else minimal_value(schema)
        node = node[part]
    return node


def _apply(model: str, body: dict[str, Any], violation: Violation, bad: Any) -> dict[str, Any]:
    if violation.rule == "unknown field":
        name, value = bad
        _descend(model, body, violation.path)[name] = value
        return body
    if isinstance(violation.path[-1], int):
        _descend(model, body, violation.path)  # the item must exist before it can be replaced
    parent = _descend(model, body, violation.path[:-1])
    if bad is MISSING:
        parent.pop(violation.path[-1], None)
    else:
        parent[violation.path[-1]] = bad
    return body


@dataclass(frozen=True)
class InvalidBody:
    model: str
    body: dict[str, Any]
    violation: Violation
    unknown_name: str | None  # the made-up field, for "unknown field"

    @property
    def field(self) -> str:
        """The field the server's error must name."""
        if self.unknown_name is not None:
            return field_path("", (*self.violation.path, self.unknown_name))
        return self.violation.field

    @property
    def leaf(self) -> str:
        return self.unknown_name if self.unknown_name is not None else self.violation.leaf


@st.composite
def invalid_bodies(draw: Callable[[st.SearchStrategy[Any]], Any], model: str) -> InvalidBody:
    violation = draw(st.sampled_from(violations(model)))
    body = copy.deepcopy(draw(valid_bodies(model)))
    bad = draw(violation.bad_value)
    broken = _apply(model, body, violation, bad)
    unknown = bad[0] if violation.rule == "unknown field" else None
    return InvalidBody(model, broken, violation, unknown)
