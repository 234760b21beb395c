"""Krea's price tables, parsed from the descriptions of its published document."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import krea_nano_banana_spec as spec
from krea_nano_banana_spec.pricing_tables import TablePrice, parse_compute_unit_table, rows_of
from tests.repository_copy import UPSTREAM

KREA: dict[str, Any] = json.loads(UPSTREAM.read_text())


def description(path: str) -> str:
    return str(KREA["paths"][path]["post"]["description"])


def test_a_table_by_resolution() -> None:
    table = parse_compute_unit_table(description("/generate/image/google/nano-banana-2"))
    assert table is not None
    assert table.columns == ("Resolution",)
    assert table.prices == {
        ("1K",): TablePrice(Decimal("34.4")),
        ("2K",): TablePrice(Decimal("57.8")),
        ("4K",): TablePrice(Decimal("86.5")),
    }


def test_a_single_approximate_price_beside_a_completion_time() -> None:
    table = parse_compute_unit_table(description("/generate/image/bfl/flux-1-dev"))
    assert table is not None
    assert (table.columns, table.prices) == ((), {(): TablePrice(Decimal(3), approximate=True)})
    assert str(table.prices[()]) == "~3"


def test_several_condition_columns() -> None:
    table = parse_compute_unit_table(description("/generate/video/kling/kling-2.1"))
    assert table is not None
    assert table.columns == ("Mode", "Duration")
    assert table.prices[("master", "10s")] == TablePrice(Decimal(1604))
    assert len(table.prices) == 6


def test_no_table_is_none() -> None:
    assert parse_compute_unit_table(description("/generate/enhance/topaz/bloom-enhance")) is None
    assert parse_compute_unit_table("| Mode | Time |\n|---|---|\n| a | 1 |") is None


def test_our_prices_agree_with_the_tables_we_copied_from_krea() -> None:
    for model in spec.generations():
        table = parse_compute_unit_table(str(model.operation.definition.get("description", "")))
        assert table is not None, model.model
        assert model.pricing is not None, model.model
        for row, price in table.prices.items():
            value = row[0] if row else None
            assert model.pricing.price(value).compute_units == price.compute_units, (model, row)


def test_rows_read_as_krea_writes_them() -> None:
    by_resolution = parse_compute_unit_table(description("/generate/image/google/nano-banana-2"))
    single = parse_compute_unit_table(description("/generate/image/bfl/flux-1-dev"))
    assert by_resolution is not None
    assert single is not None
    assert rows_of(by_resolution) == {"1K": "34.4", "2K": "57.8", "4K": "86.5"}
    assert rows_of(single) == {"": "~3"}


def test_a_price_that_is_not_a_finite_number_is_no_price() -> None:
    table = parse_compute_unit_table("| Mode | Compute Units |\n|---|---|\n| a | NaN |\n| b | 4 |")
    assert table is not None
    assert table.prices == {("b",): TablePrice(Decimal(4))}
