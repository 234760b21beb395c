"""A model or a tier the mock has no rule for is refused by regenerate, naming it."""

from __future__ import annotations

import copy
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml

import krea_nano_banana_spec as spec
from krea_nano_banana_spec.mock_rules import missing_mock_rules
from krea_nano_banana_spec.normalize import normalize
from tests.repository_copy import ROOT

OURS: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())


def tiered() -> spec.Generation:
    """A model of the spec with a tier field and result sizes per tier."""
    return next(g for g in spec.generations() if g.field(spec.Role.TIER) and g.result_images)


def with_new_tier(document: dict[str, Any]) -> tuple[dict[str, Any], str]:
    edited = copy.deepcopy(document)
    model = tiered()
    tiers = model.fields[str(model.field(spec.Role.TIER))]["enum"]
    new_tier = next(f"{n}K" for n in range(1, 100) if f"{n}K" not in tiers)
    schema = edited["components"]["schemas"][model.request_schema_name]
    tier = schema["properties"][str(model.field(spec.Role.TIER))]
    if "$ref" in tier:  # the tier's own schema, shared or not: give this model its own
        tier = copy.deepcopy(spec.inline_refs(tier))
        schema["properties"][str(model.field(spec.Role.TIER))] = tier
    tier["enum"] = [*tier["enum"], new_tier]
    if "x-enum-varnames" in tier:  # named, as the generator needs: only the size is missing
        tier["x-enum-varnames"] = [*tier["x-enum-varnames"], f"TIER_{new_tier}"]
    return edited, new_tier


def test_the_shipped_spec_gives_the_mock_every_rule() -> None:
    assert missing_mock_rules(normalize(OURS)) == []


def test_a_tier_without_a_result_size_is_named() -> None:
    edited, new_tier = with_new_tier(OURS)
    problems = missing_mock_rules(normalize(edited))
    assert problems == [
        f"{tiered().model}: {tiered().field(spec.Role.TIER)} {new_tier!r} has no result size:"
        " add it to x-result-images.tier_edges (its square result's edge, in pixels)"
    ]


def test_a_job_creating_operation_without_a_job_type_is_named() -> None:
    edited = copy.deepcopy(OURS)
    path = f"/generate/image/acme/model-{uuid.uuid4().hex[:8]}"
    operation = copy.deepcopy(edited["paths"][spec.generation().path]["post"])
    operation.pop("operationId")
    operation.pop("x-krea-job-type")
    edited["paths"][path] = {"post": operation}
    (problem,) = missing_mock_rules(normalize(edited))
    assert problem.startswith(f"POST {path}: no x-krea-job-type")


def test_regenerate_refuses_it_before_generating(tmp_path: Path) -> None:
    edited, new_tier = with_new_tier(OURS)
    written = tmp_path / "openapi.yaml"
    written.write_text(yaml.safe_dump(edited, sort_keys=False))
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "py" / "regenerate.py"),
            "--check",
            "--spec",
            str(written),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "openapi.yaml lacks what the mock needs:" in result.stderr
    assert repr(new_tier) in result.stderr
