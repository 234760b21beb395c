"""Recorded traffic on disk: one JSON file per exchange, secrets redacted, result images
kept beside them so that a replay can serve them offline.

A cassette file: `{"request": {method, path, query, headers, body}, "response": {status,
headers, body}}`, a JSON body as JSON, any other as `{"base64": ...}`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from krea_nano_banana_mock.core.redaction import (
    redact_headers,
    redact_json,
    redact_query,
    redact_text,
    redact_url,
)

KEPT_RESPONSE_HEADERS = {"content-type", "retry-after", "deprecation", "sunset", "link"}
NOT_KEPT_REQUEST_HEADERS = {"host", "content-length", "connection", "accept-encoding"}
IMAGES = "images"


def encode_body(body: bytes) -> Any:
    if not body:
        return None
    try:
        parsed = redact_json(orjson.loads(body))
        orjson.dumps(parsed)  # nested deeper than the serialiser allows: kept as bytes
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        with contextlib.suppress(UnicodeDecodeError):  # binary: no URL to redact
            body = redact_text(body.decode()).encode()
        return {"base64": base64.b64encode(body).decode()}
    return {"json": parsed}


def decode_body(stored: Any) -> bytes:
    if stored is None:
        return b""
    if "json" in stored:
        return orjson.dumps(stored["json"])
    return base64.b64decode(stored["base64"], validate=True)


def image_name(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:24] + ".png"


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: str
    request_headers: Mapping[str, str]
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    response_body: bytes

    def as_json(self) -> dict[str, Any]:
        return {
            "request": {
                "method": self.method,
                "path": self.path,
                "query": redact_query(self.query),
                "headers": redact_headers(
                    {
                        name: value
                        for name, value in self.request_headers.items()
                        if name.lower() not in NOT_KEPT_REQUEST_HEADERS
                    }
                ),
                "body": encode_body(self.request_body),
            },
            "response": {
                "status": self.status,
                "headers": [
                    [k, v] for k, v in self.response_headers if k.lower() in KEPT_RESPONSE_HEADERS
                ],
                "body": encode_body(self.response_body),
            },
        }


class CassetteError(ValueError):
    pass


def parse(raw: bytes, name: str) -> Exchange:
    """One cassette; CassetteError names the file and what is wrong with it."""
    try:
        data = orjson.loads(raw)
        request, response = data["request"], data["response"]
        return Exchange(
            method=str(request["method"]).upper(),
            path=str(request["path"]),
            query=str(request.get("query") or ""),
            request_headers=dict(request.get("headers") or {}),
            request_body=decode_body(request.get("body")),
            status=int(response["status"]),
            response_headers=[(str(k), str(v)) for k, v in response.get("headers") or []],
            response_body=decode_body(response.get("body")),
        )
    except orjson.JSONDecodeError as exc:
        raise CassetteError(f"{name}: not JSON ({exc})") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise CassetteError(f"{name}: not a cassette ({type(exc).__name__}: {exc})") from None


def _write_atomically(path: Path, content: bytes) -> None:
    """Whole or not at all: a recorder killed mid-write (SIGKILL, a full disk) leaves at most a
    `.partial` file, which the replay does not read, never a half cassette."""
    partial = path.with_name(f"{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


class Cassettes:
    """A folder of recordings, written in order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / IMAGES).mkdir(exist_ok=True)
        self._next = len(list(self.folder.glob("*.json")))

    def write(self, exchange: Exchange) -> Path:
        self._next += 1
        slug = re.sub(r"[^A-Za-z0-9]+", "-", exchange.path).strip("-")[:60] or "root"
        path = self.folder / f"{self._next:05d}-{exchange.method}-{slug}.json"
        _write_atomically(path, orjson.dumps(exchange.as_json(), option=orjson.OPT_INDENT_2))
        return path

    def write_image(self, url: str, content: bytes) -> None:
        _write_atomically(self.folder / IMAGES / image_name(redact_url(url)), content)

    def load(self) -> tuple[list[Exchange], list[str]]:
        """The exchanges in recording order, and one problem per file that could not be read."""
        exchanges, problems = [], []
        for path in sorted(self.folder.glob("*.json")):
            try:
                exchanges.append(parse(path.read_bytes(), path.name))
            except CassetteError as problem:
                problems.append(str(problem))
            except OSError as exc:
                problems.append(f"{path.name}: cannot be read ({exc.strerror})")
        return exchanges, problems
