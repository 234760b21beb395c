"""The deprecated aliases around their sunset: the day before, the day of, and after."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

import krea_nano_banana_spec as spec
from krea_nano_banana_contract.strategies import minimal_body, minimal_value
from krea_nano_banana_contract.target import Target

# Every alias of every model, as (model, alias).
ALIASES = [(g.model, alias) for g in spec.generations() for alias in g.aliases]


def body_with(model: str, alias: spec.DeprecatedAlias) -> dict[str, object]:
    """A valid request to `model` that sets the alias's field through the alias."""
    replaced = spec.generation(model).fields[alias.replacement]
    return {**minimal_body(model), alias.alias: minimal_value(replaced)}


def moments() -> st.SearchStrategy[tuple[str, timedelta]]:
    """(side, offset from the sunset instant)."""
    return st.one_of(
        st.tuples(st.just("before"), st.timedeltas(timedelta(days=-1), timedelta(microseconds=-1))),
        st.tuples(st.just("after"), st.timedeltas(timedelta(0), timedelta(days=1))),  # the day of
        st.tuples(st.just("after"), st.timedeltas(timedelta(days=1), timedelta(days=400))),
    )


def assert_side(target: Target, model: str, alias: spec.DeprecatedAlias, side: str) -> None:
    with target.client(target.fresh_token()) as client:
        response = client.create(body_with(model, alias), model=model)
    if side == "before":
        assert response.status_code == 200, response.text
        assert response.headers["Deprecation"] == "true"
        assert response.headers["Sunset"] == alias.sunset.strftime("%a, %d %b %Y %H:%M:%S GMT")
        assert alias.migration_url in response.headers["Link"]
        assert 'rel="deprecation"' in response.headers["Link"]
    else:
        assert response.status_code == 400, response.text
        assert alias.replacement in response.json()["error"]


@given(which=st.sampled_from(ALIASES), moment=moments())
def test_aliases_are_accepted_before_the_sunset_and_refused_from_it(
    in_process: Target, which: tuple[str, spec.DeprecatedAlias], moment: tuple[str, timedelta]
) -> None:
    model, alias = which
    side, offset = moment
    mock = in_process.mock
    assert mock is not None
    saved = mock.clock.now()
    mock.set_now(alias.sunset + offset)
    try:
        assert_side(in_process, model, alias, side)
    finally:
        mock.set_now(saved)


def test_server_is_consistently_on_one_side_of_the_sunset(spending: Target) -> None:
    """What a live run can check without a clock: one probe tells the side; all agree."""
    model, first = ALIASES[0]
    with spending.client(spending.fresh_token()) as client:
        probe = client.create(body_with(model, first), model=model)
    side = "before" if probe.status_code == 200 else "after"
    for model, alias in ALIASES:
        assert_side(spending, model, alias, side)
