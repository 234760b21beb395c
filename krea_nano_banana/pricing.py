"""Cost estimates from the spec's published pricing (`x-pricing`): per completed job."""

from __future__ import annotations

from typing import Any

import krea_nano_banana_spec as spec
from krea_nano_banana.bodies import plain
from krea_nano_banana.errors import InvalidRequestError
from krea_nano_banana_spec.validation import InvalidRequest

Cost = spec.Price


def estimate_cost(model: str | None = None, *, images: int = 1, **fields: Any) -> Cost | None:
    """What `images` completed jobs of `model` with these request `fields` cost (compute units,
    and dollars where Krea publishes them); None when Krea publishes no price for the model.
    Failed and cancelled jobs are free."""
    chosen = spec.generation(model)
    for name in fields:
        if name not in chosen.fields:
            known = ", ".join(chosen.fields)
            problem = InvalidRequest(name, f"unknown field (known: {known})")
            raise InvalidRequestError(chosen.model, problem)
    if chosen.pricing is None:
        return None
    priced = chosen.pricing.by_field
    body = {name: plain(value) for name, value in fields.items()}
    if priced is not None:
        value = body.get(priced, chosen.default(priced))
        if str(value) not in chosen.pricing.by_value:
            allowed = ", ".join(chosen.pricing.by_value)
            problem = InvalidRequest(priced, f"{value!r} has no price (priced: {allowed})")
            raise InvalidRequestError(chosen.model, problem)
    price = chosen.price(body)
    return None if price is None else price.times(images)
