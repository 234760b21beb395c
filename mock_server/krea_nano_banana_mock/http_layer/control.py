"""The control surface for tests: reset, move the clock, change progression, step a job,
read the webhook log. Over HTTP it lives under `/__mock__/`, apart from the API's paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import orjson

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core.backend import Backend
from krea_nano_banana_mock.core.clock import parse_instant
from krea_nano_banana_mock.core.journal import Journal
from krea_nano_banana_mock.core.lifecycle import Pace, Progression
from krea_nano_banana_mock.core.option_rules import checked
from krea_nano_banana_mock.core.webhooks import Outbox
from krea_nano_banana_mock.http_layer.messages import (
    MockRequest,
    MockResponse,
    error_response_of,
    json_response,
)
from krea_nano_banana_mock.http_layer.representation import JobView
from krea_nano_banana_mock.http_layer.validation import InvalidRequest

PREFIX = "/__mock__/"


def _body(request: MockRequest) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest("body", f"malformed JSON ({exc})") from None
    if not isinstance(body, dict):
        raise InvalidRequest("body", "must be a JSON object")
    return body


def _set_clock(backend: Backend, body: dict[str, Any]) -> None:
    if "now" in body:
        try:
            backend.clock.set(parse_instant(str(body["now"])))
        except ValueError:
            raise InvalidRequest("now", f"{body['now']!r} is not an ISO 8601 instant") from None
    if "advance_seconds" in body:
        backend.clock.advance(float(checked("advance_seconds", body["advance_seconds"])))
    backend.catch_up()


def _set_progression(backend: Backend, body: dict[str, Any]) -> None:
    try:
        policy = Progression(str(body.get("policy")))
    except ValueError:
        known = ", ".join(p.value for p in Progression)
        raise InvalidRequest("policy", f"{body.get('policy')!r} is not one of {known}") from None
    pace = None
    if "step_seconds" in body:
        seconds = float(checked("step_seconds", body["step_seconds"]))
        pace = Pace(seconds, backend.settings.pace.polls_per_step)
    backend.set_progression(policy, pace)


def journal_response(journal: Journal, query: str) -> MockResponse:
    """`GET /__mock__/journal?method=&path=&model=&status=&since=`: the matching requests,
    oldest first, and how many the ring buffer has dropped."""
    try:
        raw = dict(parse_qsl(query, keep_blank_values=False, errors="strict"))
    except UnicodeDecodeError:
        raise InvalidRequest("query", "percent-encoded bytes that are not UTF-8") from None
    unknown = set(raw) - {"method", "path", "model", "status", "since"}
    if unknown:
        raise InvalidRequest(
            sorted(unknown)[0], "unknown filter (known: method, path, model, status, since)"
        )
    model = raw.get("model")
    if model is not None and model not in spec.available_models():
        known = ", ".join(spec.available_models())
        raise InvalidRequest("model", f"{model!r} is not a model of the spec (known: {known})")
    status = raw.get("status")
    if status is not None and not status.isdigit():
        raise InvalidRequest("status", f"{status!r} is not an HTTP status code")
    since = raw.get("since")
    try:
        instant = parse_instant(since) if since else None
    except ValueError:
        raise InvalidRequest("since", f"{since!r} is not an ISO 8601 instant") from None
    entries = journal.entries(
        method=raw.get("method"),
        path=raw.get("path"),
        model=model,
        status=int(status) if status else None,
        since=instant,
    )
    return json_response(
        200,
        {"entries": [entry.as_json() for entry in entries], "dropped": journal.dropped},
    )


class ControlSurface:
    """The actions under `/__mock__/`, over what they act on and nothing more."""

    def __init__(
        self,
        backend: Backend,
        outbox: Outbox,
        journal: Journal,
        view: JobView,
        reset: Callable[[], None],
    ) -> None:
        self.backend = backend
        self.outbox = outbox
        self.journal = journal
        self.view = view
        self.reset = reset

    def state(self) -> dict[str, Any]:
        return {
            "now": self.backend.clock.now().isoformat(),
            "progression": str(self.backend.settings.progression),
            "step_seconds": self.backend.settings.pace.step_seconds,
            "jobs": len(self.backend),
            "webhooks_pending": self.outbox.pending,
            "journal": len(self.journal),
        }

    def handle(self, request: MockRequest) -> MockResponse:
        action = request.path[len(PREFIX) :].strip("/")
        method = request.method
        if action == "state" and method == "GET":
            return json_response(200, self.state())
        if action == "reset" and method == "POST":
            self.reset()
            return json_response(200, self.state())
        if action == "clock" and method == "POST":
            _set_clock(self.backend, _body(request))
            return json_response(200, self.state())
        if action == "progression" and method == "POST":
            _set_progression(self.backend, _body(request))
            return json_response(200, self.state())
        if action == "journal" and method == "GET":
            return journal_response(self.journal, request.query)
        if action == "webhooks" and method == "GET":
            return json_response(
                200,
                {
                    "pending": self.outbox.pending,
                    "attempts": [a.as_json() for a in self.outbox.log],
                },
            )
        parts = action.split("/")
        if len(parts) == 3 and parts[0] == "jobs" and parts[2] == "advance" and method == "POST":
            steps = checked("steps", _body(request).get("steps", 1))
            return json_response(200, self.view.json(self.backend.advance(parts[1], steps)))
        return error_response_of(404, f"no control action {method} {request.path}")
