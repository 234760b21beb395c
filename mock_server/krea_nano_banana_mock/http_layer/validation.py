"""Request validation against the spec's schemas, compiled once.

Two validators per schema: fastjsonschema answers "valid?" in microseconds on the hot path;
jsonschema, the reference implementation, runs only on failure to word the error (through the
SDK's shared wording, imported and compiled at the first rejection, which keeps it off the
server's memory until needed), and its verdict is authoritative. Both check formats with the
same functions, so they cannot disagree about what a `uri` or a `date-time` is.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import fastjsonschema

import krea_nano_banana_spec as spec
from krea_nano_banana_spec.validation import FORMATS, InvalidRequest, SchemaChecker, field_path

__all__ = ["InvalidRequest", "ParameterValidator", "SchemaValidator", "field_path"]


class SchemaValidator:
    """One JSON Schema, compiled once for fast acceptance and detailed rejection."""

    def __init__(self, schema: Mapping[str, Any], root: str = "") -> None:
        self._checker = SchemaChecker(schema, root)
        self._fast = fastjsonschema.compile(
            dict(schema),
            formats=FORMATS,
            use_default=False,  # defaults are applied where the body is read, not as a side effect
        )

    def validate(self, instance: Any) -> None:
        problems = self.problems(instance)
        if problems:
            raise InvalidRequest.joined(problems)

    def problems(self, instance: Any) -> list[InvalidRequest]:
        """Every problem with `instance`, one per field; a valid one costs microseconds."""
        try:
            self._fast(instance)
        except fastjsonschema.JsonSchemaValueException:
            return self._checker.problems(instance)
        return []

    def is_valid(self, instance: Any) -> bool:
        return self._checker.is_valid(instance)


@functools.cache
def request_body(model: str) -> SchemaValidator:
    return SchemaValidator(spec.generation(model).request_schema)


def coerce_query_value(raw: str, schema: Mapping[str, Any]) -> Any:
    # Query strings carry text; the schema says what the text stands for.
    if schema.get("type") == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


class ParameterValidator:
    """The query and header parameters of one operation, as one object schema."""

    def __init__(self, operation_id: str, location: str) -> None:
        params = [p for p in spec.operation(operation_id).parameters() if p["in"] == location]
        self._schemas = {p["name"]: p["schema"] for p in params}
        self._defaults = {
            p["name"]: p["schema"]["default"] for p in params if "default" in p["schema"]
        }
        self._validators = {
            name: SchemaValidator(schema, root=name) for name, schema in self._schemas.items()
        }
        self._lookup = {name.lower(): name for name in self._schemas}
        # Clients send many headers the spec does not list; an unknown query parameter,
        # though, is a typo like `statuss=` and should be said so.
        self._case_insensitive = location == "header"
        self._reject_unknown = location == "query"

    def parse(self, raw: Mapping[str, str]) -> dict[str, Any]:
        """Known parameters, typed and checked, with the spec's defaults filled in."""
        if self._case_insensitive:  # headers arrive lower-cased: look up only the known ones
            raw = {key: raw[key] for key in self._lookup if key in raw}
        values: dict[str, Any] = dict(self._defaults)
        for key, text in raw.items():
            name = self._lookup.get(key.lower()) if self._case_insensitive else key
            if name is None or name not in self._schemas:
                if self._reject_unknown:
                    known = ", ".join(self._schemas)
                    raise InvalidRequest(key or "''", f"unknown query parameter (known: {known})")
                continue
            value = coerce_query_value(text, self._schemas[name])
            self._validators[name].validate(value)
            values[name] = value
        return values


@functools.cache
def parameters(operation_id: str, location: str) -> ParameterValidator:
    return ParameterValidator(operation_id, location)
