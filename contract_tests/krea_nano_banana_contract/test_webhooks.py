"""Webhooks: a job created with the webhook header is POSTed, as its final JSON, to that URL
once it ends. In-process the mock's router receives it; live, a receiver on loopback does,
which only a server on this machine can reach."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import krea_nano_banana_spec as spec
from krea_nano_banana_contract.checks import body_matches_schema
from krea_nano_banana_contract.strategies import minimal_body, webhook_header
from krea_nano_banana_contract.target import Target

LIFECYCLE = spec.lifecycle()
HOOK = "https://hooks.example.test/contract-webhooks"
JOB = spec.operation_for("job.get").operation_id


@pytest.fixture
def deliveries(spending: Target) -> Iterator[tuple[str, Callable[[str, float], list[Any]]]]:
    """(the URL to give, a function returning the deliveries for a job, waiting up to the
    seconds it is given)."""
    mock = spending.mock
    if mock is not None:
        route = mock.router.post(HOOK).respond(200)

        def received(job_id: str, seconds: float) -> list[Any]:
            mock.deliver_webhooks()
            bodies = [json.loads(call.request.content) for call in route.calls]
            return [body for body in bodies if body.get("job_id") == job_id]

        yield HOOK, received
        return
    if spending.webhooks is None:
        pytest.skip(
            f"no webhook receiver that {spending.base_url} can reach: the suite listens on"
            " loopback only, so delivery is checked against servers on this machine"
        )
    yield spending.webhooks.url, spending.webhooks.wait_for


@pytest.mark.parametrize("model", [g.model for g in spec.generations() if webhook_header(g.model)])
def test_a_finished_job_is_posted_to_its_webhook(
    spending: Target, deliveries: tuple[str, Callable[[str, float], list[Any]]], model: str
) -> None:
    if model not in spending.models:
        pytest.skip(f"{model} is not among the models this run checks")
    url, received = deliveries
    header = webhook_header(model)
    assert header is not None
    with spending.client(spending.fresh_token()) as client:
        created = client.create(minimal_body(model), {header: url}, model)
        if created.status_code == 400 and header in created.text:
            pytest.skip(f"the server refuses webhooks to {url}: {created.json()['error']}")
        assert created.status_code == 200, created.text
        job_id = created.json()["job_id"]
        final = client.poll_until_terminal(job_id)[-1]
    pacing = spending.pacing
    bodies = received(job_id, pacing.delivery_seconds)
    assert bodies, (
        f"no webhook for job {job_id} ({final['status']}) within {pacing.delivery_seconds:g} s"
        f" of polling seeing it end ({pacing.delivery_derivation})"
    )
    for body in bodies:  # deliveries may be repeated; each must be the finished job
        body_matches_schema(JOB, 200, body)
        assert body["status"] == final["status"], (
            f"the webhook for job {job_id} carried status {body['status']}; it ended"
            f" {final['status']}"
        )
        assert body["completed_at"] is not None, f"the webhook for job {job_id} has no completed_at"
