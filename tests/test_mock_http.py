"""The HTTP door: the same mock over real HTTP, as curl or any language would use it."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

import krea_nano_banana_spec as spec
from devtools.servers import mock_server, webhook_receiver
from tests.conftest import ClientFactory
from tests.helpers import CheckedClient

pytestmark = pytest.mark.slow


STEP_SECONDS = 0.2
# A pace that wall time never reaches during a test: jobs made at it move only when a test
# moves the mock's clock.
CLOCK_ONLY_STEP_SECONDS = 3600


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with mock_server("--step-seconds", str(STEP_SECONDS), "--now", "2026-06-01T00:00:00Z") as url:
        yield url


def advance_clock(url: str, seconds: float) -> None:
    httpx.post(f"{url}/__mock__/clock", json={"advance_seconds": seconds}).raise_for_status()


def set_pace(url: str, step_seconds: float) -> None:
    pace = {"policy": "time", "step_seconds": step_seconds}
    httpx.post(f"{url}/__mock__/progression", json=pace).raise_for_status()


@pytest.fixture
def http_client(server_url: str, connect: ClientFactory) -> CheckedClient:
    return connect(base_url=server_url)


def test_a_job_takes_a_step_of_its_path_each_time_the_clock_moves_a_step(
    server_url: str, http_client: CheckedClient
) -> None:
    path = spec.lifecycle().mock_paths["complete"]
    set_pace(server_url, CLOCK_ONLY_STEP_SECONDS)
    try:
        job = http_client.create_job(
            {"prompt": "a lighthouse", "aspect_ratio": "16:9", "resolution": "2K"}
        )
    finally:
        set_pace(server_url, STEP_SECONDS)
    seen = [job["status"]]
    for _ in path:
        advance_clock(server_url, CLOCK_ONLY_STEP_SECONDS)
        current = http_client.get_job(job["job_id"])
        seen.append(current["status"])
        if current["completed_at"]:
            break
    assert tuple(seen) == path  # one status a step, none skipped, none repeated
    image = http_client.http.get(current["result"]["urls"][0])
    assert Image.open(io.BytesIO(image.content)).size == (2736, 1536)


def test_now_sets_the_clock_so_aliases_are_accepted(http_client: CheckedClient) -> None:
    response = http_client.create({"prompt": "a cat", "aspectRatio": "4:3"})
    assert response.status_code == 200
    assert response.headers["Sunset"] == "Fri, 19 Jun 2026 00:00:00 GMT"


def test_validation_and_auth_over_http(
    server_url: str, http_client: CheckedClient, connect: ClientFactory
) -> None:
    error = http_client.create({"prompt": "a cat", "seed": 1}).json()["error"]
    assert error.startswith("seed: unknown field (known: prompt, width, height")
    assert connect(base_url=server_url, token=None).list_jobs().status_code == 401


def test_oversized_body_is_refused_from_its_declared_length(server_url: str) -> None:
    # Only the headers are sent: the server must answer 413 without waiting for the body.
    host, port = server_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /generate/image/google/nano-banana-2 HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 5000000\r\n\r\n"
        )
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")


def test_openapi_json_and_control_surface(server_url: str, connect: ClientFactory) -> None:
    assert httpx.get(f"{server_url}/openapi.json").json()["openapi"].startswith("3.1")
    state = httpx.get(f"{server_url}/__mock__/state").json()
    assert state["progression"] == "time"
    moved = httpx.post(f"{server_url}/__mock__/clock", json={"now": "2026-07-01T00:00:00Z"}).json()
    assert moved["now"].startswith("2026-07-01T00:00:0")
    client = connect(base_url=server_url)
    assert client.create({"prompt": "a cat", "aspectRatio": "4:3"}).status_code == 400
    httpx.post(f"{server_url}/__mock__/clock", json={"now": "2026-06-01T00:00:00Z"})
    bad = httpx.post(f"{server_url}/__mock__/progression", json={"policy": "warp"})
    assert bad.status_code == 400
    assert "policy" in bad.json()["error"]


def test_control_manual_progression_and_advance(server_url: str, connect: ClientFactory) -> None:
    client = connect(base_url=server_url, token="control-test")
    httpx.post(f"{server_url}/__mock__/progression", json={"policy": "manual"})
    try:
        job_id = client.create_job()["job_id"]
        advance_clock(server_url, CLOCK_ONLY_STEP_SECONDS)  # time alone moves nothing
        assert client.get_job(job_id)["status"] == "queued"
        advanced = httpx.post(
            f"{server_url}/__mock__/jobs/{job_id}/advance", json={"steps": 2}
        ).json()
        assert advanced["status"] == "processing"
    finally:
        httpx.post(f"{server_url}/__mock__/progression", json={"policy": "time"})


def test_configured_tokens_only(connect: ClientFactory) -> None:
    with mock_server("--token", "alpha", "--token", "beta") as url:
        assert connect(base_url=url, token="alpha").list_jobs().status_code == 200
        assert connect(base_url=url, token="gamma").list_jobs().status_code == 401


def test_webhook_delivered_over_http(http_client: CheckedClient) -> None:
    with webhook_receiver() as receiver:
        job_id = http_client.create_job(x_webhook_url=receiver.url)["job_id"]
        assert receiver.arrived.wait(timeout=10)
        delivered = json.loads(receiver.bodies[0])
        assert delivered["job_id"] == job_id
        assert delivered["status"] == "completed"


def test_a_failing_receiver_is_retried_and_never_blocks_requests(
    server_url: str, connect: ClientFactory
) -> None:
    with webhook_receiver(status=500, hold=True) as receiver:
        client = connect(base_url=server_url, token="retry-test")
        job_id = client.create_job(x_webhook_url=receiver.url)["job_id"]
        assert receiver.wait_for(1)
        # The server is waiting for the receiver's answer, and answers a request meanwhile.
        assert client.list_jobs().status_code == 200
        receiver.release.set()
        advance_clock(server_url, 60)  # past the backoff: the retry is due
        assert receiver.wait_for(2)
        log = httpx.get(f"{server_url}/__mock__/webhooks").json()["attempts"]
    first = next(a for a in log if a["job_id"] == job_id)
    # Its answer was taken: the server had not given up on the receiver while it answered.
    assert first["status_code"] == 500
    assert not first["delivered"]


def test_control_sets_a_faster_pace_for_new_jobs(connect: ClientFactory) -> None:
    with mock_server("--step-seconds", "30") as url:
        client = connect(base_url=url, token="pace-test")
        slow = client.create_job()["job_id"]
        fast_pace = {"policy": "time", "step_seconds": 0.01}
        state = httpx.post(f"{url}/__mock__/progression", json=fast_pace).json()
        assert state["step_seconds"] == 0.01
        fast = client.create_job()["job_id"]
        advance_clock(url, 1)  # all of the fast job's steps, not one of the slow job's
        assert client.get_job(fast)["completed_at"] is not None
        assert client.get_job(slow)["completed_at"] is None
        zero = httpx.post(f"{url}/__mock__/progression", json={"policy": "time", "step_seconds": 0})
        assert zero.status_code == 400
        assert "step_seconds" in zero.json()["error"]
