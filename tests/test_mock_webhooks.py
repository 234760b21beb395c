"""Webhooks: the job JSON POSTed on a terminal status, through respx in-process, with retries."""

from __future__ import annotations

import json

import httpx
import pytest
from krea_nano_banana_contract.checks import body_matches_schema
from krea_nano_banana_mock import KreaMock

from tests.helpers import CheckedClient

HOOK = "https://hooks.example.test/krea"


def test_delivery_on_completion(client: CheckedClient, krea_mock: KreaMock) -> None:
    receiver = krea_mock.router.post(HOOK).respond(200)
    job_id = client.create_job(x_webhook_url=HOOK)["job_id"]
    client.poll_until_terminal(job_id)
    assert receiver.call_count == 1
    delivered = json.loads(receiver.calls.last.request.content)
    assert delivered == client.get_job(job_id)
    assert delivered["status"] == "completed"
    body_matches_schema("get_job", 200, delivered)
    assert krea_mock.webhook_log[-1].delivered


@pytest.mark.parametrize("prefer", ["scenario=fail", "scenario=stuck"])
def test_delivery_on_failure_and_cancellation(
    client: CheckedClient, krea_mock: KreaMock, prefer: str
) -> None:
    receiver = krea_mock.router.post(HOOK).respond(204)
    job_id = client.create_job(x_webhook_url=HOOK, prefer=prefer)["job_id"]
    if prefer == "scenario=stuck":
        client.get_job(job_id)
        client.get_job(job_id)
        client.cancel(job_id)
    else:
        client.poll_until_terminal(job_id)
    assert receiver.call_count == 1
    assert json.loads(receiver.calls.last.request.content)["status"] in ("failed", "cancelled")


def test_no_delivery_before_the_end_or_without_a_url(
    client: CheckedClient, krea_mock: KreaMock
) -> None:
    receiver = krea_mock.router.post(HOOK).respond(200)
    hooked = client.create_job(x_webhook_url=HOOK)["job_id"]
    client.get_job(hooked)
    plain = client.create_job()["job_id"]
    client.poll_until_terminal(plain)
    assert receiver.call_count == 0


def test_duplicate_delivery_scenario(client: CheckedClient, krea_mock: KreaMock) -> None:
    receiver = krea_mock.router.post(HOOK).respond(200)
    job_id = client.create_job(x_webhook_url=HOOK, prefer="scenario=duplicate-webhook")["job_id"]
    client.poll_until_terminal(job_id)
    assert receiver.call_count == 2
    assert receiver.calls[0].request.content == receiver.calls[1].request.content


def test_failed_deliveries_are_retried_with_backoff_on_the_clock(
    client: CheckedClient, krea_mock: KreaMock
) -> None:
    receiver = krea_mock.router.post(HOOK).mock(
        side_effect=[httpx.Response(500), httpx.ConnectError("refused"), httpx.Response(200)]
    )
    job_id = client.create_job(x_webhook_url=HOOK)["job_id"]
    client.poll_until_terminal(job_id)
    assert receiver.call_count == 1
    krea_mock.advance_clock(0.5)
    assert receiver.call_count == 1  # not due yet: the first retry waits 1 s
    krea_mock.advance_clock(0.5)
    assert receiver.call_count == 2
    krea_mock.advance_clock(1.0)
    assert receiver.call_count == 2  # the second retry waits 2 s
    krea_mock.advance_clock(1.0)
    assert receiver.call_count == 3
    log = krea_mock.webhook_log
    assert [(a.attempt, a.status_code, a.delivered) for a in log] == [
        (1, 500, False),
        (2, None, False),
        (3, 200, True),
    ]
    assert "ConnectError" in (log[1].error or "")


def test_retries_are_bounded(client: CheckedClient, krea_mock: KreaMock) -> None:
    receiver = krea_mock.router.post(HOOK).respond(503)
    job_id = client.create_job(x_webhook_url=HOOK)["job_id"]
    client.poll_until_terminal(job_id)
    for _ in range(20):
        krea_mock.advance_clock(60)
    assert receiver.call_count == 5
    assert krea_mock.webhook_log[-1].final
    assert krea_mock.dispatcher.outbox.pending == 0


def test_unrouted_receiver_is_a_failed_attempt_not_a_crash(
    client: CheckedClient, krea_mock: KreaMock
) -> None:
    job_id = client.create_job(x_webhook_url="https://nobody.example.test/hook")["job_id"]
    client.poll_until_terminal(job_id)
    attempt = krea_mock.webhook_log[-1]
    assert not attempt.delivered
    assert "not mocked" in (attempt.error or "")
