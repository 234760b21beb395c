"""The HTTP door: a bare ASGI application over the same handlers as the respx door.

No framework: the handlers already route from the spec, and every layer between uvicorn and
them costs requests per second. A background task moves time-driven jobs on and sends due
webhooks, so request handling never waits on a receiver.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from krea_nano_banana_mock.http_layer.dispatcher import Dispatcher
from krea_nano_banana_mock.http_layer.errors import PayloadTooLarge, error_response

if TYPE_CHECKING:
    import httpx
from krea_nano_banana_mock.core.scenarios import Fault
from krea_nano_banana_mock.core.webhooks import USER_AGENT
from krea_nano_banana_mock.http_layer.messages import MockRequest, MockResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

TICK_SECONDS = 0.05
FREEZE_EVERY_TICKS = 20  # about once a second


class ClientGone(Exception):
    """The client disconnected before it had sent the whole body."""


class DeliberateReset(Exception):
    """Raised after the response has started, so that uvicorn drops the connection."""


class _QuietResets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DeliberateReset))


logging.getLogger("uvicorn.error").addFilter(_QuietResets())
WEBHOOK_TIMEOUT_SECONDS = 5.0


class AsgiApp:
    def __init__(
        self, dispatcher: Dispatcher, webhook_timeout: float = WEBHOOK_TIMEOUT_SECONDS
    ) -> None:
        self.dispatcher = dispatcher
        self.webhook_timeout = webhook_timeout
        self._background: asyncio.Task[None] | None = None
        self._deliveries: set[asyncio.Task[int]] = set()
        self._client: httpx.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        # ASGI servers send header names in lower case already.
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            body = await self._read_body(headers, receive)
        except ClientGone:
            return  # nothing may come of a request that was never sent whole
        if body is None:
            response = error_response(
                PayloadTooLarge(
                    f"body: larger than the limit of {self.dispatcher.max_body_bytes} bytes"
                )
            )
        else:
            request = MockRequest(
                method=scope["method"],
                path=scope["path"],
                query=scope["query_string"].decode("latin-1"),
                headers=headers,
                body=body,
            )
            response = self.dispatcher.handle(request)
        if response.fault is Fault.TIMEOUT:
            await asyncio.sleep(response.stall_seconds)
        elif response.fault is Fault.RESET:
            await send({"type": "http.response.start", "status": response.status, "headers": []})
            raise DeliberateReset("scenario=reset")
        await send_response(send, response, head=scope["method"] == "HEAD")

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes | None:
        return await read_body(headers, receive, self.dispatcher.max_body_bytes)

    # -- lifespan: the background pump --------------------------------------------------------

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._background = asyncio.create_task(self._pump())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _pump(self) -> None:
        ticks = 0
        while True:
            ticks += 1
            if ticks % FREEZE_EVERY_TICKS == 0:
                # Jobs live long: moved out of the collector's sight, they no longer make every
                # full collection rescan the whole store (the p99 spikes under load).
                gc.freeze()
            self.dispatcher.backend.catch_up()
            if self.dispatcher.outbox:
                task = asyncio.create_task(
                    self.dispatcher.outbox.deliver_due_async(self._post_webhook)
                )
                self._deliveries.add(task)
                task.add_done_callback(self._deliveries.discard)
            await asyncio.sleep(TICK_SECONDS)

    async def _post_webhook(self, url: str, body: bytes) -> int:
        if self._client is None:  # made at the first delivery: most runs never send one
            import httpx

            self._client = httpx.AsyncClient(timeout=self.webhook_timeout)
        response = await self._client.post(
            url,
            content=body,
            headers={"content-type": "application/json", "user-agent": USER_AGENT},
        )
        return response.status_code

    async def _stop(self) -> None:
        tasks = [t for t in [self._background, *self._deliveries] if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()


async def read_body(headers: dict[str, str], receive: Receive, limit: int) -> bytes | None:
    """The body, or None once it is known to be over the limit (without reading it all)."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        if not message.get("more_body", False):
            return b"".join([*chunks, chunk]) if chunks else chunk
        chunks.append(chunk)


async def send_response(send: Send, response: MockResponse, head: bool = False) -> None:
    raw_headers = [(b"content-length", str(len(response.body)).encode())]
    if response.content_type:  # an answer with no body (a cancel) declares no type
        raw_headers.insert(0, (b"content-type", response.content_type.encode()))
    if response.headers:
        raw_headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    await send({"type": "http.response.start", "status": response.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": b"" if head else response.body})
