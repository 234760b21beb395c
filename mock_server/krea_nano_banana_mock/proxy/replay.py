"""Replay: `krea-mock-server --replay DIR` serves recorded traffic offline.

A request is answered by the recording of the same method, path, query and body; the same
request made again gets the next recording of it (a job polled until it ends), and the last
one again once they are used up. So a replay is deterministic: the same requests in the same
order get the same answers. Result image URLs are rewritten to copies served from DIR.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

import orjson

from krea_nano_banana_mock.core.clock import Clock
from krea_nano_banana_mock.core.journal import Entry, Journal
from krea_nano_banana_mock.core.redaction import redact_query
from krea_nano_banana_mock.http_layer.messages import (
    MockRequest,
    MockResponse,
    error_response_of,
)
from krea_nano_banana_mock.proxy.cassettes import (
    IMAGES,
    Cassettes,
    Exchange,
    decode_body,
    encode_body,
    image_name,
)

log = logging.getLogger("krea_nano_banana_mock.replay")
REPLAYED_IMAGES = "/__replay__/images/"

Key = tuple[str, str, str, bytes]


def _canonical(body: bytes) -> bytes:
    """JSON bodies compared by content, not by key order or spacing."""
    try:
        return orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        return body


def key_of(method: str, path: str, query: str, body: bytes) -> Key:
    """Recordings are redacted; a live request is redacted the same way before it is looked
    up, so that the two compare equal."""
    return method.upper(), path, redact_query(query), _canonical(decode_body(encode_body(body)))


class Replay:
    def __init__(self, folder: Path, public_url: str, journal: Journal, clock: Clock) -> None:
        self.folder = folder
        self.public_url = public_url.rstrip("/")
        self.journal = journal
        self.clock = clock
        exchanges, self.problems = Cassettes(folder).load()
        for problem in self.problems:
            log.error("cassette skipped: %s", problem)
        self._recorded: dict[Key, list[Exchange]] = defaultdict(list)
        for exchange in exchanges:
            self._recorded[key_of(*_request_key(exchange))].append(exchange)
        self._served: dict[Key, int] = defaultdict(int)
        # Read once: which recorded result URLs have a local copy, so that no answer looks at disk.
        images = folder / IMAGES
        self._images = {p.name for p in images.iterdir()} if images.is_dir() else set()
        self.count = len(exchanges)

    def handle(self, request: MockRequest) -> MockResponse:
        if request.path.startswith(REPLAYED_IMAGES) and request.method in ("GET", "HEAD"):
            return self._image(request.path[len(REPLAYED_IMAGES) :])
        key = key_of(request.method, request.path, request.query, request.body)
        recorded = self._recorded.get(key)
        if not recorded:
            answer = error_response_of(404, self._not_recorded(key, request))
        else:
            index = min(self._served[key], len(recorded) - 1)
            self._served[key] += 1
            exchange = recorded[index]
            answer = MockResponse(
                exchange.status,
                self._rewritten(exchange.response_body),
                [(k, v) for k, v in exchange.response_headers if k.lower() != "content-type"],
                content_type={k.lower(): v for k, v in exchange.response_headers}.get(
                    "content-type", "application/json"
                ),
            )
        self.journal.record(Entry.of(self.clock.now(), request, answer))
        return answer

    def _not_recorded(self, key: Key, request: MockRequest) -> str:
        """Why a request has no recording: nothing for its method and path, or which of its
        query and body differs from the recordings that share them."""
        method, path, query, _ = key
        same_path = [k for k in self._recorded if k[:2] == (method, path)]
        asked = f"{request.method} {request.path}{'?' + request.query if request.query else ''}"
        counts = f"({len(same_path)} recorded request(s) to this path, {self.count} in all)"
        if not same_path:
            return f"replay: nothing recorded for {asked} {counts}"
        if not any(k[2] == query for k in same_path):
            queries = ", ".join(sorted({f"'{k[2]}'" for k in same_path})[:5])
            return f"replay: nothing recorded for {asked} with this query {counts}: {queries}"
        return f"replay: nothing recorded for {asked} with this body {counts}"

    def reset(self) -> None:
        """From the first recording again."""
        self._served.clear()

    def _rewritten(self, body: bytes) -> bytes:
        """Result URLs that were recorded with their image point at the local copy."""
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            return body

        def local(value: object) -> object:
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                name = image_name(value)
                if name in self._images:
                    return f"{self.public_url}{REPLAYED_IMAGES}{name}"
                return value
            if isinstance(value, dict):
                return {k: local(v) for k, v in value.items()}
            if isinstance(value, list):
                return [local(v) for v in value]
            return value

        return orjson.dumps(local(parsed))

    def _image(self, name: str) -> MockResponse:
        if name not in self._images:
            return error_response_of(404, f"replay: no recorded image {name}")
        return MockResponse(
            200, (self.folder / IMAGES / name).read_bytes(), content_type="image/png"
        )


def _request_key(exchange: Exchange) -> tuple[str, str, str, bytes]:
    return exchange.method, exchange.path, exchange.query, exchange.request_body
