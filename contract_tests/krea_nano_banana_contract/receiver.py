"""A webhook receiver on loopback, for live runs against a server on the same machine."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookReceiver:
    """Answers 200 to every POST and keeps the JSON bodies it got, in order."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"unparsable": raw.decode("utf-8", "replace")}
                with receiver._changed:
                    receiver.received.append(body)
                    receiver._changed.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                return  # the suite reports what matters; access logs would drown it

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/contract-webhook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def for_job(self, job_id: str) -> list[Any]:
        return [b for b in self.received if isinstance(b, dict) and b.get("job_id") == job_id]

    def wait_for(self, job_id: str, seconds: float) -> list[Any]:
        """The deliveries for `job_id`, waiting up to `seconds` for the first one."""
        deadline = time.monotonic() + seconds
        with self._changed:
            while not self.for_job(job_id):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return self.for_job(job_id)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
