"""Result images: the pixel size a request gets, and a real PNG of that size, made on demand.

Krea does not document output sizes; the mock's rule is the spec's `x-result-images` on each
generation operation (documented in the README): a tier's square image has the tier's edge,
other aspect ratios keep its pixel area, each side rounded to a multiple of 16. Explicit width
and height win, scaled down (aspect ratio kept) when larger than the model's largest result,
so that no request costs more to render than the mock's own biggest image.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Mapping
from typing import Any

import krea_nano_banana_spec as spec

ALIGN = 16
# A generation operation without `x-result-images` gets 1024-pixel squares ("" is no ratio).
FALLBACK = spec.ResultImages(
    tier_edges={}, default_tier="", default_aspect_ratio="", max_side=16384
)
FALLBACK_EDGE = 1024
HUGE = 1e15  # a requested side beyond this is "too large" alike: derived sides stay finite


def _aligned(value: float) -> int:
    return max(ALIGN, round(value / ALIGN) * ALIGN)


def ratio(aspect_ratio: str) -> float:
    across, _, down = aspect_ratio.partition(":")
    try:
        value = int(across) / int(down)
    except (ValueError, ZeroDivisionError):
        return 1.0  # a model whose aspect ratios are not "W:H" gets squares
    return value if value > 0 else 1.0


@functools.cache
def table_size(aspect_ratio: str, edge: int) -> tuple[int, int]:
    """The size of a result at a tier whose square image has this edge."""
    r = ratio(aspect_ratio)
    return _aligned(edge * math.sqrt(r)), _aligned(edge / math.sqrt(r))


def _rules(model: spec.Generation) -> spec.ResultImages:
    return model.result_images or FALLBACK


def _choices(model: spec.Generation, role: str) -> tuple[str, ...]:
    name = model.field(role)
    return tuple(model.fields[name].get("enum", ())) if name else ()


@functools.cache
def largest_area(model: spec.Generation) -> int:
    """The pixel area of the model's largest table size: what no result may exceed."""
    rules = _rules(model)
    edges = list(rules.tier_edges.values()) or [FALLBACK_EDGE]
    ratios = _choices(model, spec.Role.ASPECT_RATIO) or (rules.default_aspect_ratio,)
    return max(w * h for a in ratios for e in edges for w, h in [table_size(a, e)])


def _fit(width: float, height: float, model: spec.Generation) -> tuple[int, int]:
    """A size over the model's bounds is scaled down to them, keeping its aspect ratio; a side
    under a pixel becomes a pixel (Krea publishes some models' sides without bounds, so zero
    and negative ones are valid requests). Scaled in steps, so that no product overflows."""
    width, height = max(width, 1.0), max(height, 1.0)
    by_side = min(1.0, _rules(model).max_side / max(width, height))
    width, height = max(width * by_side, 1.0), max(height * by_side, 1.0)
    by_area = min(1.0, math.sqrt(largest_area(model) / (width * height)))
    return max(1, math.floor(width * by_area)), max(1, math.floor(height * by_area))


@functools.cache
def _sizing(model: spec.Generation) -> tuple[tuple[str | None, ...], tuple[Any, ...]]:
    """The fields that size a result (width, height, aspect ratio, tier) and their defaults."""
    rules = _rules(model)
    roles = (spec.Role.WIDTH, spec.Role.HEIGHT, spec.Role.ASPECT_RATIO, spec.Role.TIER)
    names = tuple(model.field(role) for role in roles)
    fallbacks = (None, None, rules.default_aspect_ratio, rules.default_tier)
    defaults = tuple(
        fallback if name is None or model.default(name) is None else model.default(name)
        for name, fallback in zip(names, fallbacks, strict=True)
    )
    return names, defaults


def result_size(model: spec.Generation, body: Mapping[str, Any]) -> tuple[int, int]:
    """The size of the image a (valid) request gets."""
    (width_field, height_field, ratio_field, tier_field), defaults = _sizing(model)
    width = defaults[0] if width_field is None else body.get(width_field, defaults[0])
    height = defaults[1] if height_field is None else body.get(height_field, defaults[1])
    aspect_ratio = defaults[2] if ratio_field is None else body.get(ratio_field, defaults[2])
    if width is not None or height is not None:
        width = None if width is None else min(width, HUGE)
        height = None if height is None else min(height, HUGE)
        if width is not None and height is not None:
            return _fit(width, height, model)
        if width is not None:
            return _fit(width, width / ratio(aspect_ratio), model)
        assert height is not None
        return _fit(height * ratio(aspect_ratio), height, model)
    tier = defaults[3] if tier_field is None else body.get(tier_field, defaults[3])
    rules = _rules(model)
    edge = rules.tier_edges.get(tier, rules.tier_edges.get(rules.default_tier, FALLBACK_EDGE))
    return table_size(aspect_ratio, edge)


@functools.lru_cache(maxsize=16)
def render_png(width: int, height: int) -> bytes:
    """A diagonal-gradient PNG; cached by size, so jobs hold no image data."""
    from PIL import Image  # only when an image is asked for: the server starts without it

    horizontal = Image.linear_gradient("L").rotate(90).resize((width, height))
    vertical = Image.linear_gradient("L").resize((width, height))
    blue = Image.new("L", (width, height), 160)
    buffer = io.BytesIO()
    Image.merge("RGB", (horizontal, vertical, blue)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
