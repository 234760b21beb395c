"""Job-status transitions, as any client polling the server sees them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import krea_nano_banana_spec as spec
from krea_nano_banana_contract.checks import (
    job_fields_match_its_status,
    statuses_follow_the_lifecycle,
    terminal_statuses_absorb,
)
from krea_nano_banana_contract.strategies import minimal_body
from krea_nano_banana_contract.target import Target

LIFECYCLE = spec.lifecycle()


@pytest.fixture(scope="module", autouse=True)
def every_step_visible(target: Target) -> Iterator[None]:
    """Against the mock over HTTP, jobs move a step per poll here, so that these properties
    check each transition as they do in-process; other servers move as they do."""
    with target.moving_per_poll():
        yield


SCENARIOS = [
    "",
    "scenario=fail; reason=moderation",
    "scenario=fail; reason=timeout",
    "scenario=slow",
]


@given(data=st.data())
def test_polled_statuses_follow_the_lifecycle_and_fields_match(
    spending: Target, data: st.DataObject
) -> None:
    # Every draw comes before the first request: live, what the server answers varies from run
    # to run, and Hypothesis needs the draws of a replayed example to stay the same.
    prefer = data.draw(st.sampled_from(SCENARIOS)) if spending.runs_mock_scenarios else ""
    model = data.draw(st.sampled_from(spending.models))
    polls_after_the_end = data.draw(st.integers(1, 3))
    with spending.client(spending.fresh_token()) as client:
        created = client.create(minimal_body(model), {"Prefer": prefer} if prefer else None, model)
        assert created.status_code == 200, created.text
        job = created.json()
        job_fields_match_its_status(job)
        seen = [job, *client.poll_until_terminal(job["job_id"], [job["status"]])]
        seen += [client.poll(job["job_id"]) for _ in range(polls_after_the_end)]
    statuses = [j["status"] for j in seen]
    statuses_follow_the_lifecycle(statuses, spending.every_step_seen)
    terminal_statuses_absorb(statuses)
    for body in seen:
        job_fields_match_its_status(body)
    if "fail" in prefer:
        assert statuses[-1] == LIFECYCLE.failed


@given(polls=st.integers(0, 6), stuck=st.booleans(), data=st.data())
def test_cancel_succeeds_exactly_from_queued_or_processing(
    spending: Target, polls: int, stuck: bool, data: st.DataObject
) -> None:
    model = data.draw(st.sampled_from(spending.models), label="model")
    prefer = {"Prefer": "scenario=stuck"} if stuck and spending.runs_mock_scenarios else None
    with spending.client(spending.fresh_token()) as client:
        job = client.create(minimal_body(model), prefer, model).json()
        for _ in range(polls):
            job = client.poll(job["job_id"])
        before = job["status"]
        response = client.cancel(job["job_id"])
        after = client.poll(job["job_id"])
    if response.status_code == 200:
        # client.cancel held the answer to "no body, an empty body or the cancelled job"
        assert after["status"] == LIFECYCLE.cancelled
        job_fields_match_its_status(after)
    else:
        assert response.status_code == 409, response.text
        assert after["status"] != LIFECYCLE.cancelled
    if spending.every_step_seen:  # nothing moves between the last poll and the cancel
        assert (response.status_code == 200) == (before in LIFECYCLE.user_cancellable), before
    elif before in LIFECYCLE.terminal:
        assert response.status_code == 409
