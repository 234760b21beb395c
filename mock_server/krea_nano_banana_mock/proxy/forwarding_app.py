"""The HTTP door of the proxy and of the replay: ASGI, like the mock's, with a control surface
of two actions (the journal, and reset)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from krea_nano_banana_mock.core.journal import Journal
from krea_nano_banana_mock.http_layer.app import ClientGone, read_body, send_response
from krea_nano_banana_mock.http_layer.control import PREFIX as CONTROL_PREFIX
from krea_nano_banana_mock.http_layer.control import journal_response
from krea_nano_banana_mock.http_layer.errors import PayloadTooLarge, error_response
from krea_nano_banana_mock.http_layer.messages import (
    MockRequest,
    MockResponse,
    error_response_of,
    json_response,
)

Scope = dict[str, Any]
Handler = Callable[[MockRequest], MockResponse | Awaitable[MockResponse]]


class ForwardingApp:
    def __init__(
        self,
        handle: Handler,
        journal: Journal,
        state: Callable[[], dict[str, Any]],
        on_reset: Callable[[], None],
        max_body_bytes: int,
        on_shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.handle = handle
        self.journal = journal
        self.state = state
        self.on_reset = on_reset
        self.max_body_bytes = max_body_bytes
        self.on_shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self.on_shutdown is not None:
                        await self.on_shutdown()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            body = await read_body(headers, receive, self.max_body_bytes)
        except ClientGone:
            return
        if body is None:
            limit = f"larger than the limit of {self.max_body_bytes} bytes"
            response = error_response(PayloadTooLarge(f"body: {limit}"))
        else:
            request = MockRequest(
                scope["method"],
                scope["path"],
                scope["query_string"].decode("latin-1"),
                headers,
                body,
            )
            response = await self._answer(request)
        await send_response(send, response, head=scope["method"] == "HEAD")

    async def _answer(self, request: MockRequest) -> MockResponse:
        if request.path.startswith(CONTROL_PREFIX):
            return self._control(request)
        answered = self.handle(request)
        if inspect.isawaitable(answered):
            return await answered
        return answered

    def _control(self, request: MockRequest) -> MockResponse:
        action = request.path[len(CONTROL_PREFIX) :].strip("/")
        if action == "journal" and request.method == "GET":
            return journal_response(self.journal, request.query)
        if action == "reset" and request.method == "POST":
            self.journal.clear()
            self.on_reset()
            return json_response(200, self.state())
        if action == "state" and request.method == "GET":
            return json_response(200, self.state())
        return error_response_of(404, f"no control action {request.method} {request.path}")
