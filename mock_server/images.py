"""Result images: the pixel size a request gets, and a real PNG of that size, made on demand.

Krea does not document output sizes; the mock's rule (documented in the README) keeps the
tier's pixel area and follows the aspect ratio: the long side of 1:1 is 1024 (1K), 2048 (2K)
or 4096 (4K), each side rounded to a multiple of 16. Explicit width and height win.
"""

from __future__ import annotations

import functools
import io
import math

from krea_nano_banana import spec

ALIGN = 16


def _aligned(value: float) -> int:
    return max(ALIGN, round(value / ALIGN) * ALIGN)


def ratio(aspect_ratio: str) -> float:
    across, down = aspect_ratio.split(":")
    return int(across) / int(down)


def tier_edge(resolution: str) -> int:
    """The long side of a square image at this tier: "1K" -> 1024, "2K" -> 2048, ..."""
    return int(resolution.removesuffix("K")) * 1024


@functools.cache
def table_size(aspect_ratio: str, resolution: str) -> tuple[int, int]:
    edge = tier_edge(resolution)
    r = ratio(aspect_ratio)
    return _aligned(edge * math.sqrt(r)), _aligned(edge / math.sqrt(r))


@functools.cache
def side_bounds() -> tuple[int, int]:
    """The spec's bounds on `width` and `height`."""
    body = spec.request_body_schema()["properties"]
    return int(body["width"]["minimum"]), int(body["width"]["maximum"])


def _derived(value: float) -> int:
    low, high = side_bounds()
    return min(high, max(low, round(value)))


def result_size(
    aspect_ratio: str, resolution: str, width: float | None, height: float | None
) -> tuple[int, int]:
    """Explicit sides win; a missing side follows the aspect ratio within the spec's bounds."""
    if width is not None and height is not None:
        return round(width), round(height)
    if width is not None:
        return round(width), _derived(width / ratio(aspect_ratio))
    if height is not None:
        return _derived(height * ratio(aspect_ratio)), round(height)
    return table_size(aspect_ratio, resolution)


@functools.cache
def servable_area() -> int:
    """The largest image the mock renders: the biggest size a valid request can get."""
    largest_side = side_bounds()[1]
    from_table = max(
        w * h
        for a in spec.enum_values("AspectRatio")
        for r in spec.enum_values("Resolution")
        for w, h in [table_size(a, r)]
    )
    return max(largest_side**2, from_table)


def is_servable(width: int, height: int) -> bool:
    return 1 <= width <= 32768 and 1 <= height <= 32768 and width * height <= servable_area()


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
