"""A soak: the mock server under mixed traffic for a bounded time, on loopback.

Creates on every model, polls, lists, cancels, bad requests, webhooks to a slow and to a
failing receiver, the journal's and the dashboard's readers; meanwhile a recording proxy in
front of the server is killed with SIGKILL, and its cassettes are replayed. Reports requests
served, 5xx (must be 0), jobs lost (must be 0), the server's RSS and open file descriptors at
the start and at the end, and whether every cassette replays. Prints JSON with `--json`;
otherwise writes its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

import krea_nano_banana_spec as spec

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- soak:start -->", "<!-- soak:end -->"
READY = "Krea mock server listening on "
WORKERS = 6
NESTED = '{"prompt": ' + "[" * 300 + "]" * 300 + "}"


@dataclass
class Figures:
    seconds: float
    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    server_errors: int = 0
    jobs_created: int = 0
    jobs_lost: int = 0
    webhook_attempts: int = 0
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    fds_start: int = 0
    fds_end: int = 0
    fds_peak: int = 0
    journal_entries: int = 0
    jobs_held: int = 0
    proxy_requests_before_kill: int = 0
    cassettes_recorded: int = 0
    cassettes_unreadable: list[str] = field(default_factory=list)
    replayed_status: int = 0


@contextlib.contextmanager
def server(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    command = [sys.executable, "-m", "krea_nano_banana_mock.server", "--host", "127.0.0.1"]
    with subprocess.Popen(
        [*command, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line.startswith(READY):
                raise SystemExit(f"the server did not start: {line!r}")
            yield line[len(READY) :].split()[0], process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


@contextlib.contextmanager
def receiver(status: int, delay: float) -> Iterator[str]:
    """A webhook receiver answering `status` after `delay` seconds."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            time.sleep(delay)
            with contextlib.suppress(OSError):  # the mock gave up waiting
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.daemon_threads = True
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{hook.server_address[1]}/hook"
    finally:
        hook.shutdown()
        hook.server_close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Traffic:
    """The mix of requests, shared by the workers; counts every answer."""

    def __init__(self, url: str, hooks: list[str], deadline: float, seed: int) -> None:
        self.url = url
        self.hooks = hooks
        self.deadline = deadline
        self.statuses: collections.Counter[int] = collections.Counter()
        self.created: dict[str, str] = {}  # job id -> token
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.models = spec.available_models()
        self.has_dashboard = False

    def count(self, response: httpx.Response) -> httpx.Response:
        with self.lock:
            self.statuses[response.status_code] += 1
        return response

    def work(self, number: int) -> None:
        token = f"soak-{number % 3}"
        rng = random.Random(number)
        with httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            mine: list[str] = []
            while time.monotonic() < self.deadline:
                roll = rng.random()
                if roll < 0.25 or not mine:
                    self.create(client, rng, token, mine)
                elif roll < 0.55:
                    self.count(client.get(f"/jobs/{rng.choice(mine)}"))
                elif roll < 0.65:
                    self.count(client.get("/jobs", params={"limit": rng.choice([1, 10, 100])}))
                elif roll < 0.72:
                    self.count(client.delete(f"/jobs/{rng.choice(mine)}"))
                elif roll < 0.85:
                    self.bad_request(client, rng)
                elif roll < 0.93:
                    self.count(client.get("/__mock__/journal", params={"status": 400}))
                elif self.has_dashboard:  # what an open dashboard polls
                    self.count(client.get("/__mock__/ui/api/summary", params={"per_page": 25}))
                    self.count(client.get("/__mock__/ui/api/journal", params={"per_page": 50}))
                else:
                    self.count(client.get("/__mock__/state"))

    def create(self, client: httpx.Client, rng: random.Random, token: str, mine: list[str]) -> None:
        model = spec.generation(rng.choice(self.models))
        headers = {}
        webhook = model.header(spec.Role.WEBHOOK_URL)
        if webhook and rng.random() < 0.3:
            headers[webhook] = rng.choice(self.hooks)
        answer = self.count(client.post(model.path, json={"prompt": "a soak"}, headers=headers))
        if answer.status_code == 200:
            job_id = answer.json()["job_id"]
            mine.append(job_id)
            with self.lock:
                self.created[job_id] = token

    def bad_request(self, client: httpx.Client, rng: random.Random) -> None:
        path = spec.generation(rng.choice(self.models)).path
        kind = rng.randrange(5)
        if kind == 0:
            self.count(client.post(path, json={"prompt": 7}))
        elif kind == 1:
            self.count(
                client.post(path, content=NESTED, headers={"Content-Type": "application/json"})
            )
        elif kind == 2:
            self.count(client.post(path, content=b"{not json"))
        elif kind == 3:
            self.count(client.get("/jobs/not-a-job"))
        else:
            self.count(client.get("/jobs", headers={"Authorization": "Basic x"}))


def soak(seconds: float) -> Figures:
    figures = Figures(seconds)
    with (
        receiver(200, 2.0) as slow_hook,
        receiver(500, 0.0) as failing_hook,
        server(
            "--step-seconds",
            "0.05",
            "--webhook-timeout",
            "1",
            "--webhook-first-delay",
            "0.2",
            "--journal-size",
            "2000",
        ) as (url, process),
        tempfile.TemporaryDirectory() as cassettes,
    ):
        traffic = Traffic(url, [slow_hook, failing_hook], time.monotonic() + seconds, seed=1)
        traffic.has_dashboard = httpx.get(f"{url}/__mock__/ui").status_code == 200
        time.sleep(0.5)
        figures.rss_start_mb, figures.fds_start = rss_mb(process.pid), open_fds(process.pid)
        workers = [threading.Thread(target=traffic.work, args=(n,)) for n in range(WORKERS)]
        for worker in workers:
            worker.start()
        record_and_kill(url, Path(cassettes), seconds, figures)
        for worker in workers:
            worker.join()
        figures.fds_peak = max(figures.fds_peak, open_fds(process.pid))
        settle(url)
        figures.rss_end_mb, figures.fds_end = rss_mb(process.pid), open_fds(process.pid)
        with httpx.Client(base_url=url) as client:
            figures.jobs_lost = sum(
                1
                for job_id, token in traffic.created.items()
                if client.get(
                    f"/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"}
                ).status_code
                != 200
            )
        state = httpx.get(f"{url}/__mock__/state").json()
        figures.journal_entries, figures.jobs_held = state["journal"], state["jobs"]
        figures.webhook_attempts = len(httpx.get(f"{url}/__mock__/webhooks").json()["attempts"])
        replay_after_kill(Path(cassettes), figures)
    figures.by_status = dict(sorted(traffic.statuses.items()))
    figures.requests = sum(traffic.statuses.values())
    figures.server_errors = sum(n for status, n in traffic.statuses.items() if status >= 500)
    figures.jobs_created = len(traffic.created)
    return figures


def settle(url: str, limit: float = 30.0) -> None:
    """Until no webhook is pending (each has at most 5 attempts), within `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if httpx.get(f"{url}/__mock__/state").json()["webhooks_pending"] == 0:
            break
        time.sleep(0.2)
    time.sleep(0.5)  # the last attempts' connections close


def record_and_kill(upstream: str, folder: Path, seconds: float, figures: Figures) -> None:
    """Traffic through a recording proxy, killed with SIGKILL while it is recording."""
    with server("--proxy", upstream, "--record", str(folder)) as (url, proxy):
        stop = time.monotonic() + min(seconds / 2, 10)
        model = spec.generation()
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer rec"}) as client:
            # Threads keep the proxy writing cassettes when the signal lands.
            def drive() -> None:
                with contextlib.suppress(httpx.HTTPError):
                    while True:
                        job = client.post(model.path, json={"prompt": "recorded"}).json()
                        client.get(f"/jobs/{job['job_id']}")
                        figures.proxy_requests_before_kill += 2

            for _ in range(3):
                threading.Thread(target=drive, daemon=True).start()
            time.sleep(max(stop - time.monotonic(), 0.5))
            os.kill(proxy.pid, signal.SIGKILL)
            proxy.wait()


def replay_after_kill(folder: Path, figures: Figures) -> None:
    figures.cassettes_recorded = len(list(folder.glob("*.json")))
    with server("--replay", str(folder)) as (url, _):
        state = httpx.get(f"{url}/__mock__/state").json()
        figures.cassettes_unreadable = list(state["unreadable"])
        first = json.loads(sorted(folder.glob("*.json"))[0].read_text())["request"]
        figures.replayed_status = httpx.request(
            first["method"], f"{url}{first['path']}", json=(first["body"] or {}).get("json")
        ).status_code


def section(figures: Figures) -> str:
    growth = figures.rss_end_mb - figures.rss_start_mb
    statuses = ", ".join(f"{status}: {n:,}" for status, n in figures.by_status.items())
    return "\n".join(
        [
            START,
            "",
            f"### Soak ({figures.seconds:.0f} s of mixed traffic on loopback,"
            f" {WORKERS} clients, three tokens)",
            "",
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
            " Reproduce: `./scripts/soak --seconds 60`. Creates on every model, polls, lists,"
            " cancels, bad requests (wrong types, a body nested 300 deep, malformed JSON,"
            " unknown jobs, non-bearer auth), webhooks to a receiver slower than the timeout"
            " and to one answering 500, readers of the journal and the dashboard.",
            "",
            "| figure | value |",
            "|---|---|",
            f"| requests served | {figures.requests:,} ({statuses}) |",
            f"| 5xx | **{figures.server_errors}** |",
            f"| jobs created / lost | {figures.jobs_created:,} / **{figures.jobs_lost}** |",
            f"| webhook attempts in the delivery log (a ring of the newest 1,000) |"
            f" {figures.webhook_attempts:,} |",
            f"| RSS start / end | {figures.rss_start_mb:.1f} MB / {figures.rss_end_mb:.1f} MB"
            f" ({growth:+.1f} MB) |",
            f"| open file descriptors start / peak / end (settled) | {figures.fds_start} /"
            f" {figures.fds_peak} / {figures.fds_end} |",
            f"| recording proxy killed (SIGKILL) after | {figures.proxy_requests_before_kill}"
            f" requests; {figures.cassettes_recorded} cassettes,"
            f" {len(figures.cassettes_unreadable)} unreadable; replayed: HTTP"
            f" {figures.replayed_status} |",
            "",
            f"The RSS growth is what the server is asked to hold: {figures.jobs_held:,} jobs"
            f" (kept until a reset) and a journal of {figures.journal_entries:,} entries"
            " (a ring, `--journal-size 2000` here); result images are made on demand from a"
            " cache of 16 sizes.",
            "",
            END,
        ]
    )


def write_section(text: str) -> None:
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if START not in doc:
        doc += f"\n{START}\n{END}\n"
    DOC.write_text(doc[: doc.index(START)] + text + doc[doc.index(END) + len(END) :])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args()
    figures = soak(args.seconds)
    if args.json:
        print(json.dumps(asdict(figures)))
    else:
        text = section(figures)
        write_section(text)
        print(text)
    healthy = (
        figures.server_errors == 0
        and figures.jobs_lost == 0
        and not figures.cassettes_unreadable
        and figures.replayed_status == 200
    )
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
