"""Krea's compute-unit tables, as spec-sync reads them into `x-pricing`, on Krea's own
descriptions: one row per value of a field, a single value, an approximate one, a table over
several columns, and no table."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts" / "py"))

from spec_sync_import import normalise_schema

from krea_nano_banana_spec.pricing_tables import pricing_from

KREA = json.loads((Path(__file__).with_name("data") / "krea-openapi.json").read_text())


def pricing_of(path: str) -> dict[str, Any] | None:
    operation = KREA["paths"][path]["post"]
    schema = normalise_schema(operation["requestBody"]["content"]["application/json"]["schema"])
    return pricing_from(operation["description"], schema["properties"])


def test_one_row_per_value_of_a_field_is_priced_by_that_field() -> None:
    assert pricing_of("/generate/image/google/nano-banana-2") == {
        "by_field": "resolution",
        "by_value": {
            "1K": {"compute_units": 34.4},
            "2K": {"compute_units": 57.8},
            "4K": {"compute_units": 86.5},
        },
    }


def test_durations_are_the_field_s_numbers() -> None:
    pricing = pricing_of("/generate/video/kling/kling-2.5")
    assert pricing == {
        "by_field": "duration",
        "by_value": {"5": {"compute_units": 200}, "10": {"compute_units": 401}},
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/generate/image/google/nano-banana", {"compute_units": 22.3}),
        ("/generate/image/bfl/flux-1-dev", {"compute_units": 3, "approximate": True}),
        ("/generate/image/google/imagen-3", {"compute_units": 22.9}),  # one row of a "Model"
    ],
)
def test_a_single_value_is_the_price_per_job(path: str, expected: dict[str, Any]) -> None:
    assert pricing_of(path) == {"per_job": expected}


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/generate/video/kling/kling-2.1", 1604),  # mode x duration
        ("/generate/image/ideogram/ideogram-3", 85.9),  # a column that is no request field
        ("/generate/video/bytedance/seedance-1.0-pro", 947),  # and approximate
    ],
)
def test_a_table_over_more_than_a_field_is_priced_at_its_most(path: str, most: float) -> None:
    pricing = pricing_of(path)
    assert pricing is not None
    assert pricing["per_job"]["compute_units"] == most
    assert pricing["per_job"]["upper_bound"] is True


def test_no_table_no_price() -> None:
    assert pricing_of("/generate/image/bytedance/seededit") is None


def test_every_generation_operation_of_krea_has_a_reading() -> None:
    # Either a price or none, never an error: spec-sync reads every description Krea publishes.
    readings = {
        path: pricing_of(path)
        for path, item in KREA["paths"].items()
        if path.startswith("/generate/") and "post" in item
    }
    priced = [path for path, pricing in readings.items() if pricing is not None]
    assert len(readings) == 56
    assert len(priced) == 51  # the three Topaz enhancers, SeedEdit and Aleph publish no table
