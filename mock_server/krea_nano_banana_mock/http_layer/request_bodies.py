"""A request's body as a JSON object, with a clear error for each way it can fail to be one."""

from __future__ import annotations

from typing import Any

import orjson

from krea_nano_banana_mock.http_layer.errors import PayloadTooLarge, UnsupportedMediaType
from krea_nano_banana_mock.http_layer.messages import JSON, MockRequest
from krea_nano_banana_spec.validation import InvalidRequest


def read_json_object(request: MockRequest, max_bytes: int) -> dict[str, Any]:
    """The body as a JSON object. The body is optional in the spec: none at all reads as `{}`,
    so that the schema names what is missing; a body with no Content-Type is read as JSON."""
    if len(request.body) > max_bytes:
        raise PayloadTooLarge(f"body: larger than the limit of {max_bytes} bytes")
    if not request.body.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if (
        media_type
        and media_type != JSON
        and not (media_type.startswith("application/") and media_type.endswith("+json"))
    ):
        raise UnsupportedMediaType(f"Content-Type: expected application/json, got {media_type}")
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest("body", f"malformed JSON ({exc})") from None
    if not isinstance(body, dict):
        raise InvalidRequest("body", f"must be a JSON object, not {_json_kind(body)}")
    return body


def _json_kind(value: Any) -> str:
    kinds = {
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }
    return "null" if value is None else kinds.get(type(value), type(value).__name__)
