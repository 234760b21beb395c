"""Warnings for deprecated fields in an untyped passthrough (the typed API cannot send them)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import krea_nano_banana_spec as spec


def warn_on_aliases(
    extra_body: Mapping[str, Any], aliases: Sequence[spec.DeprecatedAlias], stacklevel: int = 3
) -> None:
    for alias in aliases:
        if alias.alias in extra_body:
            warnings.warn(
                f"{alias.alias!r} is deprecated: use {alias.replacement!r}. Krea accepts it "
                f"until {alias.sunset_date} and refuses it from then on ({alias.migration_url}).",
                DeprecationWarning,
                stacklevel=stacklevel,
            )
