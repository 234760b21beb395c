"""Does a request or a response keep openapi.yaml? The validating proxy's judge.

Each finding is one line naming the side, the field and the rule, for the journal:
`request: prompt: 'x' is too short (minimum length: 3)`,
`response 200: completed_at: 'yesterday' is not a 'date-time'`.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import parse_qsl

import orjson

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.http_layer.messages import MockRequest
from krea_nano_banana_mock.http_layer.validation import (
    InvalidRequest,
    ParameterValidator,
    SchemaValidator,
    parameters,
    request_body,
)

JSON = spec.JSON


# Compiled once per operation and status (fastjsonschema: microseconds on a valid message;
# jsonschema words the problems of an invalid one): the proxy checks every exchange.
@functools.cache
def _response_checker(operation_id: str, status: int) -> SchemaValidator | None:
    schema = spec.operation(operation_id).response_schema(status)
    return SchemaValidator(schema) if schema is not None else None


@functools.cache
def _documented(operation_id: str, status: int) -> bool:
    return spec.operation(operation_id).response(status) is not None


def _request_checker(operation_id: str) -> SchemaValidator:
    return request_body(spec.generation(operation_id).model)


@functools.cache
def _query(operation_id: str) -> ParameterValidator:
    return parameters(operation_id, "query")


def _query_problems(operation_id: str, query: str) -> list[str]:
    try:
        _query(operation_id).parse(dict(parse_qsl(query, keep_blank_values=True)))
    except InvalidRequest as problem:
        return [f"request: {problem}"]
    return []


def request_problems(operation_id: str | None, request: MockRequest) -> list[str]:
    if operation_id is None:
        return [f"request: {request.method} {request.path} is not an operation of openapi.yaml"]
    found = []
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        found.append("request: no bearer token (every operation requires one)")
    if spec.generation_of(operation_id) is not None:
        declared = request.headers.get("content-type", "")
        if declared and not declared.startswith(JSON):
            found.append(f"request: Content-Type: {declared}, not {JSON}")
        try:
            body = orjson.loads(request.body) if request.body else None
        except orjson.JSONDecodeError as exc:
            return [*found, f"request: body: malformed JSON ({exc})"]
        found += [f"request: {p}" for p in _request_checker(operation_id).problems(body)]
    else:
        found += _query_problems(operation_id, request.query)
    return found


# A client polling a job gets the same bytes until the job moves on: the same bytes get the
# same verdict, so small bodies' verdicts are remembered (bounded in count and in size).
VERDICT_CACHE_BODY_BYTES = 4096


def response_problems(
    operation_id: str | None, status: int, content_type: str, body: bytes
) -> list[str]:
    if operation_id is None:
        return []
    if len(body) <= VERDICT_CACHE_BODY_BYTES:
        return list(_remembered_response_problems(operation_id, status, content_type, body))
    return _response_problems(operation_id, status, content_type, body)


@functools.lru_cache(maxsize=1024)
def _remembered_response_problems(
    operation_id: str, status: int, content_type: str, body: bytes
) -> tuple[str, ...]:
    return tuple(_response_problems(operation_id, status, content_type, body))


def _response_problems(operation_id: str, status: int, content_type: str, body: bytes) -> list[str]:
    if not _documented(operation_id, status):
        return [f"response {status}: status code not documented for {operation_id}"]
    checker = _response_checker(operation_id, status)
    if checker is None:
        return []
    if not content_type.startswith(JSON):
        return [f"response {status}: content type {content_type or 'none'}, not {JSON}"]
    try:
        parsed: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return [f"response {status}: body is not JSON: {body[:80]!r}"]
    return [f"response {status}: {problem}" for problem in checker.problems(parsed)]
