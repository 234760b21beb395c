"""The contract suite's spend guard: what it lets a live run create against a paid server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from krea_nano_banana_contract.spending import SpendGuard, dearest_usd_per_compute_unit, usd_of

import krea_nano_banana_spec as spec


def test_a_free_server_is_never_charged() -> None:
    guard = SpendGuard(free=True, limit_usd=None)
    guard.charge(spec.default_model(), {})
    assert guard.spent_usd == 0


def test_a_paid_server_without_a_budget_creates_nothing() -> None:
    guard = SpendGuard(free=False, limit_usd=None)
    assert not guard.may_spend
    with pytest.raises(pytest.skip.Exception, match="--max-spend-usd"):
        guard.charge(spec.default_model(), {})


def test_the_budget_is_charged_at_published_prices_until_it_would_be_exceeded() -> None:
    model = spec.default_model()
    one_job = usd_of(model, {})
    assert one_job is not None
    assert one_job > 0
    guard = SpendGuard(free=False, limit_usd=one_job * 2)
    guard.charge(model, {})
    guard.charge(model, {})
    assert guard.spent_usd == one_job * 2
    with pytest.raises(pytest.skip.Exception, match="spend guard"):
        guard.charge(model, {})
    assert guard.spent_usd == one_job * 2  # the refused job is not counted


def test_models_priced_in_compute_units_only_are_converted_at_the_dearest_rate() -> None:
    rate = dearest_usd_per_compute_unit()
    assert rate is not None
    for generation in spec.generations():
        price = generation.price({})
        if price is not None and price.usd is None:
            assert usd_of(generation.model, {}) == price.compute_units * rate
        elif price is not None:
            assert usd_of(generation.model, {}) == price.usd
    published = [
        p.usd / p.compute_units
        for g in spec.generations()
        for p in [g.price({})]
        if p is not None and p.usd is not None
    ]
    assert all(rate >= r for r in published)
    assert isinstance(rate, Decimal)
