"""A state machine over create, poll, cancel, list and webhook delivery, against a small model.

The model remembers, per tenant, which jobs it created (in order), the last status it saw
of each, and which ones asked for a webhook. Two tenants act at random; the properties:
pagination never repeats or skips one of the tenant's jobs, one tenant never sees another's,
statuses only move along the lifecycle, and every finished job that asked for a webhook got one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

import krea_nano_banana_spec as spec
from krea_nano_banana_contract.checks import (
    FOLLOWS,
    LifecycleViolation,
    RuleViolation,
    job_fields_match_its_status,
)
from krea_nano_banana_contract.strategies import MODELS, minimal_body, webhook_header
from krea_nano_banana_contract.target import ContractClient, Target

LIFECYCLE = spec.lifecycle()
HOOK = "https://hooks.example.test/contract"
# The rules this machine checks, as the run's report names them. Each violation is raised where
# it is found: Hypothesis tells distinct bugs apart by the line that raised them.
ISOLATION = "a tenant sees only its own jobs"
PAGINATION = "pages never repeat or skip a job, and end"
CANCEL = "cancel succeeds exactly from queued or processing"
DELIVERY = "every finished job that asked for a webhook got one"


@dataclass
class Tenant:
    client: ContractClient
    jobs: list[str] = field(default_factory=list)  # creation order
    last_seen: dict[str, str] = field(default_factory=dict)
    hooked: set[str] = field(default_factory=set)
    first_created_at: str | None = None  # of this run's first job, as the server wrote it


class JobsMachine(RuleBasedStateMachine):
    target: Target  # set by the test below

    jobs = Bundle("jobs")

    @initialize()
    def open_tenants(self) -> None:
        if self.target.mock is not None:
            self.target.mock.reset()  # each run starts alike, so a failure replays exactly
        other = self.target.fresh_token() if not self.target.live else self.target.other_token
        self.tenants = [
            Tenant(self.target.client(self.target.fresh_token())),
            Tenant(self.target.client(other)),
        ]
        self.owner: dict[str, int] = {}
        self.webhooks = (
            self.target.mock.router.post(HOOK).respond(200) if self.target.mock else None
        )
        self.delivered_before = self.webhooks.call_count if self.webhooks else 0

    def teardown(self) -> None:
        for tenant in getattr(self, "tenants", []):
            tenant.client.http.close()

    @rule(
        target=jobs,
        who=st.sampled_from([0, 1]),
        hooked=st.booleans(),
        model=st.sampled_from(MODELS),
    )
    def create(self, who: int, hooked: bool, model: str) -> str:
        if model not in self.target.models:
            model = self.target.models[0]
        tenant = self.tenants[who]
        header = webhook_header(model)
        hooking = hooked and header is not None and self.webhooks is not None
        headers = {header: HOOK} if hooking and header else None
        response = tenant.client.create(minimal_body(model), headers, model)
        assert response.status_code == 200, response.text
        job = response.json()
        assert job["status"] in LIFECYCLE.initial
        tenant.jobs.append(job["job_id"])
        tenant.first_created_at = tenant.first_created_at or job["created_at"]
        tenant.last_seen[job["job_id"]] = job["status"]
        if headers:
            tenant.hooked.add(job["job_id"])
        self.owner[job["job_id"]] = who
        return str(job["job_id"])

    @rule(job_id=jobs)
    def poll(self, job_id: str) -> None:
        tenant = self.tenants[self.owner[job_id]]
        job = tenant.client.poll(job_id)
        before = tenant.last_seen[job_id]
        follows = LIFECYCLE.allows if self.target.every_step_seen else LIFECYCLE.reachable
        # A backlogged job may have been promoted to queued unseen, when another job ended.
        unseen_promotion = before == LIFECYCLE.over_limit and LIFECYCLE.reachable(
            before, job["status"]
        )
        if not (job["status"] == before or follows(before, job["status"]) or unseen_promotion):
            raise LifecycleViolation(
                f"job {job_id} went from {before} to {job['status']}, which the lifecycle does"
                " not allow",
                FOLLOWS,
            )
        job_fields_match_its_status(job)
        tenant.last_seen[job_id] = job["status"]

    @rule(job_id=jobs)
    def cancel(self, job_id: str) -> None:
        tenant = self.tenants[self.owner[job_id]]
        before = tenant.last_seen[job_id]
        response = tenant.client.cancel(job_id)
        if response.status_code == 200:
            # client.cancel held the answer to "no body, an empty body or the cancelled job"
            tenant.last_seen[job_id] = LIFECYCLE.cancelled
        else:
            if response.status_code != 409:
                raise RuleViolation(f"cancel answered {response.text}", CANCEL)
        # In-process nothing moves between the last poll and the cancel.
        in_step = not self.target.live and before != LIFECYCLE.over_limit
        if in_step and (response.status_code == 200) != (before in LIFECYCLE.user_cancellable):
            raise RuleViolation(f"cancel from {before} answered {response.status_code}", CANCEL)

    @rule(job_id=jobs)
    def other_tenant_cannot_touch(self, job_id: str) -> None:
        stranger = self.tenants[1 - self.owner[job_id]]
        for response in (stranger.client.get(job_id), stranger.client.cancel(job_id)):
            if response.status_code != 404:
                raise RuleViolation(
                    f"another tenant's {response.request.method} of job {job_id} answered"
                    f" {response.status_code}",
                    ISOLATION,
                )

    @rule(who=st.sampled_from([0, 1]), limit=st.integers(1, 4), arrivals=st.booleans())
    def list_every_page(self, who: int, limit: int, arrivals: bool) -> None:
        tenant = self.tenants[who]
        listed: list[str] = []
        cursor = None
        known_before = list(tenant.jobs)
        # The listing is newest first: once a page reaches a job older than the tenant's first
        # of this run, every job of this run has been listed, and an account's history (which
        # on a real account runs to thousands of jobs) is never paged through. No honest
        # listing of this run's n jobs needs more than n + 3 pages (one may arrive mid-way).
        pages_allowed = len(known_before) + 3
        for _ in range(pages_allowed):
            params: dict[str, object] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            body = tenant.client.list_jobs(**params).json()
            if len(body["items"]) > limit:
                raise RuleViolation(f"more than {limit} items on a page", PAGINATION)
            listed += [item["job_id"] for item in body["items"]]
            if arrivals and cursor is None:
                self.create(who, hooked=False, model=self.target.models[0])
            cursor = body["next_cursor"]
            if cursor is None or self.reached_history(tenant, body["items"]):
                break
        else:
            raise RuleViolation(
                f"pagination did not reach the end of this run's jobs in {pages_allowed} pages"
                f" of {limit} ({len(known_before)} job(s) to list)",
                PAGINATION,
            )
        if len(listed) != len(set(listed)):
            raise RuleViolation("a job was listed twice", PAGINATION)
        others = {j for t in self.tenants if t is not tenant for j in t.jobs}
        if others & set(listed):
            raise RuleViolation("another tenant's job was listed", ISOLATION)
        mine = [j for j in listed if j in set(known_before)]
        if mine != known_before[::-1]:
            raise RuleViolation("a tenant's jobs were skipped or reordered", PAGINATION)
        # The tenant is fresh in-process: its listing is exactly its own jobs.
        if not self.target.live and not set(listed) <= set(tenant.jobs):
            raise RuleViolation("a job not the tenant's was listed", ISOLATION)

    def reached_history(self, tenant: Tenant, items: list[dict[str, str]]) -> bool:
        """A live account holds jobs from before this run: they come after all of this run's."""
        first = tenant.first_created_at
        if first is None:  # nothing of this run to find: whatever is listed is history
            return self.target.live
        started = datetime.fromisoformat(first)
        return any(datetime.fromisoformat(item["created_at"]) < started for item in items)

    @invariant()
    def finished_jobs_with_webhooks_were_delivered(self) -> None:
        if self.webhooks is None or not hasattr(self, "tenants"):
            return
        delivered: dict[str, set[str]] = {}
        for call in list(self.webhooks.calls)[self.delivered_before :]:
            payload = json.loads(call.request.content)
            delivered.setdefault(payload["job_id"], set()).add(payload["status"])
        for tenant in self.tenants:
            for job_id in tenant.hooked:
                status = tenant.last_seen[job_id]
                if status in LIFECYCLE.terminal and status not in delivered.get(job_id, set()):
                    raise RuleViolation(f"no webhook for {job_id} ({status})", DELIVERY)
            for job_id in delivered:
                if job_id not in self.owner:
                    raise RuleViolation(f"a webhook for {job_id}, not created here", DELIVERY)


def test_jobs_state_machine(spending: Target) -> None:
    if spending.live and not spending.other_token:
        pytest.skip(
            "tenant isolation needs a second account: pass --other-token"
            " (or set KREA_API_TOKEN_OTHER)"
        )
    machine: type[JobsMachine] = type("BoundJobsMachine", (JobsMachine,), {"target": spending})
    machine.TestCase().runTest()
