"""The validating proxy's connection to its upstream: HTTP/1.1 keep-alive connections to one
origin (http or https), each response parsed by httptools, the parser uvicorn already brings.

Why not httpx, which the rest of the project uses: profiled in front of this project's own
server, httpx's AsyncClient spent about 1.4 ms of CPU a request (httpcore retries a failed
`import sniffio` on every request, then passes it through its layers), thirty times what the
server it fronts spends answering. A proxy in front of live traffic must be nearly invisible;
this client spends about 25 us (docs/benchmarks.md). It does only what forwarding needs: one
origin, a body already read, no redirects, no cookies, no decompression.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import httptools

# Requests that may be sent again when a kept-alive connection turns out to be closed before
# any answer came: a create is not, since the upstream may have made its job.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})
MAX_IDLE = 256  # kept-alive connections held for reuse


class UpstreamError(Exception):
    """The upstream could not be reached, closed the connection, sent no valid HTTP, or did not
    answer in time."""


@dataclass(slots=True)
class UpstreamResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(slots=True)
class _Exchange:
    head_only: bool
    answer: asyncio.Future[UpstreamResponse]
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    received: bool = False  # any byte of the answer
    headers_done: bool = False
    delimited: bool = False  # by Content-Length or chunks, rather than by the connection closing


class _Connection(asyncio.Protocol):
    def __init__(self, pool: Upstream) -> None:
        self.pool = pool
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.exchange: _Exchange | None = None
        self.closed = False

    # -- asyncio ------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, only alike
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.exchange is None:  # bytes nobody asked for: the connection cannot be trusted
            self.close()
            return
        self.exchange.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(UpstreamError("the upstream switched protocols"))
        except httptools.HttpParserError as exc:
            self._fail(UpstreamError(f"the upstream sent invalid HTTP: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.pool.forget(self)
        exchange = self.exchange
        if exchange is None or exchange.answer.done():
            return
        if exchange.headers_done and not exchange.delimited:  # a body read until the close
            self._finish()
        else:
            reason = f": {exc}" if exc else ""
            self._fail(UpstreamError(f"the upstream closed the connection{reason}"))

    # -- httptools callbacks -------------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        assert self.exchange is not None
        self.exchange.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        exchange = self.exchange
        assert exchange is not None
        exchange.headers_done = True
        exchange.delimited = any(
            name.lower() in ("content-length", "transfer-encoding") for name, _ in exchange.headers
        )
        status = self.parser.get_status_code()
        if exchange.head_only or status in (204, 304) or 100 <= status < 200:
            # No body follows, whatever Content-Length says; the parser would wait for one.
            self._finish(reusable=False)

    def on_body(self, body: bytes) -> None:
        assert self.exchange is not None
        self.exchange.body.append(body)

    def on_message_complete(self) -> None:
        if self.exchange is not None and not self.exchange.answer.done():
            self._finish(reusable=self.parser.should_keep_alive())

    # -- one exchange --------------------------------------------------------------------------

    def send(self, request: bytes, head_only: bool) -> asyncio.Future[UpstreamResponse]:
        assert self.transport is not None
        answer: asyncio.Future[UpstreamResponse] = asyncio.get_running_loop().create_future()
        self.exchange = _Exchange(head_only, answer)
        self.transport.write(request)
        return answer

    def _finish(self, reusable: bool = False) -> None:
        exchange = self.exchange
        assert exchange is not None
        self.exchange = None
        status = self.parser.get_status_code()
        exchange.answer.set_result(
            UpstreamResponse(status, exchange.headers, b"".join(exchange.body))
        )
        if reusable and not self.closed:
            self.parser = httptools.HttpResponseParser(self)
            self.pool.release(self)
        else:
            self.close()

    def _fail(self, error: UpstreamError) -> None:
        exchange, self.exchange = self.exchange, None
        if exchange is not None and not exchange.answer.done():
            exchange.answer.set_exception(error)
        self.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Upstream:
    """Keep-alive HTTP/1.1 connections to the origin of `url`."""

    def __init__(
        self, url: str, timeout: float = 60.0, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http or https URL")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl = (
            (ssl_context or ssl.create_default_context()) if parts.scheme == "https" else None
        )
        netloc = parts.netloc.rpartition("@")[2]  # never the user info
        self.host_header = netloc.encode() if netloc.isascii() else netloc.encode("idna")
        self.timeout = timeout
        self._idle: deque[_Connection] = deque()

    async def request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> UpstreamResponse:
        """One request; `target` is the path and query, `headers` without Host or framing."""
        message = self._message(method, target, headers, body)
        try:
            async with asyncio.timeout(self.timeout):
                connection, reused = await self._connection()
                try:
                    return await self._exchange(connection, message, method)
                except UpstreamError:
                    # A kept-alive connection the upstream closed as we sent: send again on a
                    # new one, when sending twice is harmless.
                    if not reused or method not in IDEMPOTENT:
                        raise
                    connection, _ = await self._connection(fresh=True)
                    return await self._exchange(connection, message, method)
        except TimeoutError:
            raise UpstreamError(f"no answer within {self.timeout:g} s") from None
        except OSError as exc:
            raise UpstreamError(f"{type(exc).__name__}: {exc}") from None

    @staticmethod
    async def _exchange(connection: _Connection, message: bytes, method: str) -> UpstreamResponse:
        try:
            return await connection.send(message, method == "HEAD")
        except BaseException:
            connection.close()  # timed out or cancelled mid-exchange: its answer would be stale
            raise

    def _message(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> bytes:
        lines = [f"{method} {target} HTTP/1.1".encode("latin-1"), b"host: " + self.host_header]
        lines += [f"{name}: {value}".encode("latin-1") for name, value in headers]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(b"content-length: %d" % len(body))
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    async def _connection(self, fresh: bool = False) -> tuple[_Connection, bool]:
        while self._idle and not fresh:
            connection = self._idle.pop()
            if not connection.closed:
                return connection, True
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            lambda: _Connection(self),
            self.host,
            self.port,
            ssl=self.ssl,
            server_hostname=self.host if self.ssl else None,
        )
        return connection, False

    def release(self, connection: _Connection) -> None:
        if len(self._idle) < MAX_IDLE:
            self._idle.append(connection)
        else:
            connection.close()

    def forget(self, connection: _Connection) -> None:
        if connection in self._idle:
            self._idle.remove(connection)

    async def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
