"""The spend guard: a live run against a paid server creates jobs only within a dollar budget.

Krea publishes dollar prices for some models only; for the others the guard converts compute
units at the dearest rate any model publishes both for, so it overestimates rather than under.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

import krea_nano_banana_spec as spec


def every_price(pricing: spec.Pricing) -> list[spec.Price]:
    return [pricing.per_job] if pricing.per_job is not None else list(pricing.by_value.values())


def dearest_usd_per_compute_unit() -> Decimal | None:
    rates = [
        price.usd / price.compute_units
        for generation in spec.generations()
        if generation.pricing is not None
        for price in every_price(generation.pricing)
        if price.usd is not None and price.compute_units
    ]
    return max(rates, default=None)


def usd_of(model: str, body: Any) -> Decimal | None:
    generation = spec.generation(model)
    if generation.pricing is None:
        return None
    try:
        price = generation.price(body if isinstance(body, dict) else {})
    except KeyError:  # a value the server will refuse; priced as the dearest, to be safe
        price = max(every_price(generation.pricing), key=lambda p: p.compute_units)
    if price is None:
        return None
    if price.usd is not None:
        return price.usd
    rate = dearest_usd_per_compute_unit()
    return None if rate is None else price.compute_units * rate


class SpendGuard:
    """`limit_usd=None` with `free=True`: a server that costs nothing (loopback). `free=False`
    and no limit: nothing may be created."""

    def __init__(self, *, free: bool, limit_usd: Decimal | None) -> None:
        self.free = free
        self.limit_usd = limit_usd
        self.spent_usd = Decimal(0)
        self._lock = threading.Lock()

    @property
    def may_spend(self) -> bool:
        return self.free or self.limit_usd is not None

    def why_not(self) -> str:
        return (
            "creating jobs on a server that is not loopback costs money:"
            " pass --max-spend-usd (or set KREA_MAX_SPEND_USD)"
        )

    def charge(self, model: str, body: Any) -> None:
        """Counts one job's price against the budget before it is created; skips the test
        that would go over it."""
        if self.free:
            return
        if self.limit_usd is None:
            pytest.skip(self.why_not())
        cost = usd_of(model, body)
        if cost is None:
            pytest.skip(f"Krea publishes no price for {model}: the spend guard cannot bound it")
        with self._lock:
            if self.spent_usd + cost > self.limit_usd:
                pytest.skip(
                    f"spend guard: ${self.spent_usd:.2f} of ${self.limit_usd} spent;"
                    f" a {model} job (${cost:.4f}) would go over"
                )
            self.spent_usd += cost
