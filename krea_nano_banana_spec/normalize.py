"""Operations as Krea writes them, made readable for every reader: the one normalisation.

Krea publishes its operations without `operationId`, with every schema inline, request bodies
not marked required, OpenAPI 3.1 type lists, `const` and `anyOf` of constants. The generator,
Schemathesis and our own readers each mishandle some of that. Rather than a convention a
maintainer must remember, `normalize` rewrites a document once, where it is loaded: by the spec
package (so the mock, the SDK, the CLI and the contract suite read the normalised document) and
by `scripts/regenerate` (so the generated client does too). A document already written our way
(today's `openapi.yaml`) comes out unchanged, and so does the client generated from it.

Each step is reviewed here, like an entry of known-differences.yaml (`STEPS`, in order):

1. `derive_operation_ids`. Krea writes no `operationId`; readers get `generate_<model>` for a
   `POST /generate/...` and `<method>_<path segments>` otherwise (`get_styles_id_share_link`),
   dots and dashes as `_`. The generator names modules and functions after it and the spec
   package keys operations by it. Derived from the path alone, so adding an operation never
   renames another; two operations that would share one are refused, naming both.
2. `require_bodies`. Krea leaves request bodies unmarked; a body whose schema requires a field
   becomes `required: true`. No request without it can succeed (the field is missing), yet the
   generator types an optional body `X | Unset` and Schemathesis sends body-less requests as
   valid ones. The mock stays no stricter: a body-less POST is a 400 naming the field.
3. `name_request_schemas`. Krea writes every schema inline; a JSON request schema becomes
   `components/schemas/<Model>Request` (`Flux11ProRequest`: the class name the generator gives
   anyway), referenced. One named class per model in the client, one schema name per model for
   our readers; two models that would share a name are refused.
4. `constants_to_enums`. `const: X` becomes `enum: [X]`; an `anyOf`/`oneOf` whose every branch
   is a `const` becomes `enum: [X, Y, ...]` with the branches' shared `type`. The pinned
   generator parses only the first constant of an `anyOf` (openapi-python-client#1044), and an
   enum is read alike by the generator, the CLI's choices and the contract suite.

Left as Krea writes them, because every reader copes: OpenAPI 3.1 type lists
(`type: [string, "null"]`: the generator types them `str | None`, jsonschema and fastjsonschema
validate them, and our readers take the non-null type through `value_type`), and 3.0's
`nullable` (Krea's document is 3.1 and has none).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
GENERATE_PREFIX = "/generate/"
JSON = "application/json"
SCHEMA_KEYS = ("schema",)  # where an operation holds a schema
SUBSCHEMA_KEYS = ("items", "anyOf", "oneOf", "allOf", "not", "additionalProperties")


class NormalizationError(ValueError):
    """The document cannot be normalised (two operations would share a derived name)."""


def value_type(schema: Mapping[str, Any]) -> str | None:
    """A schema's type for a reader that needs one: the non-null member of a 3.1 type list
    (`[string, "null"]` is a string that may be null), the type itself otherwise."""
    kind = schema.get("type")
    if isinstance(kind, list):
        concrete = [k for k in kind if k != "null"]
        return str(concrete[0]) if len(concrete) == 1 else None
    return None if kind is None else str(kind)


def model_of(path: str) -> str:
    """The model an operation path names: its last segment (`nano-banana-2`)."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def _identifier(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


def derived_operation_id(method: str, path: str) -> str:
    """The operationId of an operation Krea publishes without one, from its path alone."""
    if method.lower() == "post" and path.startswith(GENERATE_PREFIX):
        return f"generate_{_identifier(model_of(path))}"
    segments = [s.strip("{}") for s in path.strip("/").split("/") if s]
    return _identifier("_".join([method.lower(), *segments]))


def request_schema_name(path: str, operation_id: str) -> str:
    """The component name of an operation's request schema: `<Model>Request` for a model
    (`Flux11ProRequest`), its vendor in front when the model is named like a number
    (`/generate/image/qwen/2512`: `Qwen2512Request`, since a class name cannot start with a
    digit); `<OperationId>Request` for any other operation."""
    if not path.startswith(GENERATE_PREFIX):
        return f"{schema_name_of(operation_id)}Request"
    segments = path.rstrip("/").split("/")
    words = segments[-2:] if segments[-1][:1].isdigit() else segments[-1:]
    return f"{schema_name_of('-'.join(words))}Request"


def schema_name_of(model: str) -> str:
    """`nano-banana-2` -> `NanoBanana2`, `flux-1.1-pro` -> `Flux11Pro`: the class name the
    generator gives it anyway (it drops every separator); a clash is refused, never merged."""
    parts = [part for part in re.split(r"[^0-9a-zA-Z]+", model) if part]
    return "".join(part[:1].upper() + part[1:] for part in parts)


def _operations(document: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document.get("paths", {}).items()
        if isinstance(item, dict)
        for method, operation in item.items()
        if method in METHODS and isinstance(operation, dict)
    ]


def derive_operation_ids(document: dict[str, Any]) -> None:
    taken = {
        op["operationId"]: f"{m.upper()} {p}"
        for m, p, op in _operations(document)
        if "operationId" in op
    }
    for method, path, operation in _operations(document):
        if "operationId" in operation:
            continue
        derived = derived_operation_id(method, path)
        if derived in taken:
            raise NormalizationError(
                f"{method.upper()} {path}: its derived operationId {derived!r} is already "
                f"{taken[derived]}'s; give one of them an operationId"
            )
        operation["operationId"] = derived
        taken[derived] = f"{method.upper()} {path}"


def _json_schema(operation: Mapping[str, Any]) -> Any:
    return operation.get("requestBody", {}).get("content", {}).get(JSON, {}).get("schema")


def require_bodies(document: dict[str, Any]) -> None:
    for _, _, operation in _operations(document):
        body = operation.get("requestBody")
        if not isinstance(body, dict) or "required" in body or "$ref" in body:
            continue
        schema = resolved(document, _json_schema(operation))
        if isinstance(schema, dict) and schema.get("required"):
            body["required"] = True


def resolved(document: Mapping[str, Any], node: Any) -> Any:
    """`node`, or what its local `$ref` points at (followed until it is not a reference)."""
    seen = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            return node
        seen.add(ref)
        node = document
        for part in ref[2:].split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
    return node


def name_request_schemas(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for _, path, operation in _operations(document):
        schema = _json_schema(operation)
        if not isinstance(schema, dict) or "$ref" in schema:
            continue
        name = request_schema_name(path, operation["operationId"])
        if name in schemas:
            raise NormalizationError(
                f"{path}: its request schema would be named {name!r}, which already exists"
            )
        schemas[name] = schema
        operation["requestBody"]["content"][JSON]["schema"] = {
            "$ref": f"#/components/schemas/{name}"
        }


CONSTANT_KEYS = {"const", "type", "description", "title"}  # a branch that is one constant


def constants_of(node: Any, keyword: str = "anyOf") -> tuple[list[Any], set[Any]] | None:
    """The constants of an `anyOf`/`oneOf` made of constants only, nested ones flattened (Krea
    writes `anyOf: [{anyOf: [{const: 5}, ...]}, {const: 10}]`), with their `type`s; None when
    a branch is anything else."""
    if not isinstance(node, Mapping):
        return None
    if "const" in node and set(node) <= CONSTANT_KEYS:
        return [node["const"]], {node.get("type")}
    branches = node.get(keyword)
    if not isinstance(branches, list) or not branches:
        return None
    values: list[Any] = []
    types: set[Any] = set()
    for branch in branches:
        inner = constants_of(branch, keyword)
        if inner is None:
            return None
        values.extend(inner[0])
        types |= inner[1]
    return values, types


def _constants_to_enum(node: dict[str, Any]) -> None:
    if "const" in node and "enum" not in node:
        node["enum"] = [node.pop("const")]
    for keyword in ("anyOf", "oneOf"):
        found = constants_of(node, keyword) if keyword in node else None
        if found is None:
            continue
        values, types = found
        node.pop(keyword)
        node["enum"] = values
        if len(types) == 1 and None not in types:
            node["type"] = types.pop()


def constants_to_enums(document: dict[str, Any]) -> None:
    def walk(node: Any, is_schema: bool) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, is_schema)
        if not isinstance(node, dict):
            return
        if is_schema:
            _constants_to_enum(node)  # before the branches: an anyOf is judged as written
        for key, value in node.items():
            if key.startswith("x-") or key in ("example", "examples", "default", "enum"):
                continue
            if key == "properties" and is_schema and isinstance(value, dict):
                for schema in value.values():  # a field may be named "const"
                    walk(schema, True)
            else:
                walk(value, key in SCHEMA_KEYS or (is_schema and key in SUBSCHEMA_KEYS))

    components = document.get("components", {})
    walk(document.get("paths", {}), False)
    walk({key: value for key, value in components.items() if key != "schemas"}, False)
    for schema in components.get("schemas", {}).values():
        walk(schema, True)


STEPS: tuple[Callable[[dict[str, Any]], None], ...] = (
    derive_operation_ids,
    require_bodies,
    name_request_schemas,
    constants_to_enums,
)


def normalize(document: Mapping[str, Any]) -> dict[str, Any]:
    """A normalised deep copy of an OpenAPI document (see the table above)."""
    result: dict[str, Any] = copy.deepcopy(dict(document))
    for step in STEPS:
        step(result)
    return result
