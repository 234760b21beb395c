"""Secrets in URLs never reach what the mock keeps or shows: one redaction function, and a
planted secret looked for in every artefact (cassettes, journals, the webhook log, logs)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from krea_nano_banana_mock.core.redaction import REDACTED, redact_headers, redact_text, redact_url

import krea_nano_banana_spec as spec
from devtools.servers import mock_server, webhook_receiver

MODEL = spec.generation(spec.default_model())
WEBHOOK_HEADER = MODEL.header(spec.Role.WEBHOOK_URL) or "X-Webhook-URL"
# Each secret is planted in a different place a user would put one.
IN_WEBHOOK_QUERY = "planted-webhook-token-0f3a"
IN_SIGNED_LINK = "planted-signature-77c1"
IN_USER_INFO = "planted-password-9b2e"
IN_HEADER = "planted-api-key-4d10"
IN_AUTHORIZATION = "planted-bearer-token-e5e5"
IN_REFUSED_WEBHOOK = "planted-refused-token-1212"
SECRETS = [
    IN_WEBHOOK_QUERY,
    IN_SIGNED_LINK,
    IN_USER_INFO,
    IN_HEADER,
    IN_AUTHORIZATION,
    IN_REFUSED_WEBHOOK,
]


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("http://h/hook?token=abc&job=1", f"http://h/hook?token={REDACTED}&job=1"),
        (
            "https://cdn.test/a.png?X-Amz-Signature=s&X-Amz-Date=d",
            f"https://cdn.test/a.png?X-Amz-Signature={REDACTED}&X-Amz-Date=d",
        ),
        ("https://me:pw@host:8443/x", f"https://{REDACTED}@host:8443/x"),
        ("https://host/plain?size=2", "https://host/plain?size=2"),
        ("not a url", "not a url"),
        ("http://[bad", "http://[bad"),
    ],
)
def test_redact_url(url: str, redacted: str) -> None:
    assert redact_url(url) == redacted


def test_redact_text_and_headers() -> None:
    assert redact_text("'http://h/x?api_key=k' must be https") == (
        f"'http://h/x?api_key={REDACTED}' must be https"
    )
    assert redact_headers({"X-Webhook-URL": "http://h/x?secret=1", "X-CheckedClient-Key": "k"}) == {
        "X-Webhook-URL": f"http://h/x?secret={REDACTED}",
        "X-CheckedClient-Key": REDACTED,
    }


def test_a_planted_secret_is_in_no_artefact(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    upstream_log, proxy_log = tmp_path / "upstream.log", tmp_path / "proxy.log"
    with (
        webhook_receiver() as receiver,
        mock_server("--progression", "poll", log=upstream_log) as upstream,
        mock_server("--proxy", upstream, "--record", str(cassettes), log=proxy_log) as url,
        httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {IN_AUTHORIZATION}"}
        ) as client,
    ):
        created = client.post(
            MODEL.path,
            json={
                "prompt": "a lighthouse",
                "image_urls": [
                    f"https://cdn.example.test/in.png?X-Amz-Signature={IN_SIGNED_LINK}",
                    f"https://user:{IN_USER_INFO}@cdn.example.test/in2.png",
                ],
            },
            headers={
                WEBHOOK_HEADER: f"{receiver.url}?token={IN_WEBHOOK_QUERY}",
                "X-CheckedClient-Key": IN_HEADER,
            },
        )
        assert created.status_code == 200, created.text
        refused = client.post(
            MODEL.path,
            json={"prompt": "a lighthouse"},
            headers={WEBHOOK_HEADER: f"ftp://hooks.example.test/?token={IN_REFUSED_WEBHOOK}"},
        )
        assert refused.status_code == 400
        job_id = created.json()["job_id"]
        for _ in range(20):
            if client.get(f"/jobs/{job_id}").json()["completed_at"]:
                break
        assert receiver.arrived.wait(10)  # the real URL, secret and all, was called
        artefacts = {
            "proxy journal": httpx.get(f"{url}/__mock__/journal").text,
            "upstream journal": httpx.get(f"{upstream}/__mock__/journal").text,
            "webhook log": httpx.get(f"{upstream}/__mock__/webhooks").text,
        }
    artefacts["upstream log"] = upstream_log.read_text()
    artefacts["proxy log"] = proxy_log.read_text()
    recordings = sorted(cassettes.glob("*.json"))
    assert recordings
    for recording in recordings:
        artefacts[recording.name] = recording.read_text()
    leaks = [(name, s) for name, text in artefacts.items() for s in SECRETS if s in text]
    assert leaks == []
    first = recordings[0].read_text()
    assert f"token={REDACTED}" in first
    assert f"X-Amz-Signature={REDACTED}" in first
    assert "cdn.example.test/in2.png" in first  # the rest of each URL is kept
    assert f"token={REDACTED}" in artefacts["webhook log"]
