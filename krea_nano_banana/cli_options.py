"""A model's request schema as command-line options: one option per request field, its type,
choices, default and help read from the schema, so a model's options are exactly its fields.

    string enum   --aspect-ratio {16:9,...}      number   --width NUMBER
    array         --image-urls URL (repeatable; also --image-url)
    array of objects  --style-images url=URL,strength=NUMBER or a JSON object (repeatable)
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from typing import Any

import krea_nano_banana_spec as spec

SCALAR_TYPES: dict[str, Callable[[str], Any]] = {"number": float, "integer": int, "string": str}


def option_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def field_dest(field: str) -> str:
    """Where a request field's value lands among the parsed arguments: apart from the CLI's own
    (Krea has models with a request field named `model`)."""
    return f"field:{field}"


def _metavar(schema: Mapping[str, Any]) -> str:
    if schema.get("format") == "uri":
        return "URL"
    return str(spec.value_type(schema) or "value").upper()


def _scalar(field: str, schema: Mapping[str, Any]) -> Callable[[str], Any]:
    convert = SCALAR_TYPES.get(str(spec.value_type(schema)), str)

    def parse(text: str) -> Any:
        try:
            return convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a {spec.value_type(schema)} ({field})"
            ) from None

    parse.__name__ = str(spec.value_type(schema) or "value")  # argparse names the type in errors
    return parse


def _object(field: str, schema: Mapping[str, Any]) -> Callable[[str], dict[str, Any]]:
    properties: Mapping[str, Mapping[str, Any]] = schema.get("properties", {})

    def parse(text: str) -> dict[str, Any]:
        if text.lstrip().startswith("{"):
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise argparse.ArgumentTypeError(f"{field}: not a JSON object ({exc})") from None
            if not isinstance(value, dict):
                raise argparse.ArgumentTypeError(f"{field}: not a JSON object")
            return value
        parsed: dict[str, Any] = {}
        for piece in text.split(","):
            key, equals, value = piece.partition("=")
            key = key.strip()
            if not equals or key not in properties:
                known = ", ".join(f"{k}=..." for k in properties)
                raise argparse.ArgumentTypeError(
                    f"{field}: {piece!r} is not one of {known} (or pass a JSON object)"
                )
            parsed[key] = _scalar(f"{field}.{key}", properties[key])(value.strip())
        return parsed

    parse.__name__ = "object"
    return parse


def _object_metavar(schema: Mapping[str, Any]) -> str:
    properties: Mapping[str, Mapping[str, Any]] = schema.get("properties", {})
    return ",".join(f"{k}={_metavar(v)}" for k, v in properties.items()) or "JSON"


def _help(field: str, schema: Mapping[str, Any], required: bool) -> str:
    description = " ".join(str(schema.get("description", "")).split())
    sentence = description.split(". ")[0].rstrip(".") if description else f"the {field} field"
    notes = []
    if "default" in schema:
        notes.append(f"default: {schema['default']}")
    for bound, word in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<=")):
        if bound in schema:
            notes.append(f"{word} {schema[bound]}")
    if spec.value_type(schema) == "array":
        notes.append("repeatable")
    if required:
        notes.append("required")
    return f"{sentence} ({', '.join(notes)})" if notes else sentence


def add_field_options(parser: argparse.ArgumentParser, model: spec.Generation) -> list[str]:
    """Adds an option for each request field of `model` but its prompt; returns their dests."""
    added = []
    group = parser.add_argument_group(f"{model.model} options (from its request schema)")
    # argparse has no public view of the options a parser has; this is its documented table.
    taken = set(parser._option_string_actions)
    for field, schema in model.fields.items():
        if field == model.field(spec.Role.PROMPT):
            continue
        # A field named like one of the CLI's own options (`--model`) is `--body-model`.
        names = [option_name(field if option_name(field) not in taken else f"body_{field}")]
        kwargs: dict[str, Any] = {"dest": field_dest(field), "default": None}
        required = field in model.required
        if spec.value_type(schema) == "array":
            items = schema.get("items", {})
            if field.endswith("s") and option_name(field[:-1]) not in taken:
                names.append(option_name(field[:-1]))
            kwargs["action"] = "append"
            if spec.value_type(items) == "object":
                kwargs["type"] = _object(field, items)
                kwargs["metavar"] = _object_metavar(items)
            else:
                kwargs["type"] = _scalar(field, items)
                kwargs["metavar"] = _metavar(items)
        elif spec.value_type(schema) == "boolean":
            kwargs["action"] = argparse.BooleanOptionalAction
        elif spec.value_type(schema) == "object":
            kwargs["type"] = _object(field, schema)
            kwargs["metavar"] = _object_metavar(schema)
        else:
            kwargs["type"] = _scalar(field, schema)
            if "enum" in schema:
                # The choices are the enum's own values (5, not "5"), shown and typed as text.
                by_text = {str(value): value for value in schema["enum"]}
                kwargs["choices"] = list(by_text.values())
                kwargs["type"] = lambda text, by_text=by_text: by_text.get(text, text)
            else:
                kwargs["metavar"] = _metavar(schema)
        group.add_argument(*names, required=required, help=_help(field, schema, required), **kwargs)
        added.append(field)
    return added


def describe_field(field: str, schema: Mapping[str, Any]) -> str:
    """One line for `nano-banana models`: the option, what it takes, its default."""
    if "enum" in schema:
        takes = " ".join(str(v) for v in schema["enum"])
    elif spec.value_type(schema) == "array":
        items = schema.get("items", {})
        shown = _object_metavar(items) if spec.value_type(items) == "object" else _metavar(items)
        takes = f"{shown} (repeatable)"
    else:
        takes = _metavar(schema)
    default = f" (default {schema['default']})" if "default" in schema else ""
    return f"{option_name(field)} {takes}{default}"
