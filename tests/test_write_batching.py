"""The server's responses reach the socket once a loop iteration, whole and in order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from krea_nano_banana_mock.core.clock import SystemClock
from krea_nano_banana_mock.http_layer.app import AsgiApp
from krea_nano_banana_mock.http_layer.assembly import MockOptions, build
from krea_nano_banana_mock.http_layer.write_batching import (
    BatchedHttpToolsProtocol,
    IterationBatchedTransport,
)
from uvicorn.config import Config
from uvicorn.server import ServerState


class RecordingTransport(asyncio.Transport):
    """A socket stand-in that records each call that would have been a write to the peer."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []  # one entry per write or writelines call
        self.ended: str | None = None  # "close", "write_eof" or "abort"

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def writelines(self, list_of_data: Any) -> None:
        self.writes.append(b"".join(bytes(d) for d in list_of_data))

    def close(self) -> None:
        self.ended = "close"

    def write_eof(self) -> None:
        self.ended = "write_eof"

    def abort(self) -> None:
        self.ended = "abort"

    def is_closing(self) -> bool:
        return self.ended in ("close", "abort")

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8080), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )


def open_connection() -> tuple[BatchedHttpToolsProtocol, RecordingTransport]:
    """A connection to the mock through the server's protocol, on a recording socket."""
    app = AsgiApp(build(SystemClock(), "http://mock", MockOptions()))
    config = Config(app, lifespan="off", log_level="warning")
    config.load()
    protocol = BatchedHttpToolsProtocol(config, ServerState(), app_state={})
    socket = RecordingTransport()
    protocol.connection_made(socket)
    return protocol, socket


async def until_written(socket: RecordingTransport, count: int) -> None:
    for _ in range(50):
        await asyncio.sleep(0)
        if len(socket.writes) >= count:
            return


async def next_iteration() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def batched_socket() -> tuple[IterationBatchedTransport, RecordingTransport]:
    socket = RecordingTransport()
    return IterationBatchedTransport(socket, asyncio.get_running_loop()), socket


@pytest.mark.anyio
async def test_writes_of_one_iteration_reach_the_socket_as_one_call_after_it() -> None:
    batched, socket = batched_socket()
    batched.write(b"HTTP/1.1 200 OK\r\n\r\n")
    batched.write(b"")
    batched.writelines([b"body ", bytearray(b"part")])
    assert socket.writes == []
    assert batched.get_write_buffer_size() == len(b"HTTP/1.1 200 OK\r\n\r\nbody part")
    await next_iteration()
    assert socket.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody part"]
    batched.write(b"next")
    await next_iteration()
    assert socket.writes[1:] == [b"next"]


@pytest.mark.anyio
@pytest.mark.parametrize("ending", ["close", "write_eof"])
async def test_ending_the_stream_sends_what_is_held_first(ending: str) -> None:
    batched, socket = batched_socket()
    batched.write(b"last words")
    getattr(batched, ending)()
    assert socket.writes == [b"last words"]
    assert socket.ended == ending
    await next_iteration()
    assert socket.writes == [b"last words"]  # the scheduled flush finds nothing left


@pytest.mark.anyio
async def test_abort_drops_what_is_held() -> None:
    batched, socket = batched_socket()
    batched.write(b"never sent")
    batched.abort()
    await next_iteration()
    assert socket.writes == []
    assert socket.ended == "abort"


@pytest.mark.anyio
async def test_nothing_is_written_to_a_socket_that_closed_meanwhile() -> None:
    batched, socket = batched_socket()
    batched.write(b"too late")
    socket.ended = "close"  # the peer went away before the loop came round
    await next_iteration()
    assert socket.writes == []


@pytest.mark.parametrize("pipelined", [1, 3])
def test_uvicorn_sends_each_response_whole_in_a_single_write(pipelined: int) -> None:
    """Through uvicorn's own protocol: guards against a uvicorn release that writes elsewhere."""
    body = b'{"prompt": "a lighthouse in a storm, oil on canvas"}'
    request = (
        b"POST /generate/image/google/nano-banana-2 HTTP/1.1\r\nhost: mock\r\n"
        b"authorization: Bearer t\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n%s" % (len(body), body)
    )

    async def scenario() -> list[bytes]:
        protocol, socket = open_connection()
        protocol.data_received(request * pipelined)
        await until_written(socket, pipelined)
        protocol.connection_lost(None)
        return socket.writes

    writes = asyncio.run(scenario())
    assert len(writes) == pipelined
    for write in writes:
        head, _, payload = write.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        assert len(payload) == length
        assert payload.startswith(b'{"job_id":')


def test_a_client_waiting_for_100_continue_gets_it_before_it_sends_the_body() -> None:
    body = b'{"prompt": "a lighthouse in a storm, oil on canvas"}'
    head = (
        b"POST /generate/image/google/nano-banana-2 HTTP/1.1\r\nhost: mock\r\n"
        b"authorization: Bearer t\r\ncontent-type: application/json\r\n"
        b"expect: 100-continue\r\ncontent-length: %d\r\n\r\n" % len(body)
    )

    async def scenario() -> list[bytes]:
        protocol, socket = open_connection()
        protocol.data_received(head)
        await until_written(socket, 2)  # only the 100 can come: the client holds the body back
        before_body = list(socket.writes)
        protocol.data_received(body)
        await until_written(socket, len(before_body) + 1)
        protocol.connection_lost(None)
        return [*before_body, b"--body sent--", *socket.writes[len(before_body) :]]

    writes = asyncio.run(scenario())
    assert writes[0] == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert writes[1] == b"--body sent--"
    assert writes[2].startswith(b"HTTP/1.1 200 OK")
