"""What the contract suite runs against: the in-process mock, or a live server over HTTP.

Everything that differs between the two lives here, so the properties read the same for both.
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from krea_nano_banana_mock import KreaMock

import krea_nano_banana_spec as spec
from krea_nano_banana_contract.checks import response_conforms


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Target:
    """A server under test, and how to reach, pace and (for the mock) steer it."""

    description: str
    base_url: str
    token: str
    other_token: str | None
    transport: httpx.BaseTransport | None = None
    mock: KreaMock | None = None  # set in-process: the clock and the progression can be steered
    may_spend: bool = True
    runs_mock_scenarios: bool = True  # the server honours the mock's Prefer scenarios
    poll_interval: float = 0.0
    job_timeout: float = 30.0
    created: int = 0
    _fresh: Iterator[int] = field(default_factory=itertools.count)

    @property
    def live(self) -> bool:
        return self.mock is None

    @property
    def every_step_seen(self) -> bool:
        """In-process each poll moves a job exactly one step; a live server moves with time,
        and a poll may miss steps in between."""
        return not self.live

    @classmethod
    def in_process(cls, mock: KreaMock, description: str = "the in-process mock") -> Target:
        return cls(
            description=description,
            base_url=mock.base_url,
            token="contract-a",
            other_token="contract-b",
            transport=mock.transport(),
            mock=mock,
        )

    def fresh_token(self) -> str:
        """A tenant of its own: in-process any token is one; live, the configured token."""
        if self.live:
            return self.token
        return f"contract-{uuid.uuid4()}"

    def client(self, token: str | None = None) -> ContractClient:
        return ContractClient(self, self.token if token is None else token)

    def pause(self) -> None:
        if self.poll_interval:
            time.sleep(self.poll_interval)


class ContractClient:
    """Raw HTTP to the target; every response is checked against openapi.yaml."""

    def __init__(self, target: Target, token: str | None) -> None:
        self.target = target
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(
            base_url=target.base_url, transport=target.transport, headers=headers, timeout=30.0
        )

    def __enter__(self) -> ContractClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def create(
        self, body: Any, headers: dict[str, str] | None = None, model: str | None = None
    ) -> httpx.Response:
        """A generation request to `model` (default: the spec's default model)."""
        operation = spec.generation(model)
        response = self.http.post(operation.path, json=body, headers=headers)
        response_conforms(operation.operation_id, response)
        if response.status_code == 200:
            self.target.created += 1
        return response

    def call(self, role: str, *path_values: str, **params: Any) -> httpx.Response:
        """The operation with this `x-operation-role`, checked against the spec."""
        operation = spec.operation_for(role)
        response = self.http.request(
            operation.method, operation.url_path(*path_values), params=params or None
        )
        response_conforms(operation.operation_id, response)
        return response

    def get(self, job_id: str) -> httpx.Response:
        return self.call("job.get", job_id)

    def cancel(self, job_id: str) -> httpx.Response:
        return self.call("job.cancel", job_id)

    def list_jobs(self, **params: Any) -> httpx.Response:
        return self.call("job.list", **params)

    def poll(self, job_id: str) -> dict[str, Any]:
        response = self.get(job_id)
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        assert job["job_id"] == job_id, f"asked for job {job_id}, got {job['job_id']}"
        return job

    def poll_until_terminal(self, job_id: str) -> list[dict[str, Any]]:
        """Every job body seen, one per poll, ending at the first terminal one."""
        seen = []
        deadline = time.monotonic() + self.target.job_timeout
        while time.monotonic() < deadline:
            job = self.poll(job_id)
            seen.append(job)
            if job.get("completed_at"):
                return seen
            self.target.pause()
        statuses = [j["status"] for j in seen]
        raise AssertionError(
            f"job {job_id} did not finish in {self.target.job_timeout} s: {statuses}"
        )


def from_environment() -> Target:
    base_url = os.environ.get("KREA_BASE_URL", "").rstrip("/")
    if not base_url:
        return Target.in_process(KreaMock(backlog_limit=100_000))
    token = os.environ.get("KREA_API_TOKEN")
    if not token:
        raise RuntimeError("KREA_BASE_URL is set: KREA_API_TOKEN must be set too")
    loopback = is_loopback(base_url)
    probe = httpx.get(f"{base_url}/__mock__/state", timeout=10) if loopback else None
    return Target(
        description=base_url,
        base_url=base_url,
        token=token,
        other_token=os.environ.get("KREA_API_TOKEN_OTHER"),
        may_spend=loopback or os.environ.get("KREA_ALLOW_SPEND") == "1",
        runs_mock_scenarios=probe is not None and probe.status_code == 200,
        poll_interval=0.1 if loopback else 2.0,
        job_timeout=60.0 if loopback else 600.0,
    )
