"""Real servers for tests, on 127.0.0.1 and a free port, always stopped by the test."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

READY_PREFIX = "Krea mock server listening on "


ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def mock_server(*args: str, log: Path | None = None) -> Iterator[str]:
    """Runs `krea-mock-server --port 0 ARGS` and yields its URL; its stderr goes to `log`."""
    with _server([sys.executable, "-m", "krea_nano_banana_mock.server"], args, log) as url:
        yield url


@contextlib.contextmanager
def mutant_server(name: str, *args: str) -> Iterator[str]:
    """The same, with the mutant `name` of devtools/mutants.py applied."""
    with _server([sys.executable, "-m", "devtools.mutants", name], args) as url:
        yield url


@contextlib.contextmanager
def _server(start: list[str], args: tuple[str, ...], log: Path | None = None) -> Iterator[str]:
    command = [*start, "--host", "127.0.0.1", "--port", "0"]
    with (
        open(log, "w+") if log else tempfile.TemporaryFile("w+") as errors,
        subprocess.Popen(
            [*command, *args], stdout=subprocess.PIPE, stderr=errors, text=True, cwd=ROOT
        ) as process,
    ):
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line.startswith(READY_PREFIX):
                process.kill()
                errors.seek(0)
                raise RuntimeError(f"server did not start: {line}{errors.read()}")
            yield line[len(READY_PREFIX) :].split()[0]
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Receiver:
    """A webhook receiver answering with `status`; records every body it gets. Set `hold`, and
    it keeps each request open until `release` is set: the sender is then waiting on it."""

    status: int = 200
    hold: bool = False
    bodies: list[bytes] = field(default_factory=list)
    url: str = ""
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def record(self, body: bytes) -> None:
        with self._changed:
            self.bodies.append(body)
            self._changed.notify_all()
        self.arrived.set()

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Waits, at most `timeout` seconds, until `count` requests have arrived."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.bodies) >= count, timeout)


@contextlib.contextmanager
def webhook_receiver(status: int = 200, hold: bool = False) -> Iterator[Receiver]:
    receiver = Receiver(status, hold)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            receiver.record(self.rfile.read(length))
            if receiver.hold:
                receiver.release.wait(timeout=60)
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join()
