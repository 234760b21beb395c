"""Request validation against the spec's schemas, compiled once.

Two validators per schema: fastjsonschema answers "valid?" in microseconds on the hot path;
jsonschema, the reference implementation, runs only on failure to word the error (it is
imported and compiled at the first rejection, which keeps it off the server's memory until
needed), and its verdict is authoritative. Both check formats with the same functions, the
ones jsonschema itself uses, so they cannot disagree about what a `uri` or a `date-time` is.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import fastjsonschema
from rfc3339_validator import validate_rfc3339
from rfc3986_validator import validate_rfc3986

from krea_nano_banana import spec

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError


def is_uri(value: Any) -> bool:
    return not isinstance(value, str) or bool(validate_rfc3986(value, rule="URI"))


def is_date_time(value: Any) -> bool:
    return not isinstance(value, str) or bool(validate_rfc3339(value.upper()))


def is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return all(value[i] == "-" for i in (8, 13, 18, 23)) and bool(uuid.UUID(value))
    except (ValueError, IndexError):
        return False


FORMATS: dict[str, Callable[[Any], bool]] = {
    "uri": is_uri,
    "date-time": is_date_time,
    "uuid": is_uuid,
}


@functools.cache
def format_checker() -> jsonschema.FormatChecker:
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name)(check)
    return checker


class InvalidRequest(Exception):
    """The request breaks the spec; `field` is the JSON path or parameter that is wrong."""

    def __init__(self, field: str, reason: str, others: tuple[InvalidRequest, ...] = ()) -> None:
        super().__init__("; ".join([f"{field}: {reason}", *(str(o) for o in others)]))
        self.field = field
        self.reason = reason
        self.others = others

    @classmethod
    def joined(cls, problems: list[InvalidRequest]) -> InvalidRequest:
        first, *rest = problems
        return cls(first.field, first.reason, tuple(rest))


def field_path(root: str, path: Iterable[str | int]) -> str:
    """`style_images`, 0, `strength` -> `style_images[0].strength`."""
    text = root
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text = f"{text}.{part}" if text else part
    return text or "body"


def describe(error: ValidationError, root: str = "") -> InvalidRequest:
    path = list(error.absolute_path)
    if (
        error.validator == "additionalProperties"
        and isinstance(error.instance, dict)
        and isinstance(error.schema, Mapping)
    ):
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(key for key in error.instance if key not in allowed)
        return InvalidRequest(field_path(root, [*path, unknown[0]]), "unknown field")
    if error.validator == "required" and isinstance(error.validator_value, list):
        present = error.instance if isinstance(error.instance, dict) else {}
        missing = [name for name in error.validator_value if name not in present]
        return InvalidRequest(field_path(root, [*path, missing[0]]), "required field is missing")
    return InvalidRequest(field_path(root, path), error.message)


class SchemaValidator:
    """One JSON Schema, compiled once for fast acceptance and detailed rejection."""

    def __init__(self, schema: Mapping[str, Any], root: str = "") -> None:
        self._root = root
        self._schema = schema
        self._fast = fastjsonschema.compile(
            dict(schema),
            formats=FORMATS,
            use_default=False,  # defaults are applied where the body is read, not as a side effect
        )

    @functools.cached_property
    def _detailed(self) -> jsonschema.Draft202012Validator:
        import jsonschema

        return jsonschema.Draft202012Validator(self._schema, format_checker=format_checker())

    def validate(self, instance: Any) -> None:
        try:
            self._fast(instance)
        except fastjsonschema.JsonSchemaValueException:
            problems = self.problems(instance)
            if problems:
                raise InvalidRequest.joined(problems) from None

    def problems(self, instance: Any) -> list[InvalidRequest]:
        """Every problem with `instance`, most relevant first, one per field."""
        from jsonschema.exceptions import relevance

        errors = sorted(self._detailed.iter_errors(instance), key=relevance)
        found: dict[str, InvalidRequest] = {}
        for error in errors:
            problem = describe(error, self._root)
            found.setdefault(problem.field, problem)
        return list(found.values())

    def is_valid(self, instance: Any) -> bool:
        return bool(self._detailed.is_valid(instance))


@functools.cache
def request_body() -> SchemaValidator:
    return SchemaValidator(spec.request_body_schema())


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
