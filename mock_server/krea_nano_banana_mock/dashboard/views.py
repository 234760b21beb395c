"""What the dashboard shows, as JSON: jobs of every tenant, webhook deliveries, the journal.

Everything is paged on the server, so that a page costs the same with 10 or 100,000 jobs and
10,000 journal entries: the browser never receives more than it draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core.journal import TENANT_CHARS, Entry, Journal
from krea_nano_banana_mock.core.redaction import redact_url
from krea_nano_banana_mock.core.status_history import changes
from krea_nano_banana_mock.http_layer.representation import LIFECYCLE, job_json, timestamp
from krea_nano_banana_spec.validation import InvalidRequest

if TYPE_CHECKING:
    from krea_nano_banana_mock.core.backend import Job
    from krea_nano_banana_mock.http_layer.dispatcher import Dispatcher

UI_PATH = "/__mock__/ui"
THUMBNAIL_PREFIX = f"{UI_PATH}/thumbnail/"
THUMBNAIL_SIDE = 128
MAX_PER_PAGE = 200
ATTEMPTS_SHOWN = 100


@dataclass(frozen=True)
class Source:
    """What one server has to show: the mock has jobs and webhooks; a proxy or a replay has
    only its journal."""

    mode: str  # "mock", "proxy" or "replay"
    journal: Journal
    state: Callable[[], dict[str, Any]]
    api: Dispatcher | None = None


def summary(source: Source, jobs_page: int, per_page: int) -> dict[str, Any]:
    """The state, one page of jobs (newest first) and the webhook deliveries."""
    api = source.api
    filters = {
        "methods": sorted({op.method.upper() for op in spec.operations().values()}),
        "models": [generation.model for generation in spec.generations()],
        "progressions": None,
    }
    result: dict[str, Any] = {
        "mode": source.mode,
        "state": source.state(),
        "filters": filters,
        "jobs": None,
        "webhooks": None,
    }
    if api is None:
        return result
    from krea_nano_banana_mock.core.lifecycle import Progression

    filters["progressions"] = [p.value for p in Progression]
    jobs = api.backend.newest(jobs_page * per_page, per_page)
    result["jobs"] = {
        "items": [_job(job) for job in jobs],
        "total": len(api.backend),
        "page": jobs_page,
        "per_page": per_page,
    }
    result["webhooks"] = _webhooks(api)
    return result


def _job(job: Job) -> dict[str, Any]:
    """The job as the API shows it (with result URLs relative to this server, which serves the
    page whatever --public-url says), and what only the mock knows of it."""
    shown = job_json(job, "")
    shown.update(
        tenant=job.tenant[:TENANT_CHARS],
        model=job.request.model,
        prompt_text=job.request.prompt,
        terminal=job.is_terminal,
        history=[
            {"entered": status, "at": timestamp(at)}
            for status, at in changes(job.history, job.created_at)
        ],
        # A path of its own, so that the page's loads never enter the journal.
        thumbnail=(
            f"{THUMBNAIL_PREFIX}{job.job_id}" if job.status == LIFECYCLE.succeeded else None
        ),
        size=f"{job.request.width}x{job.request.height}",
        webhook=redact_url(job.request.webhook_url) if job.request.webhook_url else None,
    )
    return shown


def _webhooks(api: Dispatcher) -> list[dict[str, Any]]:
    """One row a delivery (a job's webhook to its URL): its attempts, their status codes, and
    its next retry if one is scheduled."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for attempt in api.outbox.log:
        row = rows.setdefault(
            (attempt.job_id, attempt.url),
            {
                "job": attempt.job_id,
                "receiver": redact_url(attempt.url),
                "attempts": [],
                "next_retry": None,
            },
        )
        row["attempts"].append(
            {
                "attempt": attempt.attempt,
                "at": timestamp(attempt.at),
                "status_code": attempt.status_code,
                "problem": attempt.error,
                "delivered": attempt.delivered,
            }
        )
        row["state"] = (
            "delivered" if attempt.delivered else "gave up" if attempt.final else "retrying"
        )
    for delivery in api.outbox.scheduled():
        row = rows.setdefault(
            (delivery.job_id, delivery.url),
            {
                "job": delivery.job_id,
                "receiver": redact_url(delivery.url),
                "attempts": [],
                "state": "waiting",
            },
        )
        row["next_retry"] = timestamp(delivery.due)
    return list(rows.values())[::-1][:ATTEMPTS_SHOWN]


def journal_page(journal: Journal, query: dict[str, str]) -> dict[str, Any]:
    """One page of the journal, newest first, filtered as the dashboard's form asks: a path
    without `*` matches anywhere in the path."""
    status = query.get("status") or None
    if status is not None and not status.isdigit():
        raise InvalidRequest("status", f"{status!r} is not an HTTP status code")
    path = query.get("path") or None
    if path is not None and "*" not in path:
        path = f"*{path}*"
    page, per_page = _paging(query)
    method, model = query.get("method") or None, query.get("model") or None
    code = int(status) if status else None
    if (method, path, model, code) != (None, None, None, None):
        matching = journal.entries(method=method, path=path, model=model, status=code)
        total = len(matching)
        newest_first = matching[::-1][page * per_page : (page + 1) * per_page]
    else:  # what the page asks every second: no scan of the 10,000
        total = len(journal)
        newest_first = journal.newest(page * per_page, per_page)
    return {
        "entries": [_entry(entry) for entry in newest_first],
        "total": total,
        "recorded": len(journal),
        "dropped": journal.dropped,
        "page": page,
        "per_page": per_page,
    }


def _entry(entry: Entry) -> dict[str, Any]:
    shown = entry.as_json()
    shown["at"] = timestamp(entry.at)
    shown["refused"] = entry.status >= 400
    return shown


def _paging(query: dict[str, str]) -> tuple[int, int]:
    page_text, per_page_text = query.get("page", "0"), query.get("per_page", "50")
    if not page_text.isdigit():
        raise InvalidRequest("page", f"{page_text!r} is not a page number (0 is the first)")
    if not per_page_text.isdigit() or not 1 <= int(per_page_text) <= MAX_PER_PAGE:
        raise InvalidRequest("per_page", f"must be a whole number from 1 to {MAX_PER_PAGE}")
    return int(page_text), int(per_page_text)


def jobs_paging(query: dict[str, str]) -> tuple[int, int]:
    return _paging(query)


def thumbnail(api: Dispatcher | None, job_id: str) -> bytes | None:
    """A completed job's result image, drawn at most THUMBNAIL_SIDE pixels a side."""
    job = api.backend.find(job_id) if api is not None else None
    if job is None or job.status != LIFECYCLE.succeeded:
        return None
    from krea_nano_banana_mock.core import images

    width, height = job.request.width, job.request.height
    scale = min(1.0, THUMBNAIL_SIDE / max(width, height))
    return images.render_png(max(1, round(width * scale)), max(1, round(height * scale)))
