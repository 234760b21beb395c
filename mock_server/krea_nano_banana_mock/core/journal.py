"""The request journal: what crossed the wire, for tests and for people.

Every request to the API (not to the control surface) is kept with its method, path, query,
tenant (a digest of the token, never the token), body, response status, the error the mock
answered with, the model and the job it touched. The journal is a ring buffer: the newest
`size` requests, the oldest dropped first. Recording costs one small object per request; the
body is decoded only when someone reads the journal.
"""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import orjson

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core.redaction import redact_json, redact_query, redact_text


class Sent(Protocol):
    """What the journal keeps of a request, whichever door it came through."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def body(self) -> bytes: ...


class Answered(Protocol):
    """What the journal keeps of the answer."""

    @property
    def status(self) -> int: ...
    @property
    def body(self) -> bytes: ...


DEFAULT_SIZE = 10_000
TENANT_CHARS = 12  # enough to tell tenants apart in a report
BODY_EXCERPT_BYTES = 2000  # of a body shown as text


@dataclass(slots=True)
class Entry:
    at: datetime
    method: str
    path: str
    query: str
    body: bytes
    status: int
    tenant: str | None = None
    model: str | None = None
    job_id: str | None = None
    response_body: bytes | None = None  # kept for error answers only, for their message
    violations: list[str] = field(default_factory=list)  # the proxy's findings

    @property
    def error(self) -> str | None:
        if self.response_body is None:
            return None
        try:
            parsed = orjson.loads(self.response_body)
        except orjson.JSONDecodeError:
            return self.response_body[:500].decode("utf-8", "replace")
        message = parsed.get("error") if isinstance(parsed, dict) else None
        return message if isinstance(message, str) else None

    @classmethod
    def of(
        cls,
        at: datetime,
        request: Sent,
        response: Answered,
        operation_id: str | None = None,
        **details: Any,
    ) -> Entry:
        """The entry of one exchange; `details`: what the door knows beyond the messages."""
        generation = spec.generation_of(operation_id)
        return cls(
            at=at,
            method=request.method,
            path=request.path,
            query=request.query,
            body=request.body,
            status=response.status,
            response_body=response.body if response.status >= 400 else None,
            model=generation.model if generation is not None else None,
            **details,
        )

    def parsed_body(self) -> Any:
        """The body as JSON; as (the start of) its text when it is not JSON, or is JSON that
        cannot be written back (nested deeper than the serialiser allows), so that reading the
        journal never fails on what one request sent."""
        if not self.body:
            return None
        try:
            parsed = orjson.loads(self.body)
            orjson.dumps(parsed)
        except (orjson.JSONDecodeError, orjson.JSONEncodeError):
            return self.body[:BODY_EXCERPT_BYTES].decode("utf-8", "replace")
        return parsed

    def as_json(self) -> dict[str, Any]:
        """The entry as it is shown (over HTTP, on the dashboard): credentials in URLs redacted.
        The entry itself keeps what was sent, for `verify` to compare."""
        error = self.error
        return {
            "at": self.at.isoformat(),
            "method": self.method,
            "path": self.path,
            "query": redact_query(self.query),
            "tenant": self.tenant,
            "model": self.model,
            "job_id": self.job_id,
            "body": redact_json(self.parsed_body()),
            "status": self.status,
            "error": redact_text(error) if error is not None else None,
            "violations": [redact_text(violation) for violation in self.violations],
        }


class Journal:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 0:
            raise ValueError("the journal size must be zero (off) or more")
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=size)
        self.recorded = 0  # since the last clear, dropped ones included

    def __bool__(self) -> bool:
        """Whether it keeps anything: a door skips making entries for a journal that does not."""
        return self.size > 0

    def __len__(self) -> int:
        return len(self._entries)

    def record(self, entry: Entry) -> None:
        self._entries.append(entry)
        self.recorded += 1

    @property
    def dropped(self) -> int:
        return self.recorded - len(self)

    def clear(self) -> None:
        self._entries.clear()
        self.recorded = 0

    def newest(self, offset: int, limit: int) -> list[Entry]:
        """Newest first: `limit` entries after skipping the `offset` newest. A page of a full
        journal costs a page (and a copy of the ring's references), not a scan."""
        kept = list(self._entries)  # a copy: the other door may be appending
        end = max(0, len(kept) - offset)
        return kept[max(0, end - limit) : end][::-1]

    def entries(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        model: str | None = None,
        status: int | None = None,
        since: datetime | None = None,
    ) -> list[Entry]:
        """Oldest first. `path` may be a glob (`/jobs/*`)."""
        return [
            entry
            for entry in list(self._entries)  # a copy: the other door may be appending
            if (method is None or entry.method == method.upper())
            and (path is None or fnmatch.fnmatchcase(entry.path, path))
            and (model is None or entry.model == model)
            and (status is None or entry.status == status)
            and (since is None or entry.at >= since)
        ]


def as_json(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    return [entry.as_json() for entry in entries]
