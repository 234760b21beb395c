"""Transport-neutral HTTP messages: what both doors turn their requests into and back from
(named apart from httpx's `Request` and `Response`, which the in-process door handles too)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core.scenarios import Fault

JSON = spec.JSON


@dataclass(slots=True)
class MockRequest:
    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    body: bytes = b""


@dataclass(slots=True)
class MockResponse:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = JSON  # "": no Content-Type header (an answer with no body)
    # A transport fault for the door to enact after handling: RESET or TIMEOUT.
    fault: Fault | None = None
    stall_seconds: float = 0.0
    job_id: str | None = None  # the job the request touched, for the journal


def error_response_of(
    status: int, message: str, headers: list[tuple[str, str]] | None = None
) -> MockResponse:
    """An error answer as the spec's Error schema has it: `{"error": message}`."""
    return json_response(status, {"error": message}, headers)


def json_response(
    status: int, payload: Any, headers: list[tuple[str, str]] | None = None
) -> MockResponse:
    return MockResponse(status, orjson.dumps(payload), headers or [])


def empty_response(status: int) -> MockResponse:
    """An answer with no body and no Content-Type, as Krea documents a cancel's 200."""
    return MockResponse(status, b"", content_type="")
