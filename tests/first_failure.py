"""A property run only as far as its first failure.

A mutant test asks one question, whether the property fails, and not for the smallest failing
example: shrinking that example was most of a caught mutant's time (up to 90 s of 100 on a
loaded machine). The examples drawn, and so what can be caught, are the same.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import Phase, settings

UNTIL_FIRST_FAILURE = "until-first-failure"
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate]


def _without_shrinking(parent: settings) -> settings:
    return settings(parent, phases=_PHASES, report_multiple_bugs=False)


@contextlib.contextmanager
def until_first_failure(
    prop: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Runs `prop` (a `@given` test, or a test that builds its Hypothesis test when called, as
    a state machine's does) without shrinking, under the settings it has otherwise."""
    # A `@given` test keeps the settings it was defined with; one built at call time takes the
    # loaded profile's.
    bound = getattr(prop, "_hypothesis_internal_use_settings", None)
    if bound is not None:
        monkeypatch.setattr(prop, "_hypothesis_internal_use_settings", _without_shrinking(bound))
    loaded = settings.get_current_profile_name()
    settings.register_profile(UNTIL_FIRST_FAILURE, _without_shrinking(settings.get_profile(loaded)))
    settings.load_profile(UNTIL_FIRST_FAILURE)
    try:
        yield
    finally:
        settings.load_profile(loaded)
