"""Mock variants that each break one documented rule, to show the contract suite catches it.

Each mutant patches module- or class-level code of the mock, so the same patch serves a mock
in-process (`tests/test_contract_suite_catches_bugs.py`) and a server over HTTP:

    python -m devtools.mutants NAME [krea-mock-server options]

starts `krea-mock-server` with that mutant applied (`scripts/contract-table` runs `krea-contract`
against each).
"""

from __future__ import annotations

import collections
import dataclasses
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from krea_nano_banana_mock import server
from krea_nano_banana_mock.core import backend, errors, lifecycle
from krea_nano_banana_mock.http_layer import (
    auth,
    deprecations,
    dispatcher,
    handlers,
    representation,
    validation,
)

import krea_nano_banana_spec as spec

LIFECYCLE = spec.lifecycle()
FIRST_STATUS = lifecycle.STATUS_SEQUENCES[lifecycle.Outcome.COMPLETE][0]
Patch = Callable[[pytest.MonkeyPatch], None]
MUTANTS: dict[str, tuple[str, Patch]] = {}


def mutant(description: str) -> Callable[[Patch], Patch]:
    def register(patch: Patch) -> Patch:
        MUTANTS[patch.__name__.replace("_", "-")] = (description, patch)
        return patch

    return register


@mutant("accepts bodies that break the schema")
def accepts_invalid_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation.SchemaValidator, "validate", lambda self, instance: None)


@mutant("refuses bad bodies without naming the field")
def vague_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    # The mock's validation only: the shared SchemaChecker also judges responses for the
    # contract suite, and a mutant must not break the judge.
    precise = validation.SchemaValidator.validate

    def vague(self: validation.SchemaValidator, instance: Any) -> None:
        try:
            precise(self, instance)
        except validation.InvalidRequest:
            raise validation.InvalidRequest("body", "is invalid") from None

    monkeypatch.setattr(validation.SchemaValidator, "validate", vague)


@mutant("refuses valid bodies (429 on every create)")
def refuses_valid_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: backend.Backend, tenant: str, request: backend.JobRequest) -> backend.Job:
        raise errors.TooManyJobs(1)

    monkeypatch.setattr(backend.Backend, "create", refuse)


@mutant("jumps from queued straight to completed")
def skips_statuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        lifecycle.STATUS_SEQUENCES, lifecycle.Outcome.COMPLETE, (FIRST_STATUS, LIFECYCLE.succeeded)
    )


@mutant("a job's status sometimes goes backwards")
def statuses_go_backwards(monkeypatch: pytest.MonkeyPatch) -> None:
    original = representation.JobView.json
    polls: collections.Counter[str] = collections.Counter()

    def backwards(self: representation.JobView, job: backend.Job) -> dict[str, Any]:
        body = original(self, job)
        polls[body["job_id"]] += 1
        if body["status"] == LIFECYCLE.succeeded and polls[body["job_id"]] % 2 == 0:
            body["status"] = FIRST_STATUS  # and keeps completed_at: twice wrong
        return body

    monkeypatch.setattr(representation.JobView, "json", backwards)


@mutant("jobs never finish")
def jobs_never_finish(monkeypatch: pytest.MonkeyPatch) -> None:
    stuck = lifecycle.STATUS_SEQUENCES[lifecycle.Outcome.STUCK]
    for outcome in (lifecycle.Outcome.COMPLETE, lifecycle.Outcome.FAIL):
        monkeypatch.setitem(lifecycle.STATUS_SEQUENCES, outcome, stuck)


@mutant("a completed job has no result URLs")
def completed_without_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    original = representation.JobView.json

    def without_urls(self: representation.JobView, job: backend.Job) -> dict[str, Any]:
        body = original(self, job)
        if body["status"] == LIFECYCLE.succeeded:
            body["result"] = {}
        return body

    monkeypatch.setattr(representation.JobView, "json", without_urls)


@mutant("cancels jobs whatever their status")
def cancels_from_any_status(monkeypatch: pytest.MonkeyPatch) -> None:
    lax = dataclasses.replace(LIFECYCLE, user_cancellable=frozenset(LIFECYCLE.statuses))
    monkeypatch.setattr(backend, "LIFECYCLE", lax)  # the mock's reading of the spec, read once


@mutant("lists every tenant's jobs")
def lists_other_tenants_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    original = backend.Backend.list

    def everyone(self: backend.Backend, tenant_id: str, **kwargs: Any) -> Any:
        pages = [original(self, t, **kwargs) for t in list(self._tenants)]
        jobs = sorted((j for page, _ in pages for j in page), key=lambda j: j.created_at)
        return jobs[::-1][: kwargs["limit"]], None

    monkeypatch.setattr(backend.Backend, "list", everyone)


@mutant("a page starts with the job that ended the previous one")
def pages_repeat_a_job(monkeypatch: pytest.MonkeyPatch) -> None:
    def late(instant: datetime) -> str:
        return (instant + backend.ONE_MICROSECOND).isoformat()

    monkeypatch.setattr(handlers, "cursor_text", late)


@mutant("pagination never ends (the last page has a next_cursor)")
def pages_never_end(monkeypatch: pytest.MonkeyPatch) -> None:
    def endless(self: backend.Backend, tenant_id: str, **kwargs: Any) -> Any:
        jobs, following = original(self, tenant_id, **kwargs)
        return jobs, following or datetime(2999, 1, 1, tzinfo=UTC)

    original = backend.Backend.list
    monkeypatch.setattr(backend.Backend, "list", endless)


@mutant("sends the camelCase nextCursor instead of next_cursor")
def camel_case_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    listing = spec.operation_for("job.list").operation_id
    original = handlers.OPERATIONS[listing]

    def camel(context: Any, call: Any) -> Any:
        response = original(context, call)
        response.body = response.body.replace(b'"next_cursor"', b'"nextCursor"')
        return response

    monkeypatch.setitem(handlers.OPERATIONS, listing, camel)


@mutant("answers 404 to the first GET of a job it just created")
def not_found_right_after_create(monkeypatch: pytest.MonkeyPatch) -> None:
    getting = spec.operation_for("job.get").operation_id
    original = handlers.OPERATIONS[getting]
    seen: set[str] = set()

    def not_yet(context: Any, call: Any) -> Any:
        job_id = handlers.job_id_of(call)
        if job_id not in seen:
            seen.add(job_id)
            raise errors.JobNotFound()
        return original(context, call)

    monkeypatch.setitem(handlers.OPERATIONS, getting, not_yet)


@mutant("sends no webhooks")
def drops_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dispatcher.Dispatcher, "_job_finished", lambda self, job: None)


@mutant("accepts the deprecated aliases for ever")
def aliases_never_sunset(monkeypatch: pytest.MonkeyPatch) -> None:
    forever = datetime(9999, 1, 1, tzinfo=UTC)
    apply_aliases = deprecations.apply_aliases

    def never_sunset(body: dict[str, Any], aliases: Any, now: Any) -> Any:
        eternal = [dataclasses.replace(a, sunset=forever) for a in aliases]
        return apply_aliases(body, eternal, now)

    monkeypatch.setattr(handlers, "apply_aliases", never_sunset)


@mutant("writes timestamps that are not date-times")
def bad_timestamps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(representation, "timestamp", lambda instant: "yesterday")


@mutant("accepts any token, even where only some are configured")
def ignores_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = auth.Tenancy.__init__

    def any_token(self: auth.Tenancy, tokens: Any = None) -> None:
        configured(self, None)

    monkeypatch.setattr(auth.Tenancy, "__init__", any_token)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in MUTANTS:
        names = "\n".join(f"  {name}: {what}" for name, (what, _) in MUTANTS.items())
        sys.exit(f"usage: python -m devtools.mutants NAME [server options]\nmutants:\n{names}")
    with pytest.MonkeyPatch.context() as monkeypatch:
        MUTANTS[argv[0]][1](monkeypatch)
        server.main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
