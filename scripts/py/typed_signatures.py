"""Writes the SDK's per-model signatures (`krea_nano_banana/signatures.py`) from openapi.yaml.

For each generation operation (each model), a `TypedDict` of its request fields, with `Literal`
enums, defaults and descriptions; and `overload`s of `generate` and `generate_and_wait`, sync and
async, keyed on `model: Literal[...]`, so that a type checker and an editor know per model which
fields exist and which values they take. It reads the document it is given, not the installed
spec, so that a spec edit changes the signatures after `scripts/regenerate` alone.
"""

from __future__ import annotations

import keyword
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Where the SDK imports it from, relative to the repository.
MODULE = Path("krea_nano_banana") / "signatures.py"
CLIENT_MODELS = "krea_api_client.models"

HEADER = '''\
"""Per-model signatures of `Krea.generate`, `Krea.generate_and_wait` and their `AsyncKrea` twins.

Written by scripts/regenerate from openapi.yaml: do not edit. Each model's request fields are a
`TypedDict`, and each method has one overload per model, keyed on `model=`, so that a type
checker and an editor know exactly which fields a model has and which values they take. At run
time the fields are checked against the model's schema all the same (plain strings work too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Required, TypedDict, Unpack, overload
'''


@dataclass(frozen=True)
class Model:
    name: str
    schema_name: str
    fields: Mapping[str, Mapping[str, Any]]  # as written, references unresolved
    required: frozenset[str]
    prompt_field: str | None
    takes_webhook: bool

    @property
    def class_name(self) -> str:
        return pascal(self.name) + "Fields"


def pascal(name: str) -> str:
    words = re.split(r"[^0-9A-Za-z]+", name)
    joined = "".join(word[:1].upper() + word[1:] for word in words if word)
    return joined if joined[:1].isalpha() else "Model" + joined


def literal(values: list[Any]) -> str:
    return "Literal[" + ", ".join(repr(value) for value in values) + "]"


class Writer:
    """Turns JSON Schemas into Python annotations, collecting what they need imported."""

    def __init__(self, document: Mapping[str, Any], client_models: frozenset[str]) -> None:
        self.document = document
        self.client_models = client_models  # the classes the generated client exports
        self.imports: set[str] = set()
        self.nested: dict[str, str] = {}  # component name -> its TypedDict's source

    def resolve(self, ref: str) -> Any:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def client_class(self, name: str) -> str | None:
        if name in self.client_models:
            self.imports.add(name)
            return name
        return None

    def annotation(self, schema: Mapping[str, Any], owner: str = "", prop: str = "") -> str:
        if "$ref" in schema:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            target = self.resolve(str(schema["$ref"]))
            if target.get("type") == "object" or "properties" in target:
                return self.object_annotation(name, target)
            return self.annotation(target, owner=name)
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                parts = [self.annotation(option, owner, prop) for option in schema[combinator]]
                return " | ".join(dict.fromkeys(parts))
        if len(schema.get("allOf", ())) == 1:
            return self.annotation(schema["allOf"][0], owner, prop)
        if "enum" in schema:
            # The generated enum class is accepted beside its values: its name is the
            # component's, or, for an enum written inline, the owner's and the property's.
            enum_class = self.client_class(owner if not prop else owner + pascal(prop))
            values = [value for value in schema["enum"] if value is not None]
            parts = [literal(values)] + ([enum_class] if enum_class else [])
            if None in schema["enum"]:
                parts.append("None")
            return " | ".join(parts)
        types = schema.get("type")
        names = types if isinstance(types, list) else [types]
        return " | ".join(dict.fromkeys(self.type_annotation(str(t), schema) for t in names))

    def type_annotation(self, name: str, schema: Mapping[str, Any]) -> str:
        if name == "array":
            return f"Sequence[{self.annotation(schema.get('items', {}))}]"
        if name == "object" and "properties" in schema:
            return "Mapping[str, Any]"
        scalar = {
            "string": "str",
            "number": "float",
            "integer": "int",
            "boolean": "bool",
            "null": "None",
            "object": "Mapping[str, Any]",
        }
        return scalar.get(name, "Any")

    def object_annotation(self, name: str, schema: Mapping[str, Any]) -> str:
        """A named object: its generated model class, or a dict of the same shape."""
        if name not in self.nested:
            self.nested[name] = ""  # a cycle refers to the name while it is being written
            self.nested[name] = self.typed_dict(
                name + "Dict",
                f"`{name}` as a plain dict.",
                schema.get("properties", {}),
                frozenset(schema.get("required", ())),
                owner=name,
            )
        model_class = self.client_class(name)
        return f"{model_class} | {name}Dict" if model_class else f"{name}Dict"

    def typed_dict(
        self,
        class_name: str,
        docstring: str,
        fields: Mapping[str, Mapping[str, Any]],
        required: frozenset[str],
        owner: str,
    ) -> str:
        lines = [f"class {class_name}(TypedDict, total=False):", f'    """{docstring}"""', ""]
        for field, schema in fields.items():
            if not field.isidentifier() or keyword.iskeyword(field):
                continue  # not a keyword argument a caller could write
            annotation = self.annotation(schema, owner, field)
            if field in required:
                annotation = f"Required[{annotation}]"
            lines.append(f"    {field}: {annotation}")
            note = field_note(self.described(schema))
            if len(note) > 88:
                lines += [
                    '    """',
                    *(f"    {line}" for line in textwrap.wrap(note, 88)),
                    '    """',
                ]
            elif note:
                lines.append(f'    """{note}"""')
        if len(lines) == 3:
            lines.append("    pass")
        return "\n".join(lines)

    def described(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """The schema, with a referenced component's description and default if it has none."""
        if "$ref" in schema:
            return {**self.resolve(str(schema["$ref"])), **schema}
        return schema


def field_note(schema: Mapping[str, Any]) -> str:
    """The description's first sentence, and the default: what an editor shows on hover."""
    description = " ".join(str(schema.get("description", "")).split())
    sentence = description.split(". ")[0].rstrip(".")
    parts = [f"{sentence}." if sentence else ""]
    if "default" in schema:
        parts.append(f"Default: {schema['default']}.")
    text = " ".join(part for part in parts if part)
    return text.replace("\\", "\\\\").replace('"' * 3, "'" * 3)


def operations(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for definition in item.values():
            if isinstance(definition, dict) and "x-krea-job-type" in definition:
                yield str(path), {**definition, "path_parameters": item.get("parameters", [])}


def models(writer: Writer) -> list[Model]:
    found = []
    for path, definition in operations(writer.document):
        body = definition.get("requestBody", {}).get("content", {}).get("application/json", {})
        ref = str(body.get("schema", {}).get("$ref", ""))
        # A body written inline is named as openapi-python-client names it: `<Operation>Body`.
        name = ref.rsplit("/", 1)[-1] if ref else pascal(definition["operationId"]) + "Body"
        schema = writer.resolve(ref) if ref else body.get("schema", {})
        parameters = [*definition["path_parameters"], *definition.get("parameters", [])]
        resolved = [writer.resolve(p["$ref"]) if "$ref" in p else p for p in parameters]
        roles = definition.get("x-request-roles", {})
        fields = schema.get("properties", {})
        prompt = roles.get("prompt", "prompt")
        found.append(
            Model(
                # The model is named by the last segment of its path, as the SDK names it.
                name=path.rstrip("/").rsplit("/", 1)[-1],
                schema_name=name,
                fields=fields,
                required=frozenset(schema.get("required", ())),
                prompt_field=prompt if prompt in fields else None,
                takes_webhook=any(p.get("in") == "header" for p in resolved),
            )
        )
    return found


def default_model(document: Mapping[str, Any], found: list[Model]) -> str:
    named = document.get("x-default-model")
    return str(named) if named else found[0].name


WAIT_KEYWORDS = (
    "timeout: float = ...",
    "poll_interval: float | None = None",
    "on_update: Callable[[Job], None] | None = None",
)


def overloads(found: list[Model], default: str, method: str, awaited: bool) -> list[str]:
    prefix = "async def" if awaited else "def"
    lines = []
    ordered = sorted(found, key=lambda m: m.name != default)  # the default first
    for model in ordered:
        chosen = literal([model.name])
        keywords = [
            f"model: {chosen} | None = None" if model.name == default else f"model: {chosen}",
            *(["webhook_url: str | None = None"] if model.takes_webhook else []),
            "extra_body: Mapping[str, Any] | None = None",
            *(WAIT_KEYWORDS if method == "generate_and_wait" else ()),
            f"**fields: Unpack[{model.class_name}]",
        ]
        lines += [
            "    @overload",
            f"    {prefix} {method}(",
            "        self,",
            "        prompt: str,",
            "        *,",
            *(f"        {keyword_}," for keyword_ in keywords),
            "    ) -> Job: ...",
        ]
    return lines


METHOD_DOCS = {
    "generate": (
        "Starts a job on `model` (default: the spec's `x-default-model`) and returns it, "
        "pending.\n\n        `fields` are the model's request fields, checked against its schema "
        "before anything is\n        sent; `extra_body` is merged into the JSON as is, untyped."
    ),
    "generate_and_wait": (
        "`generate` (with the same keywords), then `wait` (`timeout`, `poll_interval`,\n"
        "        `on_update`, as `wait` takes them)."
    ),
}


def client_class(found: list[Model], default: str, awaited: bool) -> list[str]:
    name = "AsyncGeneration" if awaited else "Generation"
    prefix = "async def" if awaited else "def"
    returns = "return await" if awaited else "return"
    who = "AsyncKrea" if awaited else "Krea"
    lines = [
        f"class {name}:",
        f'    """`{who}.generate` and `{who}.generate_and_wait`, one overload per model."""',
        "",
        f"    {prefix} _generate(self, prompt: str, options: dict[str, Any]) -> Job:",
        "        raise NotImplementedError  # the client's",
        "",
        f"    {prefix} _generate_and_wait(self, prompt: str, options: dict[str, Any]) -> Job:",
        "        raise NotImplementedError  # the client's",
    ]
    for method in ("generate", "generate_and_wait"):
        lines += ["", *overloads(found, default, method, awaited)]
        lines += [
            f"    {prefix} {method}(self, prompt: str, **options: Any) -> Job:",
            f'        """{METHOD_DOCS[method]}"""',
            f"        {returns} self._{method}(prompt, options)",
        ]
    return lines


def render(document: Mapping[str, Any], client_models: frozenset[str]) -> str:
    """The module's source (before formatting)."""
    writer = Writer(document, client_models)
    found = models(writer)
    if not found:
        raise ValueError("openapi.yaml has no generation operation (x-krea-job-type)")
    default = default_model(document, found)
    bodies = []
    for model in found:
        fields = {k: v for k, v in model.fields.items() if k != model.prompt_field}
        bodies.append(
            writer.typed_dict(
                model.class_name,
                f"The request fields of {model.name} (`{model.schema_name}`), its prompt aside.",
                fields,
                model.required,
                owner=model.schema_name,
            )
        )
    statuses = document["components"]["schemas"]["JobStatus"]["enum"]
    writer.imports.update({"Job", "JobStatus"} & client_models)
    sections = [
        HEADER,
        "if TYPE_CHECKING:",
        f"    from {CLIENT_MODELS} import " + ", ".join(sorted(writer.imports)),
        "",
        f"ModelName = {literal([m.name for m in found])}",
        '"""The models of openapi.yaml, one per generation operation."""',
        "",
        f"DEFAULT_MODEL: ModelName = {default!r}",
        "",
        f"JobStatusName = {literal(statuses)}",
        '"""The job statuses, as plain strings (`JobStatus` has them as members)"""',
        "",
        *(source + "\n" for source in writer.nested.values()),
        *(body + "\n" for body in bodies),
        "\n".join(client_class(found, default, awaited=False)) + "\n",
        "\n".join(client_class(found, default, awaited=True)),
    ]
    return "\n".join(sections) + "\n"


def exported_models(client: Path) -> frozenset[str]:
    """The classes the generated client's `models` package exports."""
    source = (client / "models" / "__init__.py").read_text()
    return frozenset(re.findall(r"^from \.\w+ import (\w+)$", source, flags=re.MULTILINE))


def write(document: Mapping[str, Any], client: Path, target: Path) -> Path:
    """Writes the module for `document` to `target`, formatted as the project's code is."""
    target.write_text(render(document, exported_models(client)))
    ruff = str(Path(sys.executable).with_name("ruff"))
    # Isolated, with the project's line length: the result does not depend on where it is made.
    settings = ["--isolated", "--no-cache", "--line-length", "100", "--target-version", "py311"]
    for command in (
        [ruff, "check", *settings, "--select", "F401,I", "--fix-only", "--quiet", str(target)],
        [ruff, "format", *settings, "--quiet", str(target)],
    ):
        subprocess.run(command, check=True, capture_output=True)
    return target
