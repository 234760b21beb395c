"""Cost estimates from the spec's documented pricing (`x-pricing`): per completed job."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from krea_api_client.models import Resolution

from krea_nano_banana import spec


@dataclass(frozen=True)
class Cost:
    usd: Decimal
    compute_units: Decimal

    def __str__(self) -> str:
        return f"${self.usd} ({self.compute_units} compute units)"


def estimate_cost(resolution: Resolution | str = Resolution.RES_1K, images: int = 1) -> Cost:
    """What `images` completed jobs at `resolution` cost; failed and cancelled jobs are free."""
    price = spec.pricing()[str(resolution)]
    return Cost(price.usd * images, price.compute_units * images)
