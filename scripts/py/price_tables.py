"""Krea's prices, read from the compute-unit table in an operation's description, as our
`x-pricing` extension.

Krea publishes prices only as a markdown table in each operation's description: one value
(`| 22.3 |`), one row per value of a request field (`| 2K | 57.8 |`), or rows over several
columns (mode, duration, audio...). Values may be approximate (`~3`). The first two map onto
`x-pricing` exactly (`per_job`, or `by_field` with `by_value`); a table over more than one
column, or over a column that is not a request field, becomes the highest price it lists,
marked `upper_bound` (the CLI says "at most"), so an estimate never comes in under the bill.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

UNITS_COLUMN = "compute units"
# Columns that describe a job but never price it.
IGNORED_COLUMNS = {"average completion time"}
CELL_NUMBER = re.compile(r"^(?P<approx>~)?\s*(?P<value>\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class PriceTable:
    columns: tuple[str, ...]  # the pricing dimensions, as Krea heads them
    rows: tuple[tuple[tuple[str, ...], Decimal, bool], ...]  # (cells, units, approximate)


def read_table(description: str) -> PriceTable | None:
    """The compute-unit table of a description, or None when it has none."""
    lines = [line.strip() for line in description.splitlines()]
    for start, line in enumerate(lines):
        if not line.startswith("|"):
            continue
        header = _cells(line)
        if UNITS_COLUMN not in (cell.lower() for cell in header):
            continue
        units_at = [cell.lower() for cell in header].index(UNITS_COLUMN)
        kept = [
            i
            for i, cell in enumerate(header)
            if i != units_at and cell.lower() not in IGNORED_COLUMNS
        ]
        rows = []
        for row_line in lines[start + 2 :]:
            if not row_line.startswith("|"):
                break
            cells = _cells(row_line)
            match = CELL_NUMBER.match(cells[units_at]) if units_at < len(cells) else None
            if match is None:
                continue
            key = tuple(cells[i] for i in kept)
            rows.append((key, Decimal(match["value"]), bool(match["approx"])))
        return PriceTable(tuple(header[i] for i in kept), tuple(rows))
    return None


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _units(value: Decimal, approximate: bool) -> dict[str, Any]:
    number: int | float = int(value) if value == value.to_integral_value() else float(value)
    entry: dict[str, Any] = {"compute_units": number}
    if approximate:
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
    resolved), without its `billed` sentence; None when the description has no table."""
    table = read_table(description)
    if table is None or not table.rows:
        return None
    if len(table.rows) == 1:
        _, units, approximate = table.rows[0]
        return {"per_job": _units(units, approximate)}
    if len(table.columns) == 1:
        name = field_for(table.columns[0], fields)
        if name is not None:
            values = {cell_value(cells[0], fields[name]) for cells, _, _ in table.rows}
            if None not in values and len(values) == len(table.rows):
                return {
                    "by_field": name,
                    "by_value": {
                        cell_value(cells[0], fields[name]): _units(units, approximate)
                        for cells, units, approximate in table.rows
                    },
                }
    units, approximate = max((units, approx) for _, units, approx in table.rows)
    return {"per_job": {**_units(units, approximate), "upper_bound": True}}
