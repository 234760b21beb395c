"""A small raw-HTTP client for tests: every response it gets is checked against the spec."""

from __future__ import annotations

from typing import Any

import httpx
from krea_nano_banana_contract.checks import response_conforms
from krea_nano_banana_mock import DEFAULT_BASE_URL

import krea_nano_banana_spec as spec

CREATE_PATH = spec.generation().path  # the default model's
PROMPT = "Ice citadel, frost mages and snow beasts, in a cool, fantasy anime style."


class CheckedClient:
    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        token: str | None = "token-a",
        base_url: str = DEFAULT_BASE_URL,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=base_url, transport=transport, headers=headers)

    def close(self) -> None:
        self.http.close()

    def create(self, body: Any = None, model: str | None = None, **headers: str) -> httpx.Response:
        payload = {"prompt": PROMPT} if body is None else body
        operation = spec.generation(model)
        response = self.http.post(operation.path, json=payload, headers=_names(headers))
        response_conforms(operation.operation_id, response)
        return response

    def create_job(
        self, body: Any = None, model: str | None = None, **headers: str
    ) -> dict[str, Any]:
        return _ok(self.create(body, model, **headers))

    def get(self, job_id: str, **headers: str) -> httpx.Response:
        response = self.http.get(f"/jobs/{job_id}", headers=_names(headers))
        response_conforms("get_job", response)
        return response

    def get_job(self, job_id: str) -> dict[str, Any]:
        return _ok(self.get(job_id))

    def cancel(self, job_id: str, **headers: str) -> httpx.Response:
        response = self.http.delete(f"/jobs/{job_id}", headers=_names(headers))
        response_conforms("cancel_job", response)
        return response

    def list_jobs(self, **params: Any) -> httpx.Response:
        response = self.http.get("/jobs", params=params)
        response_conforms("list_jobs", response)
        return response

    def poll_until_terminal(self, job_id: str, limit: int = 50) -> list[str]:
        """Statuses seen, one per poll, until a terminal one."""
        seen = []
        for _ in range(limit):
            job = self.get_job(job_id)
            seen.append(job["status"])
            if job["completed_at"] is not None:
                return seen
        raise AssertionError(f"job {job_id} still not finished after {limit} polls: {seen}")


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return job


def _names(headers: dict[str, str]) -> dict[str, str]:
    """x_webhook_url -> X-Webhook-Url (HTTP header names are case-insensitive)."""
    return {key.replace("_", "-").title(): value for key, value in headers.items()}
