"""The deprecated aliases around their sunset: the day before, the day of, and after."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

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


def aliases_of(target: Target) -> list[tuple[str, spec.DeprecatedAlias]]:
    return [(model, alias) for model, alias in ALIASES if model in target.models]


@given(data=st.data(), moment=moments())
def test_aliases_are_accepted_before_the_sunset_and_refused_from_it(
    steerable: Target, data: st.DataObject, moment: tuple[str, timedelta]
) -> None:
    model, alias = data.draw(st.sampled_from(aliases_of(steerable)), label="alias")
    side, offset = moment
    steering = steerable.steering
    assert steering is not None
    saved, started = steering.now(), time.monotonic()
    steering.set_now(alias.sunset + offset)
    try:
        assert_side(steerable, model, alias, side)
    finally:  # the server's clock goes on from where it was, as if never touched
        steering.set_now(saved + timedelta(seconds=time.monotonic() - started))


def test_server_is_consistently_on_one_side_of_the_sunset(spending: Target) -> None:
    """What a live run can check without a clock. Each alias has its own sunset: one probe per
    sunset date tells the server's side of it, every alias of that date must agree, and the
    sides must be in order (a server past a later sunset is past every earlier one)."""
    by_sunset: dict[datetime, list[tuple[str, spec.DeprecatedAlias]]] = {}
    for model, alias in aliases_of(spending):
        by_sunset.setdefault(alias.sunset, []).append((model, alias))
    sides = []
    for sunset in sorted(by_sunset):
        (model, first), *_ = by_sunset[sunset]
        with spending.client(spending.fresh_token()) as client:
            probe = client.create(body_with(model, first), model=model)
        side = "before" if probe.status_code == 200 else "after"
        for model, alias in by_sunset[sunset]:
            assert_side(spending, model, alias, side)
        sides.append((sunset, side))
    ordered = [side for _, side in sides]
    assert ordered == sorted(ordered), f"past a later sunset but not an earlier one: {sides}"
