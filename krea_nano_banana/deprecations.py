"""Warnings for deprecated fields in an untyped passthrough (the typed API cannot send them)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import krea_nano_banana_spec as spec


def warn_on_aliases(
    extra_body: Mapping[str, Any],
    aliases: Sequence[spec.DeprecatedAlias],
    stacklevel: int = 3,
    now: datetime | None = None,
) -> None:
    """Warns of each alias in `extra_body`, in the tense the sunset calls for at `now`
    (default: the real time, which is Krea's, whatever a mock's clock says)."""
    now = now or datetime.now(UTC)
    for alias in aliases:
        if alias.alias in extra_body:
            when = (
                f"Krea has refused it since {alias.sunset_date}, so this request will fail"
                if now >= alias.sunset
                else f"Krea accepts it until {alias.sunset_date} and refuses it from then on"
            )
            warnings.warn(
                f"{alias.alias!r} is deprecated: use {alias.replacement!r}. {when} "
                f"({alias.migration_url}).",
                DeprecationWarning,
                stacklevel=stacklevel,
            )
