"""The time policy, against a reference that owes nothing to the backend's bookkeeping.

The backend keeps one scheduled event a job (its end) and works out the statuses in between
when a job is read. The reference here simulates a first-come, first-served queue with
`concurrency_limit` servers, in whole milliseconds: whatever the order of reads and clock
moves, every job must show the status, and end at the instant, that the reference says.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from krea_nano_banana_mock.core.backend import Backend, Job, JobRequest, Settings
from krea_nano_banana_mock.core.clock import ManualClock
from krea_nano_banana_mock.core.lifecycle import (
    BACKLOGGED,
    STATUS_SEQUENCES,
    Outcome,
    Pace,
    Progression,
)

import krea_nano_banana_spec as spec

START = datetime(2026, 3, 1, tzinfo=UTC)
TENANT = "tenant"
TERMINAL = spec.lifecycle().terminal
NEVER = 10**12


SLOWDOWN = round(Pace(1.0).slowed().step_seconds)  # how many normal steps a slow one takes


@dataclass(frozen=True)
class Arrival:
    at_ms: int
    outcome: Outcome
    slow: bool = False

    def step_ms(self, normal_ms: int) -> int:
        return normal_ms * SLOWDOWN if self.slow else normal_ms


def reference_starts(arrivals: list[Arrival], step_ms: int, servers: int) -> list[int]:
    """When each job starts running, in a FIFO queue with `servers` slots."""
    free_at = [0] * servers
    starts = []
    for arrival in arrivals:
        start = max(arrival.at_ms, heapq.heappop(free_at))
        path = STATUS_SEQUENCES[arrival.outcome]
        runs_for = (len(path) - 1) * arrival.step_ms(step_ms) if path[-1] in TERMINAL else NEVER
        heapq.heappush(free_at, start + runs_for)
        starts.append(start)
    return starts


def expected(arrival: Arrival, start_ms: int, now_ms: int, step_ms: int) -> tuple[str, int | None]:
    """The status at `now_ms`, and when the job ended (if it has)."""
    if now_ms < start_ms:
        return BACKLOGGED, None
    path = STATUS_SEQUENCES[arrival.outcome]
    step_ms = arrival.step_ms(step_ms)
    index = min((now_ms - start_ms) // step_ms, len(path) - 1)
    ended = start_ms + index * step_ms if path[index] in TERMINAL else None
    return path[index], ended


def ms(instant: datetime | None) -> int | None:
    return None if instant is None else (instant - START) // timedelta(milliseconds=1)


gaps = st.integers(min_value=0, max_value=3000)  # ms of clock between two creates


@given(
    step_ms=st.integers(min_value=50, max_value=1000),
    servers=st.integers(min_value=1, max_value=3),
    plan=st.lists(
        st.tuples(gaps, st.sampled_from(list(Outcome)), st.booleans()), min_size=1, max_size=8
    ),
    looks=st.lists(st.integers(min_value=0, max_value=50_000), min_size=1, max_size=12),
    read_by_list=st.booleans(),
)
def test_every_read_matches_a_fifo_queue_stepping_with_the_clock(
    step_ms: int,
    servers: int,
    plan: list[tuple[int, Outcome, bool]],
    looks: list[int],
    read_by_list: bool,
) -> None:
    clock = ManualClock(START)
    backend = Backend(
        clock,
        Settings(
            progression=Progression.TIME,
            pace=Pace(step_seconds=step_ms / 1000),
            concurrency_limit=servers,
            backlog_limit=100,
        ),
    )
    arrivals: list[Arrival] = []
    jobs: list[Job] = []
    now_ms = 0
    for gap, outcome, slow in plan:
        now_ms += gap
        clock.set(START + timedelta(milliseconds=now_ms))
        request = JobRequest("test-model", "testJob", None, 1024, 1024, outcome=outcome, slow=slow)
        jobs.append(backend.create(TENANT, request))
        arrivals.append(Arrival(now_ms, outcome, slow))
    starts = reference_starts(arrivals, step_ms, servers)

    for gap in looks:  # reads at arbitrary instants, never touching the jobs in between
        now_ms += gap
        clock.set(START + timedelta(milliseconds=now_ms))
        if read_by_list:
            seen = {job.job_id: job for job in backend.list(TENANT, before=None, limit=100)[0]}
        else:
            seen = {job.job_id: backend.get(TENANT, job.job_id) for job in jobs}
        for job, arrival, start in zip(jobs, arrivals, starts, strict=True):
            status, ended = expected(arrival, start, now_ms, step_ms)
            shown = seen[job.job_id]
            assert (shown.status, ms(shown.completed_at)) == (status, ended), (
                f"job created at {arrival.at_ms} ms, starting at {start} ms, seen at {now_ms} ms"
            )


def _backend(step_seconds: float = 1.0, limit: int = 8) -> tuple[ManualClock, Backend]:
    clock = ManualClock(START)
    settings = Settings(
        progression=Progression.TIME, pace=Pace(step_seconds), concurrency_limit=limit
    )
    return clock, Backend(clock, settings)


def test_a_cancelled_job_keeps_its_status_and_frees_its_slot_at_once() -> None:
    clock, backend = _backend(limit=1)
    first = backend.create(TENANT, JobRequest("test-model", "testJob", None, 1024, 1024))
    second = backend.create(TENANT, JobRequest("test-model", "testJob", None, 1024, 1024))
    clock.advance(2.5)  # first is processing, second waits
    assert backend.cancel(TENANT, first.job_id).status == "cancelled"
    clock.advance(100)  # long past the end the first job had been due to reach
    assert backend.get(TENANT, first.job_id).status == "cancelled"
    assert ms(first.completed_at) == 2500
    assert backend.get(TENANT, second.job_id).status == "completed"
    assert ms(second.completed_at) == 2500 + 4000  # started when the first was cancelled


def test_moving_a_job_by_hand_restarts_its_clock_from_that_moment() -> None:
    clock, backend = _backend()
    job = backend.create(TENANT, JobRequest("test-model", "testJob", None, 1024, 1024))
    clock.advance(0.5)
    assert backend.advance(job.job_id, steps=2).status == "processing"
    clock.advance(1.9)  # 2.4 s in: the old schedule would have it at processing too
    assert backend.get(TENANT, job.job_id).status == "sampling"
    clock.advance(1.0)
    backend.catch_up()  # the end is applied by the schedule, without anyone reading the job
    assert job.status == "completed"
    assert ms(job.completed_at) == 500 + 2000


def test_switching_policy_keeps_the_statuses_already_owed() -> None:
    clock, backend = _backend()
    job = backend.create(TENANT, JobRequest("test-model", "testJob", None, 1024, 1024))
    clock.advance(2.2)
    backend.set_progression(Progression.MANUAL)
    clock.advance(100)
    assert backend.get(TENANT, job.job_id).status == "processing"
    backend.set_progression(Progression.TIME)  # its remaining steps count from the switch
    assert backend.get(TENANT, job.job_id).status == "processing"
    clock.advance(2.0)
    assert backend.get(TENANT, job.job_id).status == "completed"
    assert ms(job.completed_at) == 102_200 + 2000
