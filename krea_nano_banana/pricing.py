"""Cost estimates from the spec's published pricing (`x-pricing`): per completed job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import krea_nano_banana_spec as spec
from krea_nano_banana.bodies import generation, plain
from krea_nano_banana.errors import InvalidRequestError
from krea_nano_banana_spec.validation import InvalidRequest

if TYPE_CHECKING:
    from krea_nano_banana.signatures import ModelName

Cost = spec.Price


def estimate_cost(model: ModelName | None = None, *, images: int = 1, **fields: Any) -> Cost | None:
    """What `images` completed jobs of `model` with these request `fields` cost (compute units,
    and dollars where Krea publishes them); None when Krea publishes no price for the model.
    Failed and cancelled jobs are free."""
    if isinstance(images, bool) or not isinstance(images, int) or images < 1:
        raise InvalidRequestError.argument("images", f"{images!r} is not a whole number >= 1")
    chosen = generation(model)
    for name in fields:
        if name not in chosen.fields:
            known = ", ".join(chosen.fields)
            problem = InvalidRequest(name, f"unknown field (known: {known})")
            raise InvalidRequestError(chosen.model, problem)
    body = {name: plain(value) for name, value in fields.items()}
    pricing = chosen.pricing
    try:
        price = chosen.price(body)
    except KeyError as missing:  # a value of the priced field that has no price
        field = pricing.by_field if pricing is not None else None
        allowed = ", ".join(pricing.by_value) if pricing is not None else ""
        reason = f"{missing.args[0]!r} has no price (priced: {allowed})"
        raise InvalidRequestError(chosen.model, InvalidRequest(str(field), reason)) from None
    return None if price is None else price.times(images)
