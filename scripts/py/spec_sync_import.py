"""Krea's operations as openapi.yaml writes them, and the import of a new one as a model of ours.

An operation is written as Krea writes it: no `operationId` and the request body unmarked, for
the spec package's one normalisation (`krea_nano_banana_spec.normalize`) derives them wherever
the spec is read, and spec-diff then compares like with like. spec-sync writes only what that
normalisation leaves to a reader, and keeps it readable: an `anyOf` (nested or not) of `const`s
as one `enum` (normalize's own rule), each enum with `x-enum-varnames` so that values such as
`16:9` name their members, and the request schema under the component name the normalisation
would give it. Our own extensions are filled in from documented defaults (README, "When the API
changes"), and an operation none of them fits is refused, naming what is missing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

import jsonschema

from krea_nano_banana_spec.normalize import (
    constants_of,
    derived_operation_id,
    model_of,
    request_schema_name,
)
from krea_nano_banana_spec.pricing_tables import pricing_from

BILLED = "per completed job; failed and cancelled jobs are not billed"
# How the mock answers each kind of upstream operation (Krea's tag): the job type it records and
# the media type of its result. Krea documents `externalImage` for its image models; the video
# job type is not documented by Krea (README, "When the API changes").
KINDS = {
    "Image": {"job_type": "externalImage", "media_type": "image/png", "tag": "images"},
    "Video": {"job_type": "externalVideo", "media_type": "video/mp4", "tag": "videos"},
}
TAG_DESCRIPTIONS = {
    "images": "Start image generation jobs.",
    "videos": "Start video generation jobs.",
}
ROLE_FIELDS = ("prompt", "width", "height", "aspect_ratio")
TIER_FIELD = "resolution"
WEBHOOK_HEADER = "X-Webhook-URL"
MAX_SIDE = 16384
K_TIER = re.compile(r"^(\d+)K$", re.IGNORECASE)  # 1K, 2K, 4K: a square of N x 1024
P_TIER = re.compile(r"^(\d+)p$")  # 720p: a 16:9 image N pixels high


class Refused(Exception):
    """An upstream operation that openapi.yaml cannot take without a person's decision."""


def schema_name_of(path: str) -> str:
    """The request schema's component name, as the normalisation names an inline one."""
    return request_schema_name(path, derived_operation_id("post", path))


def enum_varname(value: Any) -> str:
    text = re.sub(r"[^0-9a-zA-Z]+", "_", str(value)).strip("_").upper() or "EMPTY"
    return text if text[0].isalpha() else f"VALUE_{text}"


def tier_edge(tier: str) -> int | None:
    """The square edge of a tier's result by the documented rule, or None when it has none:
    `NK` is N x 1024 pixels square; `Np` keeps the area of a 16:9 image N pixels high
    (720p: 1280x720, a square of 960)."""
    if match := K_TIER.match(tier):
        return int(match[1]) * 1024
    if match := P_TIER.match(tier):
        return round(int(match[1]) * 4 / 3)
    return None


def normalise_schema(schema: Any) -> Any:
    """A copy of an upstream schema with each `anyOf` of `const`s turned into an enum, and
    `x-enum-varnames` on every enum."""
    if isinstance(schema, list):
        return [normalise_schema(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    found = constants_of(schema) if "anyOf" in schema else None
    if found is not None:
        consts, kinds = found
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        kinds.discard(None)
        enum_schema: dict[str, Any] = {"type": kinds.pop() if len(kinds) == 1 else sorted(kinds)}
        schema = {**enum_schema, "enum": consts, **rest}
    normalised = {key: normalise_schema(value) for key, value in schema.items()}
    choices = normalised.get("enum")
    if isinstance(choices, list) and "x-enum-varnames" not in normalised and None not in choices:
        normalised["x-enum-varnames"] = [enum_varname(choice) for choice in choices]
    return normalised


def request_schema(operation: Mapping[str, Any]) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema: dict[str, Any] = content.get("schema", {})
    return schema


def normalise_operation(operation: Mapping[str, Any]) -> dict[str, Any]:
    """An upstream operation as openapi.yaml writes it (this module's docstring), its schemas
    still inline."""
    normalised = copy.deepcopy(dict(operation))
    body = normalised.get("requestBody")
    if isinstance(body, dict):
        for media in body.get("content", {}).values():
            if "schema" in media:
                media["schema"] = normalise_schema(media["schema"])
    return normalised


def kind_of(path: str, operation: Mapping[str, Any]) -> Mapping[str, str]:
    tags = list(operation.get("tags", []))
    for tag in tags:
        if tag in KINDS:
            return KINDS[tag]
    raise Refused(
        f"the mock has no rule for Krea's tag {tags or 'none'} (it knows "
        f"{', '.join(KINDS)}): no job type and no result media to give its jobs"
    )


def result_rule(model: str, fields: Mapping[str, Any], media_type: str) -> dict[str, Any]:
    """`x-result-images` for a model: its tiers' edges by the documented rule; a tier the rule
    does not cover is refused, naming it."""
    tiers = list(fields.get(TIER_FIELD, {}).get("enum", [])) or ["1K"]
    edges = {}
    for tier in tiers:
        edge = tier_edge(str(tier))
        if edge is None:
            raise Refused(
                f"{TIER_FIELD} {tier!r} has no result size rule (tiers are NK or Np); "
                "add it to x-result-images.tier_edges by hand"
            )
        edges[str(tier)] = edge
    default_tier = str(fields.get(TIER_FIELD, {}).get("default", tiers[0]))
    ratios = [str(r) for r in fields.get("aspect_ratio", {}).get("enum", [])]
    default_ratio = fields.get("aspect_ratio", {}).get("default")
    if default_ratio is None:
        default_ratio = "1:1" if "1:1" in ratios or not ratios else ratios[0]
    rule: dict[str, Any] = {
        "tier_edges": edges,
        "default_tier": default_tier,
        "default_aspect_ratio": str(default_ratio),
        "max_side": MAX_SIDE,
    }
    if media_type != "image/png":
        rule["media_type"] = media_type
    return rule


def roles_of(fields: Mapping[str, Any], parameters: list[Mapping[str, Any]]) -> dict[str, str]:
    roles = {role: role for role in ROLE_FIELDS if role in fields}
    if TIER_FIELD in fields:
        roles["tier"] = TIER_FIELD
    if any(p.get("name") == WEBHOOK_HEADER for p in parameters):
        roles["webhook_url"] = WEBHOOK_HEADER
    return roles


def valid_example(media: Mapping[str, Any], schema: Mapping[str, Any]) -> Any | None:
    """Krea's example when it is valid against its own schema (some omit a required field)."""
    example = media.get("example")
    if example is None:
        return None
    return example if jsonschema.Draft202012Validator(schema).is_valid(example) else None


def new_operation(
    path: str, upstream: Mapping[str, Any], template: Mapping[str, Any] | None
) -> tuple[dict[str, Any], str, dict[str, Any], list[str]]:
    """The operation for openapi.yaml, its request schema's component name and schema, and the
    notes a reviewer should read. `template` is an operation of ours whose shared parts
    (responses, callbacks) the new one reuses: the jobs it answers are the same."""
    kind = kind_of(path, upstream)
    model = model_of(path)
    normalised = normalise_operation(upstream)
    media = normalised.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = dict(media.get("schema", {"type": "object"}))
    fields = schema.get("properties", {})
    notes: list[str] = []
    parameters = list(normalised.get("parameters", []))
    body: dict[str, Any] = {
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name_of(path)}"}}
        },
    }
    example = valid_example(media, schema)
    if example is not None:
        body["content"]["application/json"]["example"] = example
    elif "example" in media:
        notes.append(f"{model}: Krea's request example breaks its own schema; left out")
    operation: dict[str, Any] = {
        "tags": [kind["tag"]],
        "summary": normalised.get("summary", model),
        "description": normalised.get("description", ""),
        "x-krea-job-type": kind["job_type"],
    }
    aliases = normalised.get("x-krea-deprecated-field-aliases")
    if aliases:
        operation["x-krea-deprecated-field-aliases"] = aliases
    pricing = pricing_from(operation["description"], fields)
    if pricing is None:
        notes.append(f"{model}: no compute-unit table in Krea's description; no price")
    else:
        operation["x-pricing"] = {"billed": BILLED, **pricing}
        if pricing.get("per_job", {}).get("upper_bound"):
            notes.append(f"{model}: Krea prices it by more than one field; priced at its most")
    operation["x-request-roles"] = roles_of(fields, parameters)
    operation["x-result-images"] = result_rule(model, fields, kind["media_type"])
    if parameters:
        operation["parameters"] = parameters
    operation["requestBody"] = body
    if template is not None:
        operation["responses"] = template["responses"]
        if "callbacks" in template and operation["x-request-roles"].get("webhook_url"):
            operation["callbacks"] = template["callbacks"]
    else:
        operation["responses"] = normalised.get("responses", {})
    return operation, schema_name_of(path), schema, notes
