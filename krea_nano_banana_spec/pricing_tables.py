"""Krea's prices as it publishes them: a markdown table in each operation's description.

Krea's document states prices nowhere else. A table has one "Compute Units" column (or
"Compute Units/Step"), condition columns before it (`Resolution`, `Mode`, `Duration`, ...) and
sometimes columns after it that are not conditions (`Average Completion Time`). A price may be
approximate (`~3`). Every table of Krea's document has one of these shapes:

    | Resolution | Compute Units |     | Compute Units |     | Compute Units | Average ... Time |
    |------------|---------------|     |---------------|     |---------------|------------------|
    | 1K         | 34.4          |     | 22.3          |     | ~3            | ~7 seconds       |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

PRICE_COLUMN = re.compile(r"^compute units\b", re.IGNORECASE)
NOT_CONDITIONS = re.compile(r"time", re.IGNORECASE)  # "Average Completion Time"
APPROXIMATE = "~"


@dataclass(frozen=True, slots=True)
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
        return TablePrice(Decimal(text.lstrip(APPROXIMATE).strip()), approximate)
    except InvalidOperation:
        return None


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
