"""The proxy's upstream client against a plain HTTP/1.1 server: each way a response can be
framed, kept-alive connections, and each way the upstream can fail."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from krea_nano_banana_mock.proxy.upstream_client import Upstream, UpstreamError, UpstreamResponse


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless a path says otherwise
    connections: set[int] = set()  # noqa: RUF012 (one server per test, read after it)

    def do_GET(self) -> None:
        Handler.connections.add(id(self.connection))
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (b'{"a": ', b"1}"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/until-close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"read until the end")
            self.close_connection = True
        elif self.path == "/slow":
            time.sleep(1.0)
            self._plain(b"late")
        elif self.path == "/hang-up":
            self.close_connection = True  # no answer at all
        else:
            self._plain(f"{self.path} {self.headers.get('X-Echo', '')}".encode())

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self._plain(b"posted " + body)

    def _plain(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        return


@contextlib.contextmanager
def upstream_server() -> Iterator[str]:
    Handler.connections = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run(url: str, *requests: tuple[str, str], timeout: float = 10) -> list[Any]:
    async def send_all() -> list[Any]:
        upstream = Upstream(url, timeout=timeout)
        answers: list[Any] = []
        for method, target in requests:
            body = b"abc" if method == "POST" else b""
            try:
                answers.append(await upstream.request(method, target, [("x-echo", "hi")], body))
            except UpstreamError as error:
                answers.append(error)
        await upstream.close()
        return answers

    return asyncio.run(send_all())


def test_each_framing_of_a_response_is_read_whole() -> None:
    with upstream_server() as url:
        plain, chunked, head, posted, until_close = run(
            url,
            ("GET", "/plain?x=1"),
            ("GET", "/chunked"),
            ("HEAD", "/anything"),
            ("POST", "/create"),
            ("GET", "/until-close"),
        )
    assert isinstance(plain, UpstreamResponse)
    assert (plain.status, plain.body) == (200, b"/plain?x=1 hi")
    assert chunked.body == b'{"a": 1}'
    assert (head.status, head.body) == (200, b"")
    assert ("Content-Length", "1000") in head.headers
    assert posted.body == b"posted abc"
    assert until_close.body == b"read until the end"


def test_connections_are_kept_alive_and_reused() -> None:
    with upstream_server() as url:
        answers = run(url, *[("GET", f"/{n}") for n in range(5)])
        assert [a.body for a in answers] == [f"/{n} hi".encode() for n in range(5)]
        assert len(Handler.connections) == 1


@pytest.mark.parametrize(
    ("target", "timeout", "reason"),
    [
        ("/hang-up", 10.0, "the upstream closed the connection"),
        ("/slow", 0.2, "no answer within 0.2 s"),
    ],
)
def test_a_failing_upstream_is_an_upstream_error(target: str, timeout: float, reason: str) -> None:
    with upstream_server() as url:
        (error,) = run(url, ("GET", target), timeout=timeout)
    assert isinstance(error, UpstreamError)
    assert str(error).startswith(reason)


def test_an_unreachable_upstream_is_an_upstream_error() -> None:
    (error,) = run("http://127.0.0.1:9", ("GET", "/"))
    assert isinstance(error, UpstreamError)
    assert "ConnectionRefusedError" in str(error) or "Connect" in str(error)


def test_invalid_http_from_the_upstream_is_an_upstream_error() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"this is not HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    async def scenario() -> Any:
        server = await asyncio.start_server(garbage, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        upstream = Upstream(f"http://127.0.0.1:{port}")
        try:
            return await upstream.request("GET", "/", [], b"")
        except UpstreamError as error:
            return error
        finally:
            server.close()
            await server.wait_closed()

    error = asyncio.run(scenario())
    assert isinstance(error, UpstreamError)
    assert "invalid HTTP" in str(error)


def test_an_https_upstream_is_reached_over_tls(tmp_path: Path) -> None:
    """Krea's API is https: the client verifies the upstream's certificate (here one made
    for 127.0.0.1 and trusted by the test)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    names = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", *names, *files],
        check=True,
        capture_output=True,
        timeout=60,
    )
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure")
        await writer.drain()
        writer.close()

    async def scenario(trusted: bool) -> Any:
        server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_side)
        port = server.sockets[0].getsockname()[1]
        context = ssl.create_default_context(cafile=str(cert)) if trusted else None
        upstream = Upstream(f"https://127.0.0.1:{port}", timeout=10, ssl_context=context)
        try:
            return await upstream.request("GET", "/", [], b"")
        except UpstreamError as error:
            return error
        finally:
            await upstream.close()
            server.close()
            await server.wait_closed()

    answered = asyncio.run(scenario(trusted=True))
    assert isinstance(answered, UpstreamResponse)
    assert answered.body == b"secure"
    refused = asyncio.run(scenario(trusted=False))  # the system's trust store does not know it
    assert isinstance(refused, UpstreamError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused)
