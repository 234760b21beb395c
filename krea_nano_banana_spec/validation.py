"""Words for what is wrong with a request or a response, shared by the SDK (which checks before
sending), the mock (which answers 400 with them; its proxy judges responses with them) and the
contract suite: one path and one reason per field, every bound named.

jsonschema, the reference implementation, judges; it is imported at the first check, so a
process that never checks a request does not load it.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rfc3339_validator import validate_rfc3339
from rfc3986_validator import validate_rfc3986

import krea_nano_banana_spec as spec

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


class InvalidRequest(ValueError):
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


# jsonschema says "'x' is too short" without the bound; these name it.
_UNNAMED_BOUNDS = {
    "minLength": "minimum length",
    "maxLength": "maximum length",
    "minItems": "minimum number of items",
    "maxItems": "maximum number of items",
    "minProperties": "minimum number of fields",
    "maxProperties": "maximum number of fields",
}


# A refused value is quoted up to this many characters: enough to recognise it, while a
# megabyte prompt or a value nested hundreds deep is not echoed back whole.
EXCERPT_CHARS = 60


def excerpt(value: Any) -> str:
    """`value`'s repr, cut to EXCERPT_CHARS with its full length said."""
    text = repr(value)
    if len(text) <= EXCERPT_CHARS:
        return text
    return f"{text[:EXCERPT_CHARS]}... ({len(text)} characters)"


def _message(error: ValidationError) -> str:
    # jsonschema quotes the whole instance; quote an excerpt instead.
    whole = repr(error.instance)
    if len(whole) <= EXCERPT_CHARS:
        return error.message
    return error.message.replace(whole, excerpt(error.instance))


def describe(error: ValidationError, root: str = "") -> InvalidRequest:
    path = list(error.absolute_path)
    if (
        error.validator == "additionalProperties"
        and isinstance(error.instance, dict)
        and isinstance(error.schema, Mapping)
    ):
        allowed = list(error.schema.get("properties", {}))
        unknown = sorted(key for key in error.instance if key not in allowed)
        return InvalidRequest(
            field_path(root, [*path, unknown[0]]), f"unknown field (known: {', '.join(allowed)})"
        )
    if error.validator == "required" and isinstance(error.validator_value, list):
        present = error.instance if isinstance(error.instance, dict) else {}
        missing = [name for name in error.validator_value if name not in present]
        return InvalidRequest(field_path(root, [*path, missing[0]]), "required field is missing")
    bound = _UNNAMED_BOUNDS.get(str(error.validator))
    if bound is not None:
        return InvalidRequest(
            field_path(root, path), f"{_message(error)} ({bound}: {error.validator_value})"
        )
    return InvalidRequest(field_path(root, path), _message(error))


class SchemaChecker:
    """One JSON Schema, judged by jsonschema and worded one problem per field."""

    def __init__(self, schema: Mapping[str, Any], root: str = "") -> None:
        self.schema = schema
        self.root = root

    @functools.cached_property
    def _validator(self) -> jsonschema.Draft202012Validator:
        import jsonschema

        return jsonschema.Draft202012Validator(self.schema, format_checker=format_checker())

    def problems(self, instance: Any) -> list[InvalidRequest]:
        """Every problem with `instance`, most relevant first, one per field."""
        from jsonschema.exceptions import relevance

        errors = sorted(self._validator.iter_errors(instance), key=relevance)
        found: dict[str, InvalidRequest] = {}
        for error in errors:
            problem = describe(error, self.root)
            found.setdefault(problem.field, problem)
        return list(found.values())

    def check(self, instance: Any) -> None:
        problems = self.problems(instance)
        if problems:
            raise InvalidRequest.joined(problems)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))


@functools.cache
def response_checker(operation_id: str, status: int) -> SchemaChecker | None:
    """The checker of the body the spec documents for this operation and status; None when it
    documents none (or not this status: see `Operation.response`)."""
    schema = spec.operation(operation_id).response_schema(status)
    return SchemaChecker(schema) if schema is not None else None
