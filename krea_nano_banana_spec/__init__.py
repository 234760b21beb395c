"""openapi.yaml, loaded once, and the read-only views of it that the SDK, the mock, the
contract suite and the tests use: the one module that reads the spec, so that neither the mock
nor the SDK depends on the other for it.

Everything they know about the API beyond the generated code (deprecated aliases, pricing, the
lifecycle graph, constraints, paths) comes from here, so a change to the spec changes them all.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from krea_nano_banana_spec.normalize import normalize
from krea_nano_banana_spec.normalize import value_type as value_type  # readers' one type lookup

JSON = "application/json"


def spec_path() -> Path:
    # A wheel carries the spec inside the package; a source checkout keeps it at the top.
    packaged = Path(__file__).with_name("openapi.yaml")
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "openapi.yaml"


@functools.cache
def document() -> Mapping[str, Any]:
    """openapi.yaml as every reader sees it: normalised (see `normalize`), so that operations
    written the way Krea writes them work everywhere."""
    with spec_path().open("rb") as handle:
        loaded: dict[str, Any] = yaml.load(
            handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    return normalize(loaded)


@functools.cache
def document_json() -> bytes:
    return json.dumps(document(), separators=(",", ":")).encode()


def base_url() -> str:
    """The API's production URL, the first of the spec's `servers`."""
    url: str = document()["servers"][0]["url"]
    return url.rstrip("/")


def _follow(ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, got {ref!r}")
    node: Any = document()
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline_refs(node: Any) -> Any:
    """A deep copy of `node` with every local `$ref` replaced by what it points at."""
    if isinstance(node, dict):
        if "$ref" in node:
            return inline_refs(_follow(node["$ref"]))
        return {key: inline_refs(value) for key, value in node.items()}
    if isinstance(node, list):
        return [inline_refs(item) for item in node]
    return copy.copy(node)


def component_schema(name: str) -> dict[str, Any]:
    resolved: dict[str, Any] = inline_refs(document()["components"]["schemas"][name])
    return resolved


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: str
    path: str
    definition: Mapping[str, Any]

    def response(self, status: int) -> Mapping[str, Any] | None:
        responses = self.definition.get("responses", {})
        found = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        return inline_refs(found) if found is not None else None

    def response_schema(self, status: int) -> Mapping[str, Any] | None:
        """The schema documented for this status's JSON body: None when the status is not
        documented, or documents no JSON body. The one lookup the mock's proxy and the contract
        checks judge a response by."""
        documented = self.response(status)
        schema = (documented or {}).get("content", {}).get(JSON, {}).get("schema")
        return schema if isinstance(schema, Mapping) else None

    def parameter(self, name: str) -> dict[str, Any]:
        for param in self.parameters():
            if param["name"] == name:
                return param
        raise KeyError(name)

    def url_path(self, *values: str) -> str:
        """The path with its `{parameters}` filled in order, each percent-encoded."""
        filled = iter(values)
        return re.sub(r"\{[^}]+\}", lambda _: quote(str(next(filled)), safe=""), self.path)

    def parameters(self) -> list[dict[str, Any]]:
        path_item = document()["paths"][self.path]
        params = [*path_item.get("parameters", []), *self.definition.get("parameters", [])]
        return [inline_refs(p) for p in params]


@functools.cache
def operations() -> Mapping[str, Operation]:
    found: dict[str, Operation] = {}
    for path, path_item in document()["paths"].items():
        for method, definition in path_item.items():
            if isinstance(definition, dict) and "operationId" in definition:
                found[definition["operationId"]] = Operation(
                    definition["operationId"], method.upper(), path, definition
                )
    return found


def operation(operation_id: str) -> Operation:
    return operations()[operation_id]


def operation_for(role: str) -> Operation:
    """The operation with this `x-operation-role` (`job.get`, `job.cancel`, `job.list`)."""
    for candidate in operations().values():
        if candidate.definition.get("x-operation-role") == role:
            return candidate
    raise KeyError(f"no operation has x-operation-role {role!r}")


def enum_values(schema_name: str) -> tuple[str, ...]:
    return tuple(document()["components"]["schemas"][schema_name]["enum"])


ALIASES_KEY = "x-krea-deprecated-field-aliases"  # Krea's own extension, in Krea's format


@dataclass(frozen=True, slots=True)
class DeprecatedAlias:
    """One entry of Krea's `x-krea-deprecated-field-aliases` (`from`, `to`, `sunset_date`,
    `reason`, `migration_url`); each alias has its own sunset."""

    alias: str  # `from`
    replacement: str  # `to`
    sunset: datetime  # `sunset_date`, enforced from its first instant, in UTC
    migration_url: str
    reason: str = ""

    @property
    def sunset_date(self) -> date:
        return self.sunset.date()


@dataclass(frozen=True, slots=True)
class Price:
    compute_units: Decimal
    usd: Decimal | None = None  # Krea publishes dollars for some models only
    approximate: bool = False  # Krea's table says "~3"
    upper_bound: bool = False  # the most the model's table asks; it prices by more than a field

    def times(self, count: int) -> Price:
        usd = None if self.usd is None else self.usd * count
        return Price(self.compute_units * count, usd, self.approximate, self.upper_bound)

    def __str__(self) -> str:
        units = f"{'~' if self.approximate else ''}{self.compute_units} compute units"
        shown = units if self.usd is None else f"${self.usd} ({units})"
        return f"at most {shown}" if self.upper_bound else shown


def _price(entry: Mapping[str, Any]) -> Price:
    usd = entry.get("usd")
    return Price(
        Decimal(str(entry["compute_units"])),
        None if usd is None else Decimal(str(usd)),
        approximate=bool(entry.get("approximate", False)),
        upper_bound=bool(entry.get("upper_bound", False)),
    )


@dataclass(frozen=True, slots=True)
class Pricing:
    """`x-pricing`: one price per job, or one per value of a request field."""

    billed: str
    per_job: Price | None
    by_field: str | None
    by_value: Mapping[str, Price]

    def price(self, value: str | None) -> Price:
        """The price of one completed job whose priced field has `value` (None: its default)."""
        if self.per_job is not None:
            return self.per_job
        return self.by_value[str(value)]


@dataclass(frozen=True, slots=True)
class ResultImages:
    """`x-result-images`: how the mock sizes results (Krea documents no sizes)."""

    tier_edges: Mapping[str, int]
    default_tier: str
    default_aspect_ratio: str
    max_side: int
    media_type: str = "image/png"  # "video/mp4" for a video model: one still frame, as an MP4


class Role:
    """The roles of `x-request-roles`: the parts a request field (or header) can play, for code
    that needs one by its part rather than by its name."""

    PROMPT = "prompt"
    WIDTH = "width"
    HEIGHT = "height"
    ASPECT_RATIO = "aspect_ratio"
    TIER = "tier"
    WEBHOOK_URL = "webhook_url"  # a header


@dataclass(frozen=True, eq=False)  # one object per operation: hashed by identity
class Generation:
    """One generation operation (an operation with `x-krea-job-type`): a model of the family."""

    model: str  # the last segment of its path, e.g. the name users pick it by
    operation: Operation
    request_schema_name: str
    request_schema: Mapping[str, Any]  # references resolved
    job_type: str
    aliases: tuple[DeprecatedAlias, ...]
    pricing: Pricing | None
    roles: Mapping[str, str]  # role -> the request field that plays it, where the model has it
    result_images: ResultImages | None

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    @property
    def path(self) -> str:
        return self.operation.path

    # Derived once: the mock reads these on every create.
    @functools.cached_property
    def fields(self) -> Mapping[str, Mapping[str, Any]]:
        properties: Mapping[str, Mapping[str, Any]] = self.request_schema.get("properties", {})
        return properties

    @functools.cached_property
    def _role_fields(self) -> Mapping[str, str]:
        roles = {value for name, value in vars(Role).items() if name.isupper()} | set(self.roles)
        named = {role: self.roles.get(role, role) for role in roles}
        return {role: name for role, name in named.items() if name in self.fields}

    @functools.cached_property
    def _defaults(self) -> Mapping[str, Any]:
        return {
            name: schema["default"] for name, schema in self.fields.items() if "default" in schema
        }

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(self.request_schema.get("required", ()))

    def field(self, role: str) -> str | None:
        """The request field that plays `role` (a `Role`), if this model has one;
        without `x-request-roles`, a field named as the role plays it."""
        return self._role_fields.get(role)

    def header(self, role: str) -> str | None:
        """The header parameter that plays `role`, if this operation has one."""
        headers = [p["name"] for p in self.operation.parameters() if p["in"] == "header"]
        name = self.roles.get(role)
        if name is None and len(headers) == 1:
            name = headers[0]  # without x-request-roles, the operation's only header
        return name if name in headers else None

    def default(self, name: str) -> Any:
        return self._defaults.get(name)

    def price(self, body: Mapping[str, Any]) -> Price | None:
        """What one completed job of this request costs, or None if Krea publishes no price."""
        if self.pricing is None:
            return None
        priced = self.pricing.by_field
        value = None if priced is None else body.get(priced, self._defaults.get(priced))
        return self.pricing.price(value)


def _aliases(entries: list[Mapping[str, Any]]) -> tuple[DeprecatedAlias, ...]:
    return tuple(
        DeprecatedAlias(
            alias=str(entry["from"]),
            replacement=str(entry["to"]),
            # Accepted until the date; enforced from its first instant, in UTC.
            sunset=datetime.combine(
                date.fromisoformat(str(entry["sunset_date"])), datetime.min.time(), UTC
            ),
            migration_url=str(entry.get("migration_url", "")),
            reason=str(entry.get("reason", "")),
        )
        for entry in entries
    )


def _pricing(table: Mapping[str, Any] | None) -> Pricing | None:
    if not table:
        return None
    return Pricing(
        billed=str(table.get("billed", "per completed job")),
        per_job=_price(table["per_job"]) if "per_job" in table else None,
        by_field=table.get("by_field"),
        by_value={str(k): _price(v) for k, v in table.get("by_value", {}).items()},
    )


def _result_images(entry: Mapping[str, Any] | None) -> ResultImages | None:
    if not entry:
        return None
    return ResultImages(
        tier_edges={str(k): int(v) for k, v in entry["tier_edges"].items()},
        default_tier=str(entry["default_tier"]),
        default_aspect_ratio=str(entry["default_aspect_ratio"]),
        max_side=int(entry["max_side"]),
        media_type=str(entry.get("media_type", "image/png")),
    )


def _request_schema_name(definition: Mapping[str, Any]) -> str:
    content = definition.get("requestBody", {}).get("content", {}).get(JSON, {})
    ref = str(content.get("schema", {}).get("$ref", ""))
    if not ref.startswith("#/components/schemas/"):
        raise ValueError(
            f"{definition.get('operationId')}: the request body must be a named schema"
        )
    return ref.rsplit("/", 1)[-1]


@functools.cache
def generations() -> tuple[Generation, ...]:
    """Every generation operation, in the order the spec lists them."""
    found = []
    for op in operations().values():
        definition = op.definition
        if "x-krea-job-type" not in definition:
            continue
        schema_name = _request_schema_name(definition)
        found.append(
            Generation(
                model=op.path.rstrip("/").rsplit("/", 1)[-1],
                operation=op,
                request_schema_name=schema_name,
                request_schema=component_schema(schema_name),
                job_type=str(definition["x-krea-job-type"]),
                aliases=_aliases(definition.get(ALIASES_KEY, [])),
                pricing=_pricing(definition.get("x-pricing")),
                roles=dict(definition.get("x-request-roles", {})),
                result_images=_result_images(definition.get("x-result-images")),
            )
        )
    return tuple(found)


class UnknownModel(KeyError):
    """No generation operation has this model name or operationId."""

    def __init__(self, name: str) -> None:
        known = ", ".join(g.model for g in generations())
        super().__init__(f"unknown model {name!r} (known: {known})")
        self.name = name

    def __str__(self) -> str:
        return str(self.args[0])


def available_models() -> tuple[str, ...]:
    """The model names the SDK and the CLI accept, in the spec's order."""
    return tuple(g.model for g in generations())


def default_model() -> str:
    """`x-default-model` at the spec's root, else the first generation operation."""
    named = document().get("x-default-model")
    return str(named) if named else generations()[0].model


def generation(name: str | None = None) -> Generation:
    """A generation operation by model name or operationId; None: the default model."""
    wanted = default_model() if name is None else name
    for candidate in generations():
        if wanted in (candidate.model, candidate.operation_id):
            return candidate
    raise UnknownModel(wanted)


@functools.cache
def _generations_by_operation() -> Mapping[str, Generation]:
    return {g.operation_id: g for g in generations()}


def generation_of(operation_id: str | None) -> Generation | None:
    """The generation an operation is; None for any other operation (the jobs API)."""
    return _generations_by_operation().get(operation_id or "")


@dataclass(frozen=True, slots=True)
class Lifecycle:
    statuses: tuple[str, ...]
    initial: frozenset[str]
    terminal: frozenset[str]
    user_cancellable: frozenset[str]
    transitions: Mapping[str, frozenset[str]]
    succeeded: str  # the roles of `x-lifecycle.roles`
    failed: str
    cancelled: str
    over_limit: str
    mock_paths: Mapping[str, tuple[str, ...]]

    def allows(self, before: str, after: str) -> bool:
        return after in self.transitions.get(before, frozenset())

    def reachable(self, before: str, after: str) -> bool:
        """`after` can follow `before` through any number of transitions."""
        seen, frontier = set(), [before]
        while frontier:
            for following in self.transitions.get(frontier.pop(), frozenset()):
                if following == after:
                    return True
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        return False

    def is_path(self, statuses: tuple[str, ...]) -> bool:
        return all(self.allows(a, b) for a, b in itertools.pairwise(statuses))


@functools.cache
def lifecycle() -> Lifecycle:
    schema = document()["components"]["schemas"]["JobStatus"]
    graph = schema["x-lifecycle"]
    return Lifecycle(
        statuses=tuple(schema["enum"]),
        initial=frozenset(graph["initial"]),
        terminal=frozenset(graph["terminal"]),
        user_cancellable=frozenset(graph["user_cancellable"]),
        transitions={k: frozenset(v) for k, v in graph["transitions"].items()},
        **{role: str(status) for role, status in graph["roles"].items()},
        mock_paths={name: tuple(path) for name, path in graph["mock_paths"].items()},
    )


def max_body_bytes() -> int:
    limit: int = document()["components"]["responses"]["PayloadTooLarge"]["x-limit-bytes"]
    return limit
