"""The deprecated camelCase request aliases, as Krea's `x-krea-deprecated-field-aliases` says.

Before its sunset an alias is renamed to its replacement and the response says so with
`Deprecation`, `Sunset` and `Link` headers; from the sunset instant on it is a 400 naming the
replacement. Sending an alias together with its replacement is ambiguous, so it is a 400 too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from email.utils import format_datetime
from typing import Any

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.http_layer.validation import InvalidRequest


def apply_aliases(
    body: dict[str, Any],
    aliases: Sequence[spec.DeprecatedAlias],
    now: Callable[[], datetime],
) -> list[spec.DeprecatedAlias]:
    """Renames accepted aliases in `body` in place; returns the aliases that were used.
    `now` is asked only when an alias is present: most bodies have none."""
    used = []
    for alias in aliases:
        if alias.alias not in body:
            continue
        if now() >= alias.sunset:
            raise InvalidRequest(
                alias.alias,
                f"this deprecated alias is no longer accepted since {alias.sunset_date}; "
                f"use {alias.replacement}",
            )
        if alias.replacement in body:
            raise InvalidRequest(
                alias.alias,
                f"deprecated alias of {alias.replacement}; send only {alias.replacement}",
            )
        body[alias.replacement] = body.pop(alias.alias)
        used.append(alias)
    return used


def blame_alias(error: InvalidRequest, used: list[spec.DeprecatedAlias]) -> InvalidRequest:
    """Names fields as the caller sent them when a renamed alias turns out to be invalid."""
    if not used:
        return error
    problems = [InvalidRequest(error.field, error.reason), *error.others]
    return InvalidRequest.joined([_as_sent(problem, used) for problem in problems])


def _as_sent(problem: InvalidRequest, used: list[spec.DeprecatedAlias]) -> InvalidRequest:
    for alias in used:
        root = alias.replacement
        if problem.field == root or problem.field.startswith((f"{root}.", f"{root}[")):
            sent = f"{alias.alias} (deprecated alias of {root})" + problem.field[len(root) :]
            return InvalidRequest(sent, problem.reason)
    return problem


def deprecation_headers(used: list[spec.DeprecatedAlias]) -> list[tuple[str, str]]:
    if not used:
        return []
    soonest = min(used, key=lambda a: a.sunset)
    links = ", ".join(
        sorted({f'<{a.migration_url}>; rel="deprecation"; type="text/html"' for a in used})
    )
    return [
        ("Deprecation", "true"),
        ("Sunset", format_datetime(soonest.sunset, usegmt=True)),
        ("Link", links),
    ]
