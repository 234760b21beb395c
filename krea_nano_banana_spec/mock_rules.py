"""What the mock needs of each model that Krea's document cannot say, checked before anything
is generated: `scripts/regenerate` refuses a spec that lacks it, naming the model and what to
add, rather than letting the mock fall back in silence.

- A job-creating operation (a `POST /generate/...`) must carry `x-krea-job-type`: the `type`
  its jobs report and the `types` filter of `GET /jobs` matches. Krea's document does not state
  it, and without it the operation is not served at all.
- Every value of a model's tier field (the `tier` of `x-request-roles`, e.g. `resolution`) must
  have an edge in its `x-result-images.tier_edges`, and so must `default_tier`: a new tier is a
  new result size, which only a person can choose.

A model without `x-result-images` gets the documented default instead (README, "Result
images"): its `width`/`height` defaults where its schema has them, else a result of 1024x1024
pixels' area that follows the requested aspect ratio.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from krea_nano_banana_spec.normalize import GENERATE_PREFIX, JSON, METHODS, model_of, resolved

JOB_TYPE = "x-krea-job-type"
RESULT_IMAGES = "x-result-images"
ROLES = "x-request-roles"
TIER_ROLE = "tier"


def _request_fields(document: Mapping[str, Any], operation: Mapping[str, Any]) -> Any:
    body = resolved(document, operation.get("requestBody", {}))
    schema = resolved(document, body.get("content", {}).get(JSON, {}).get("schema"))
    return schema.get("properties", {}) if isinstance(schema, dict) else {}


def missing_mock_rules(document: Mapping[str, Any]) -> list[str]:
    """One line per gap, naming the operation or model and what to add; empty when none."""
    problems = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            creates_jobs = method == "post" and path.startswith(GENERATE_PREFIX)
            if creates_jobs and JOB_TYPE not in operation:
                problems.append(
                    f"POST {path}: no {JOB_TYPE}: add the job type its jobs report (the value"
                    " the `types` filter of GET /jobs matches)"
                )
            if JOB_TYPE in operation:
                problems += _tier_gaps(document, path, operation)
    return problems


def _tier_gaps(document: Mapping[str, Any], path: str, operation: Mapping[str, Any]) -> list[str]:
    sizes = operation.get(RESULT_IMAGES)
    if not sizes:
        return []  # the documented default applies
    model = model_of(path)
    edges = {str(tier) for tier in sizes.get("tier_edges", {})}
    tier_field = operation.get(ROLES, {}).get(TIER_ROLE, TIER_ROLE)
    schema = resolved(document, _request_fields(document, operation).get(tier_field, {}))
    tiers = [str(value) for value in schema.get("enum", [])] if isinstance(schema, dict) else []
    problems = [
        f"{model}: {tier_field} {tier!r} has no result size: add it to"
        f" {RESULT_IMAGES}.tier_edges (its square result's edge, in pixels)"
        for tier in tiers
        if tier not in edges
    ]
    default = str(sizes.get("default_tier", ""))
    if default and default not in edges:
        problems.append(f"{model}: {RESULT_IMAGES}.default_tier {default!r} is not in tier_edges")
    return problems
