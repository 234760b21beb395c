"""Checks on one response, each named as the assertion it makes.

Each raises a small failure class carrying what was wrong (the operation, the status, the
problem), so a failing property says which rule broke and where. The failures are Schemathesis
failures, and the rules Schemathesis does not know are registered with it (`register`), so its
runs report them beside its own.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
import schemathesis
from schemathesis.core.failures import Failure

import krea_nano_banana_spec as spec
from krea_nano_banana_spec.validation import response_checker

_LIST = spec.operation_for("job.list").operation_id
_CANCEL = spec.operation_for("job.cancel").operation_id
LIFECYCLE = spec.lifecycle()


class ContractViolation(Failure):
    """A response broke a rule of openapi.yaml."""

    code = "ST901"

    def __init__(self, operation_id: str, status: int, problem: str) -> None:
        super().__init__(
            operation=operation_id,
            title=(type(self).__doc__ or "").strip(),
            message=f"{operation_id} -> {status}: {problem}",
        )
        self.operation_id = operation_id
        self.status = status
        self.problem = problem

    def __str__(self) -> str:
        return self.message


class UndocumentedStatus(ContractViolation):
    """The operation answered with a status code the spec does not list."""


class SchemaMismatch(ContractViolation):
    """The response body does not validate against the documented schema."""


class UndocumentedJobStatus(ContractViolation):
    """A job carries a status outside the documented JobStatus enum."""


def status_code_is_documented(operation_id: str, status: int) -> None:
    if spec.operation(operation_id).response(status) is None:
        raise UndocumentedStatus(operation_id, status, "status code not documented")


def body_matches_schema(operation_id: str, status: int, body: Any) -> None:
    # The same lookup and the same judge as the mock's validating proxy.
    checker = response_checker(operation_id, status)
    problems = checker.problems(body) if checker is not None else []
    if problems:
        raise SchemaMismatch(operation_id, status, str(problems[0]))


def job_statuses_are_documented(operation_id: str, status: int, body: Any) -> None:
    """The open status enum lets clients survive new statuses; servers we test must not
    invent them."""
    if status != 200 or not isinstance(body, dict):
        return
    jobs = body.get("items", []) if operation_id == _LIST else [body]
    known = set(spec.enum_values("JobStatus"))
    for job in jobs:
        if job.get("status") not in known:
            raise UndocumentedJobStatus(operation_id, status, f"status {job.get('status')!r}")


class MissingPublishedField(ContractViolation):
    """A field that Krea's published document requires is absent."""


def list_pages_carry_next_cursor(operation_id: str, status: int, body: Any) -> None:
    """Our spec also reads the camelCase `nextCursor` of older servers; Krea's published
    document requires `next_cursor`, and a server we test must send it."""
    listing = operation_id == _LIST and status == 200 and isinstance(body, dict)
    if listing and "next_cursor" not in body:
        raise MissingPublishedField(operation_id, status, "next_cursor is required")


CANCEL_ANSWER = "a cancel answers no body, an empty body or the cancelled job"


class UnexpectedCancelAnswer(ContractViolation):
    """A successful cancel answered something other than no body or the cancelled job."""


def cancel_answer_is_empty_or_the_cancelled_job(operation_id: str, response: httpx.Response) -> Any:
    """Krea documents a cancel's 200 with no body; servers that send the job are read too, and
    then it must be the job, cancelled. Returns the job, or None."""
    if not response.content.strip():
        return None
    try:
        job = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        job = None
    if not isinstance(job, dict) or job.get("status") != LIFECYCLE.cancelled:
        raise UnexpectedCancelAnswer(
            operation_id, response.status_code, f"{CANCEL_ANSWER}: {response.text[:120]!r}"
        )
    return job


def response_conforms(operation_id: str, response: httpx.Response) -> Any:
    """Every check above, for one response; returns the parsed body (None for an answer the
    spec documents without one)."""
    status_code_is_documented(operation_id, response.status_code)
    documented = spec.operation(operation_id).response(response.status_code) or {}
    if not documented.get("content"):
        if operation_id == _CANCEL and response.status_code == 200:
            return cancel_answer_is_empty_or_the_cancelled_job(operation_id, response)
        return response.json() if response.content.strip() else None
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SchemaMismatch(operation_id, response.status_code, "body is not JSON") from None
    body_matches_schema(operation_id, response.status_code, body)
    job_statuses_are_documented(operation_id, response.status_code, body)
    list_pages_carry_next_cursor(operation_id, response.status_code, body)
    return body


# The rules above that Schemathesis does not check itself, as Schemathesis checks.
SCHEMATHESIS_RULES = (job_statuses_are_documented, list_pages_carry_next_cursor)


_registered: list[bool] = []


def register() -> None:
    """Registers each rule in SCHEMATHESIS_RULES as a Schemathesis check, under its own name,
    once however often it is called (Schemathesis's registry is process-wide)."""
    if _registered:
        return
    _registered.append(True)
    for rule in SCHEMATHESIS_RULES:

        def check(ctx: Any, response: Any, case: Any, rule: Any = rule) -> bool:
            operation_id = case.operation.definition.raw.get("operationId", case.operation.label)
            try:
                body = response.json()
            except ValueError:
                return True  # not JSON: Schemathesis's own conformance check says so
            rule(operation_id, response.status_code, body)
            return True

        check.__name__ = rule.__name__
        schemathesis.check(check)


class CreatedJobNotFound(ContractViolation):
    """A job the server just created answered 404 to an operation its link leads to."""


def created_jobs_can_be_found(operation_id: str, status: int, job_id: str, created: Any) -> None:
    """A job id the server returned from a create names a job from then on (a cancelled job
    stays retrievable too). Schemathesis's `ensure_resource_availability` cannot see this API:
    it looks for a resource under the path that created it, and jobs live at `/jobs/{id}`,
    not under `/generate/...`."""
    if status == 404 and job_id in created:
        raise CreatedJobNotFound(operation_id, status, f"job {job_id} was created by this run")


class RuleViolation(AssertionError):
    """What the server did breaks a rule of the suite's own. `rule` names the rule, for the
    run's report."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class LifecycleViolation(RuleViolation):
    """What polling showed of a job breaks the documented lifecycle."""


class WaitExpired(AssertionError):
    """A job did not end within the wait's budget."""

    rule = "a job ends within the budget the spec and the target allow"


FOLLOWS = "polled statuses follow the lifecycle"
ABSORB = "terminal statuses absorb"
FIELDS_MATCH = "completed_at and result match the job's status"


def compact(statuses: list[str]) -> str:
    """Polled statuses as a reader wants them in a failure: each run of one status once, with
    its count (`queued x3 -> processing x257`), not a list of every poll."""
    runs = [(status, len(list(group))) for status, group in itertools.groupby(statuses)]
    return " -> ".join(f"{status} x{count}" if count > 1 else status for status, count in runs)


def statuses_follow_the_lifecycle(statuses: list[str], every_step_seen: bool = True) -> None:
    """Polled statuses, repeats allowed, form a path of the spec's lifecycle graph. A poller
    that may miss steps (a server moving with time) sees a path of reachable statuses."""
    graph = spec.lifecycle()
    follows = graph.allows if every_step_seen else graph.reachable
    changes = [s for i, s in enumerate(statuses) if i == 0 or s != statuses[i - 1]]
    if changes and changes[0] not in graph.initial and changes[0] not in graph.transitions:
        raise LifecycleViolation(f"unknown first status {changes[0]!r}", FOLLOWS)
    for before, after in itertools.pairwise(changes):
        if not follows(before, after):
            raise LifecycleViolation(
                f"{before} -> {after} is not in the lifecycle: {compact(statuses)}", FOLLOWS
            )


def terminal_statuses_absorb(statuses: list[str]) -> None:
    terminal = spec.lifecycle().terminal
    for index, status in enumerate(statuses):
        if status in terminal and any(s != status for s in statuses[index:]):
            raise LifecycleViolation(f"left terminal status {status}: {compact(statuses)}", ABSORB)


def job_fields_match_its_status(job: dict[str, Any]) -> None:
    """completed_at is set exactly at terminal statuses; result.urls is non-empty exactly
    when completed; result.error is present exactly when failed."""
    status = job["status"]
    terminal = status in spec.lifecycle().terminal
    if (job.get("completed_at") is not None) != terminal:
        raise LifecycleViolation(
            f"completed_at={job.get('completed_at')!r} at status {status}", FIELDS_MATCH
        )
    result = job.get("result") or {}
    if bool(result.get("urls")) != (status == LIFECYCLE.succeeded):
        raise LifecycleViolation(
            f"result.urls={result.get('urls')!r} at status {status}", FIELDS_MATCH
        )
    if ("error" in result and result["error"] is not None) != (status == LIFECYCLE.failed):
        raise LifecycleViolation(
            f"result.error={result.get('error')!r} at status {status}", FIELDS_MATCH
        )
