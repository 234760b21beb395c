"""The mock renders instants the way the API shows them, from a per-second cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from krea_nano_banana_mock.http_layer.representation import timestamp

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(
    instants=st.lists(
        st.datetimes(
            min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
        ),
        min_size=1,
        max_size=20,
    )
)
def test_rendering_matches_iso_8601_in_utc_whatever_came_before(instants: list[datetime]) -> None:
    for instant in instants:  # several in a row: a cached second must never leak into another
        utc = instant.astimezone(UTC)
        assert timestamp(instant) == utc.isoformat(timespec="milliseconds")[:-6] + "Z"
