"""Photograph the dashboard for the README: start the mock, play a short session (two tenants,
jobs in every state, a refused request, a webhook whose receiver is down), open the page in
Chromium and save it. Nothing is drawn by hand."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import httpx

import krea_nano_banana_spec as spec

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from devtools.browser import ARGS, executable  # noqa: E402  (the browser exactly as tests use it)

OUT = ROOT / "docs" / "dashboard.png"
READY = "Krea mock server listening on "
SESSION = [
    # token, model, prompt, Prefer header, steps to advance
    ("team-a", "nano-banana-pro", "A lighthouse on a cliff at dusk, oil painting", None, 10),
    ("team-a", "nano-banana-2", "Ice citadel, frost mages and snow beasts", None, 10),
    ("team-b", "nano-banana", "A snowy owl on a birch branch", "scenario=fail", 10),
    ("team-b", "nano-banana-2", "Isometric city block at night, neon signs", None, 2),
    ("team-a", "nano-banana-pro", "Product shot of a ceramic teapot", None, 0),
]


def session(url: str) -> None:
    with httpx.Client(base_url=url) as client:
        for token, model, prompt, prefer, steps in SESSION:
            headers = {"Authorization": f"Bearer {token}"}
            if prefer:
                headers["Prefer"] = prefer
            if model == "nano-banana-pro" and steps:
                # Its receiver is down: the dashboard shows the failed attempt and the retry.
                headers["X-Webhook-URL"] = "http://127.0.0.1:9/hooks/krea?token=s3cr3t"
            job = client.post(
                spec.generation(model).path, json={"prompt": prompt}, headers=headers
            ).json()
            if steps:
                client.post(f"/__mock__/jobs/{job['job_id']}/advance", json={"steps": steps})
            client.get(f"/jobs/{job['job_id']}", headers={"Authorization": f"Bearer {token}"})
        client.post(
            spec.generation("nano-banana-2").path,
            json={"prompt": "ok", "aspect_ratio": "7:5"},
            headers={"Authorization": "Bearer team-b"},
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--width", type=int, default=1200)
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    browser_path = executable()
    if browser_path is None:
        sys.exit("no Chromium found: apt-get install chromium")
    command = [
        sys.executable,
        "-m",
        "krea_nano_banana_mock.server",
        "--port",
        "0",
        "--progression",
        "manual",
        "--now",
        "2026-06-01T09:00:00Z",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT) as server:
        try:
            assert server.stdout is not None
            url = server.stdout.readline()[len(READY) :].split()[0]
            session(url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=browser_path, args=ARGS)
                page = browser.new_page(viewport={"width": args.width, "height": 800})
                page.goto(f"{url}/__mock__/ui")
                expect(page.locator("#webhooks-body")).to_contain_text("ConnectError")
                for image in page.get_by_role("img").all():
                    expect(image).to_be_visible()
                page.wait_for_function(
                    "[...document.images].every(i => i.complete && i.naturalWidth > 0)"
                )
                page.screenshot(path=str(args.out), full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"wrote {args.out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
