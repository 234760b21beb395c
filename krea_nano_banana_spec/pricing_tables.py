"""Krea's prices as it publishes them: a markdown table in each operation's description.

Krea's document states prices nowhere else. A table has one "Compute Units" column (or
"Compute Units/Step"), condition columns before it (`Resolution`, `Mode`, `Duration`, ...) and
sometimes columns after it that are not conditions (`Average Completion Time`). A price may be
approximate (`~3`). Every table of Krea's document has one of these shapes:

    | Resolution | Compute Units |     | Compute Units |     | Compute Units | Average ... Time |
    |------------|---------------|     |---------------|     |---------------|------------------|
    | 1K         | 34.4          |     | 22.3          |     | ~3            | ~7 seconds       |

`pricing_from` maps a table onto our `x-pricing` extension (spec-sync writes it): one value
becomes `per_job`; one row per value of one request field becomes `by_field`/`by_value`; a table
over several columns, or over a column that is not a request field, becomes the highest price it
lists, marked `upper_bound` (the CLI says "at most"), so an estimate never comes in under the
bill. spec-diff compares the rows themselves (`rows_of`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

PRICE_COLUMN = re.compile(r"^compute units\b", re.IGNORECASE)
NOT_CONDITIONS = re.compile(r"time", re.IGNORECASE)  # "Average Completion Time"
APPROXIMATE = "~"
PER_JOB_UNIT = "compute units"


@dataclass(frozen=True, slots=True, order=True)
class TablePrice:
    compute_units: Decimal
    approximate: bool = False  # written `~3`

    def __str__(self) -> str:
        return f"{APPROXIMATE if self.approximate else ''}{self.compute_units}"


@dataclass(frozen=True, slots=True)
class ComputeUnitTable:
    """A description's price table: the condition columns (none for a single price) and,
    for each row of their values, the price."""

    unit: str  # the price column's header: "Compute Units", "Compute Units/Step"
    columns: tuple[str, ...]
    prices: Mapping[tuple[str, ...], TablePrice]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _price(text: str) -> TablePrice | None:
    approximate = text.startswith(APPROXIMATE)
    try:
        value = Decimal(text.lstrip(APPROXIMATE).strip())
    except InvalidOperation:
        return None
    return TablePrice(value, approximate) if value.is_finite() else None


def parse_compute_unit_table(description: str) -> ComputeUnitTable | None:
    """The first table of `description` with a compute-unit column, or None if it has none.
    Rows whose price is not a number are skipped."""
    lines = description.splitlines()
    for start, line in enumerate(lines):
        if not line.strip().startswith("|"):
            continue
        header = _cells(line)
        price_at = next((i for i, h in enumerate(header) if PRICE_COLUMN.match(h)), None)
        if price_at is None:
            continue
        conditions = [
            i for i, h in enumerate(header) if i != price_at and not NOT_CONDITIONS.search(h)
        ]
        prices: dict[tuple[str, ...], TablePrice] = {}
        for row in lines[start + 1 :]:
            if not row.strip().startswith("|"):
                break
            cells = _cells(row)
            if len(cells) != len(header) or set("".join(cells)) <= set("-: "):
                continue  # the separator row, or a malformed one
            price = _price(cells[price_at])
            if price is not None:
                prices[tuple(cells[i] for i in conditions)] = price
        return ComputeUnitTable(header[price_at], tuple(header[i] for i in conditions), prices)
    return None


def rows_of(table: ComputeUnitTable) -> dict[str, str]:
    """The table's prices as text, keyed by their row's conditions joined by spaces ("1K",
    "" for a single price): `~3` when approximate."""
    return {" ".join(row): str(price) for row, price in table.prices.items()}


def _units(price: TablePrice) -> dict[str, Any]:
    value = price.compute_units
    number: int | float = int(value) if value == value.to_integral_value() else float(value)
    entry: dict[str, Any] = {"compute_units": number}
    if price.approximate:
        entry["approximate"] = True
    return entry


def field_for(column: str, fields: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The request field a column heads (`Resolution` -> `resolution`), if there is one."""
    name = re.sub(r"\W+", "_", column.strip().lower()).strip("_")
    return name if name in fields else None


def cell_value(cell: str, schema: Mapping[str, Any]) -> str | None:
    """A table cell as the value of its field, written as `x-pricing` keys it (a string), or
    None when the cell is not one of the field's values."""
    kinds = schema.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    text = cell.strip()
    if kinds & {"number", "integer"}:
        text = text.removesuffix("s")  # durations: "5s"
    choices = schema.get("enum")
    if choices is not None and text not in {str(choice) for choice in choices}:
        return None
    return text


def pricing_from(
    description: str, fields: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any] | None:
    """`x-pricing` for an operation with this description and these request fields (schemas
    resolved), without its `billed` sentence; None when the description has no priced row."""
    table = parse_compute_unit_table(description)
    if table is None or not table.prices or table.unit.lower() != PER_JOB_UNIT:
        return None  # "Compute Units/Step" prices a step, not a job
    rows = list(table.prices.items())
    if len(rows) == 1:
        return {"per_job": _units(rows[0][1])}
    if len(table.columns) == 1:
        name = field_for(table.columns[0], fields)
        if name is not None:
            values = {cell_value(cells[0], fields[name]) for cells, _ in rows}
            if None not in values and len(values) == len(rows):
                return {
                    "by_field": name,
                    "by_value": {
                        cell_value(cells[0], fields[name]): _units(price) for cells, price in rows
                    },
                }
    most = max(price for _, price in rows)
    return {"per_job": {**_units(most), "upper_bound": True}}
