"""The validating proxy: `krea-mock-server --proxy URL [--record DIR]`.

Every request is forwarded to the upstream (Krea's API in real use) and answered with the
upstream's response, unchanged; on the way, the request and the response are checked against
openapi.yaml and each finding is journaled. With a cassette folder, every exchange is written
there (secrets redacted), with the result images it points to, for `--replay`.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import orjson

import krea_nano_banana_spec as spec
from krea_nano_banana_mock.core.clock import Clock
from krea_nano_banana_mock.core.journal import Entry, Journal
from krea_nano_banana_mock.core.redaction import redact_text, redact_url
from krea_nano_banana_mock.http_layer.errors import MethodNotAllowed, RouteNotFound
from krea_nano_banana_mock.http_layer.messages import (
    MockRequest,
    MockResponse,
    error_response_of,
)
from krea_nano_banana_mock.http_layer.routes import Routes
from krea_nano_banana_mock.proxy.cassettes import Cassettes, Exchange
from krea_nano_banana_mock.proxy.conformance import request_problems, response_problems
from krea_nano_banana_mock.proxy.upstream_client import Upstream, UpstreamError

log = logging.getLogger("krea_nano_banana_mock.proxy")
# Hop-by-hop headers, and the ones httpx sets for itself, are not forwarded.
NOT_FORWARDED = {
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "accept-encoding",
}
# `date` too: the server in front sets its own, and two would contradict each other.
NOT_RETURNED = {
    "date",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-encoding",
}


class Proxy:
    def __init__(
        self,
        upstream: str,
        journal: Journal,
        clock: Clock,
        cassettes: Cassettes | None = None,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.journal = journal
        self.clock = clock
        self.cassettes = cassettes
        self.routes = Routes(spec.operations().values())
        self._upstream = Upstream(self.upstream, timeout)
        # Result images are fetched from wherever the upstream points, when recording only.
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self._upstream.close()
        await self._client.aclose()

    def _operation(self, request: MockRequest) -> tuple[str | None, dict[str, str]]:
        try:
            return self.routes.match(request.method, request.path)
        except (RouteNotFound, MethodNotAllowed):  # forwarded all the same, and reported
            return None, {}

    async def handle(self, request: MockRequest) -> MockResponse:
        operation_id, path_params = self._operation(request)
        problems = request_problems(operation_id, request)
        target = f"{request.path}?{request.query}" if request.query else request.path
        headers = [(k, v) for k, v in request.headers.items() if k not in NOT_FORWARDED]
        headers.append(("accept-encoding", "identity"))  # bodies the checks can read
        try:
            upstream = await self._upstream.request(request.method, target, headers, request.body)
        except UpstreamError as exc:
            reason = f"upstream {self.upstream} unreachable: {exc}"
            problems.append(f"upstream: {reason}")
            answer = error_response_of(502, reason)
            self._journal(request, operation_id, path_params, answer, problems)
            return answer
        content_type = ""
        returned = []
        for name, value in upstream.headers:
            lowered = name.lower()
            if lowered == "content-type":
                content_type = value
            elif lowered not in NOT_RETURNED:
                returned.append((name, value))
        problems += response_problems(operation_id, upstream.status, content_type, upstream.body)
        answer = MockResponse(
            upstream.status,
            upstream.body,
            returned,
            content_type=content_type or "application/octet-stream",
        )
        self._journal(request, operation_id, path_params, answer, problems)
        if self.cassettes is not None:
            await self._record(request, answer)
        return answer

    def _journal(
        self,
        request: MockRequest,
        operation_id: str | None,
        path_params: dict[str, str],
        answer: MockResponse,
        problems: list[str],
    ) -> None:
        for problem in problems:
            log.warning("%s %s: %s", request.method, request.path, redact_text(problem))
        job_id = next(iter(path_params.values()), None) or _job_id(answer.body)
        self.journal.record(
            Entry.of(
                self.clock.now(),
                request,
                answer,
                operation_id,
                job_id=job_id,
                violations=problems,
            )
        )

    async def _record(self, request: MockRequest, answer: MockResponse) -> None:
        assert self.cassettes is not None
        self.cassettes.write(
            Exchange(
                request.method,
                request.path,
                request.query,
                request.headers,
                request.body,
                answer.status,
                [("content-type", answer.content_type), *answer.headers],
                answer.body,
            )
        )
        for url in _result_urls(answer.body):
            try:
                image = await self._client.get(url)  # result links carry no API token
            except httpx.HTTPError as exc:
                log.warning("result image %s not recorded: %s", redact_url(url), exc)
                continue
            if image.status_code == 200:
                self.cassettes.write_image(url, image.content)


def _parsed(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _job_id(body: bytes) -> str | None:
    parsed = _parsed(body)
    job_id = parsed.get("job_id") if isinstance(parsed, dict) else None
    return job_id if isinstance(job_id, str) else None


def _result_urls(body: bytes) -> list[str]:
    parsed = _parsed(body)
    jobs = parsed.get("items", [parsed]) if isinstance(parsed, dict) else []
    urls = []
    for job in jobs:
        result = job.get("result") if isinstance(job, dict) else None
        found = result.get("urls") if isinstance(result, dict) else None
        urls += [u for u in found or [] if isinstance(u, str)]
    return urls
