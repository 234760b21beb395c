"""The mock's state: jobs per tenant, their lifecycle, concurrency and credits.

Methods take plain arguments, return plain data and raise the domain errors below; nothing
here knows about HTTP. Time comes from the injected clock only.
"""

from __future__ import annotations

import builtins
import heapq
import math
import random
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import NamedTuple

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core.clock import Clock
from krea_nano_banana_mock.core.errors import (
    InsufficientCredits,
    JobNotCancellable,
    JobNotFound,
    TooManyJobs,
)
from krea_nano_banana_mock.core.lifecycle import (
    BACKLOGGED,
    FAILURE_MESSAGES,
    STATUS_SEQUENCES,
    Outcome,
    Pace,
    Progression,
)
from krea_nano_banana_mock.core.status_history import EMPTY, appended

ONE_MICROSECOND = timedelta(microseconds=1)
LIFECYCLE = spec.lifecycle()
TERMINAL = LIFECYCLE.terminal
MAX_INTERNED_REQUESTS = 10_000
_ids = random.Random()


_UUID_FIXED_BITS = ~((0xF << 76) | (0x3 << 62))
_UUID_VERSION_4 = (0x4 << 76) | (0x2 << 62)  # version 4, RFC 4122 variant


def new_job_id() -> str:
    """A random (version 4) UUID, several times cheaper than uuid.uuid4() and as unique for a
    mock; job ids are not secrets here."""
    h = (_ids.getrandbits(128) & _UUID_FIXED_BITS | _UUID_VERSION_4).to_bytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class JobRequest(NamedTuple):
    """What the backend needs to know of a validated generation request (a tuple: built on
    every create, and cheap to hash for interning)."""

    model: str  # the generation operation's model name
    job_type: str
    # compute units, under a credit budget; None: no budget, or Krea publishes no price
    price: Decimal | None
    width: int
    height: int
    webhook_url: str | None = None
    outcome: Outcome = Outcome.COMPLETE
    failure_reason: str = "moderation"
    slow: bool = False
    duplicate_webhook: bool = False
    prompt: str = ""  # shown on the dashboard; equal prompts share one record


@dataclass(slots=True, eq=False)
class Job:
    job_id: str
    tenant: str
    created_at: datetime
    request: JobRequest
    path: tuple[str, ...]
    pace: Pace
    status: str
    step: int  # index into path; -1 while backlogged
    entered_at: datetime
    completed_at: datetime | None = None
    polls: int = 0
    # Under the time policy, when the job reaches its final status; the one event it has in
    # the schedule carries this same object, so that a stale event is recognised.
    finishes_at: datetime | None = None
    history: bytes = EMPTY  # status_history records: each status entered, and when

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def error(self) -> str | None:
        if self.status != LIFECYCLE.failed:
            return None
        return FAILURE_MESSAGES.get(self.request.failure_reason, FAILURE_MESSAGES["provider"])


DueEvent = tuple[datetime, int, Job]  # (when, sequence, job) under the time policy


@dataclass(slots=True)
class Tenant:
    jobs: list[Job] = field(default_factory=list)  # creation order, so created_at ascending
    active: int = 0
    backlog: deque[Job] = field(default_factory=deque)
    spent: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)


@dataclass(slots=True)
class Settings:
    progression: Progression = Progression.POLL
    pace: Pace = field(default_factory=Pace)
    concurrency_limit: int = 8
    backlog_limit: int = 1000
    credits: Decimal | None = None  # compute units per tenant; None: unlimited


class Backend:
    def __init__(
        self,
        clock: Clock,
        settings: Settings | None = None,
        on_finished: Callable[[Job], None] | None = None,
    ) -> None:
        self.clock = clock
        self.settings = settings or Settings()
        self.on_finished = on_finished
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self._jobs: dict[str, Job] = {}
            self._tenants: dict[str, Tenant] = {}
            # Time-policy events. Most arrive in time order (every job on the same pace, made
            # now), so they queue in O(1); the others (jobs started from a backlog, slowed,
            # moved by hand) go to a heap. Settling merges the two.
            self._due_in_order: deque[DueEvent] = deque()
            self._due: list[DueEvent] = []
            self._sequence = 0
            self._last_created: datetime | None = None
            self._requests: dict[JobRequest, JobRequest] = {}

    # -- the API's operations ---------------------------------------------------------------

    def create(self, tenant_id: str, request: JobRequest) -> Job:
        with self.lock:
            now = self.clock.now()
            self._apply_due(now)
            tenant = self._tenants.get(tenant_id) or self._tenants.setdefault(tenant_id, Tenant())
            budget = self.settings.credits
            if budget is not None:  # without a budget there is nothing to count
                price = _units(request)
                remaining = budget - tenant.spent - tenant.reserved
                if price > remaining:
                    raise InsufficientCredits(price, max(remaining, Decimal(0)))
                tenant.reserved += price
            starts_now = tenant.active < self.settings.concurrency_limit
            if not starts_now and len(tenant.backlog) >= self.settings.backlog_limit:
                raise TooManyJobs(self._estimated_wait(tenant))
            job = Job(
                job_id=new_job_id(),
                tenant=tenant_id,
                created_at=self._unique_creation_time(now),
                request=self._interned(request),
                path=STATUS_SEQUENCES[request.outcome],
                pace=self.settings.pace.slowed() if request.slow else self.settings.pace,
                status=BACKLOGGED,
                step=-1,
                entered_at=now,
            )
            self._jobs[job.job_id] = job
            tenant.jobs.append(job)
            if starts_now:
                self._start(tenant, job, now)
            else:
                job.history = appended(job.history, BACKLOGGED, now, job.created_at)
                tenant.backlog.append(job)
            return job

    def get(self, tenant_id: str, job_id: str) -> Job:
        """The job as its owner sees it now; under the poll policy, this poll moves it."""
        with self.lock:
            now = self.clock.now()
            self._apply_due(now)
            job = self._current(self._owned(tenant_id, job_id), now)
            if self.settings.progression is Progression.POLL and job.step >= 0:
                job.polls += 1
                if job.polls >= job.pace.polls_per_step:
                    self._step(job, now)
            return job

    def cancel(self, tenant_id: str, job_id: str) -> Job:
        with self.lock:
            now = self.clock.now()
            self._apply_due(now)
            job = self._current(self._owned(tenant_id, job_id), now)
            if job.status not in LIFECYCLE.user_cancellable:
                raise JobNotCancellable(job.status)
            self._finish(job, LIFECYCLE.cancelled, now)
            return job

    def list(
        self,
        tenant_id: str,
        *,
        before: datetime | None,
        limit: int,
        status: str | None = None,
        types: frozenset[str] | None = None,
    ) -> tuple[list[Job], datetime | None]:
        """Newest first; the second value is the cursor for the next page, if there is one."""
        with self.lock:
            now = self.clock.now()
            self._apply_due(now)
            tenant = self._tenants.get(tenant_id)
            if tenant is None:
                return [], None
            jobs = tenant.jobs
            index = len(jobs) if before is None else bisect_left(jobs, before, key=_created)
            page: list[Job] = []
            while index > 0:
                index -= 1
                job = self._current(jobs[index], now)
                if status is not None and job.status != status:
                    continue
                if types is not None and job.request.job_type not in types:
                    continue
                if len(page) == limit:
                    return page, page[-1].created_at
                page.append(job)
            return page, None

    # -- the control surface ---------------------------------------------------------------

    def advance(self, job_id: str, steps: int = 1) -> Job:
        """Moves one job on by up to `steps` statuses, whatever the progression policy."""
        with self.lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise JobNotFound(job_id)
            now = self.clock.now()
            self._apply_due(now)
            self._current(job, now)
            for _ in range(steps):
                if job.step < 0 or not self._step(job, now):
                    break
            self._schedule(job)  # its remaining steps now count from this moment
            return job

    def catch_up(self) -> None:
        """Applies every time-policy step that is due by now."""
        with self.lock:
            self._apply_due(self.clock.now())

    def set_progression(self, progression: Progression, pace: Pace | None = None) -> None:
        """Switches the policy; with `pace`, jobs created from now on take steps at that pace
        (a contract suite asks for a fast one, so that its live run does not wait)."""
        with self.lock:
            now = self.clock.now()
            self._apply_due(now)
            for job in self._jobs.values():  # statuses the time policy owes are taken now
                self._current(job, now)
                job.finishes_at = None
            self._due.clear()
            self._due_in_order.clear()
            self.settings.progression = progression
            if pace is not None:
                self.settings.pace = pace
            if progression is Progression.TIME:
                for job in self._jobs.values():
                    if job.step >= 0 and job.status not in TERMINAL:
                        job.entered_at = now  # time counts from the switch, not from before it
                        self._schedule(job)

    def newest(self, offset: int, limit: int) -> builtins.list[Job]:
        """Jobs of every tenant, newest first: `limit` of them after skipping `offset`."""
        with self.lock:
            now = self.clock.now()
            self._apply_due(now)
            page = islice(reversed(self._jobs.values()), offset, offset + limit)
            return [self._current(job, now) for job in page]

    def find(self, job_id: str) -> Job | None:
        with self.lock:
            job = self._jobs.get(job_id)
            return None if job is None else self._current(job, self.clock.now())

    def __len__(self) -> int:
        return len(self._jobs)

    # -- internals -------------------------------------------------------------------------

    def _interned(self, request: JobRequest) -> JobRequest:
        # Most jobs ask for the same few things: one shared record each, not one per job.
        if len(self._requests) >= MAX_INTERNED_REQUESTS:
            self._requests.clear()
        return self._requests.setdefault(request, request)

    def _owned(self, tenant_id: str, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None or job.tenant != tenant_id:
            raise JobNotFound(job_id)
        return job

    def _unique_creation_time(self, now: datetime) -> datetime:
        # Cursors are instants, so two jobs must never share one: a frozen clock would
        # otherwise make pagination skip jobs.
        last = self._last_created
        created = now if last is None or now > last else last + ONE_MICROSECOND
        self._last_created = created
        return created

    def _start(self, tenant: Tenant, job: Job, at: datetime) -> None:
        tenant.active += 1
        job.step = 0
        job.status = job.path[0]
        job.entered_at = at
        job.polls = 0
        job.history = appended(job.history, job.status, at, job.created_at)
        self._schedule(job)

    def _step(self, job: Job, at: datetime) -> bool:
        if job.is_terminal or job.step + 1 >= len(job.path):
            return False
        self._move_to(job, job.step + 1, at)
        return True

    def _move_to(self, job: Job, index: int, at: datetime) -> None:
        status = job.path[index]
        if status in TERMINAL:
            self._finish(job, status, at)
            return
        job.step = index
        job.status = status
        job.entered_at = at
        job.polls = 0
        job.history = appended(job.history, status, at, job.created_at)

    def _finish(self, job: Job, status: str, at: datetime) -> None:
        tenant = self._tenants[job.tenant]
        was_running = job.step >= 0
        if not was_running:
            tenant.backlog.remove(job)
        job.status = status
        job.completed_at = at
        job.entered_at = at
        job.finishes_at = None
        job.history = appended(job.history, status, at, job.created_at)
        if self.settings.credits is not None:
            price = _units(job.request)
            tenant.reserved -= price
            if status == LIFECYCLE.succeeded:
                tenant.spent += price
        if was_running:
            tenant.active -= 1
            if tenant.backlog:
                self._start(tenant, tenant.backlog.popleft(), at)
        if self.on_finished is not None:
            self.on_finished(job)

    def _schedule(self, job: Job) -> None:
        """Under the time policy, one event a job: when it reaches its final status. The
        statuses in between have no side effect, so they are worked out when the job is read."""
        if self.settings.progression is not Progression.TIME or job.step < 0:
            return
        remaining = len(job.path) - 1 - job.step
        if job.status in TERMINAL or remaining <= 0 or job.path[-1] not in TERMINAL:
            job.finishes_at = None
            return
        job.finishes_at = job.entered_at + remaining * job.pace.step
        self._sequence += 1
        event = (job.finishes_at, self._sequence, job)
        in_order = self._due_in_order
        if not in_order or in_order[-1][0] <= job.finishes_at:
            in_order.append(event)
        else:
            heapq.heappush(self._due, event)

    def _apply_due(self, now: datetime) -> None:
        heap, in_order = self._due, self._due_in_order
        while True:
            # Ties go by sequence, so jobs due at one instant finish in the order they were made.
            if in_order and in_order[0][0] <= now and (not heap or in_order[0] < heap[0]):
                at, _, job = in_order.popleft()
            elif heap and heap[0][0] <= now:
                at, _, job = heapq.heappop(heap)
            else:
                return
            if job.finishes_at is at:  # else the event is stale (cancelled, or rescheduled)
                self._current(job, at)  # through each status in between, to the last

    def _current(self, job: Job, now: datetime) -> Job:
        """Under the time policy, takes every step that is due by `now` (at the instants
        they were due); under the other policies the job is already current."""
        if self.settings.progression is not Progression.TIME or job.step < 0:
            return job
        last = len(job.path) - 1
        if job.step >= last or job.status in TERMINAL:
            return job
        step = job.pace.step
        steps = min((now - job.entered_at) // step, last - job.step)
        for _ in range(steps):  # one at a time, so that each status is on the job's history
            self._move_to(job, job.step + 1, job.entered_at + step)
        return job

    def _estimated_wait(self, tenant: Tenant) -> int:
        steps = max(len(path) for path in STATUS_SEQUENCES.values())
        return max(1, math.ceil(self.settings.pace.step_seconds * steps))


def _units(request: JobRequest) -> Decimal:
    return request.price if request.price is not None else Decimal(0)


def _created(job: Job) -> datetime:
    return job.created_at
