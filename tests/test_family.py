"""The whole Nano Banana family, each model held to its own published schema and price, through
the mock, the SDK and the CLI; and the five places where the mock used to be stricter than, or
different from, Krea's published contract."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from krea_nano_banana_mock import KreaMock
from PIL import Image

import krea_nano_banana_spec as spec
from devtools.servers import mock_server
from krea_nano_banana import (
    AsyncKrea,
    InvalidRequestError,
    Krea,
    KreaError,
    ModelName,
    UnknownModel,
)
from tests.helpers import CheckedClient
from tests.test_cli import run

MODELS = spec.available_models()


def examples(model: str) -> list[tuple[str, dict[str, Any]]]:
    content = spec.generation(model).operation.definition["requestBody"]["content"]
    return [(name, e["value"]) for name, e in content["application/json"]["examples"].items()]


@pytest.mark.parametrize(
    ("model", "name", "body"), [(m, n, b) for m in MODELS for n, b in examples(m)]
)
def test_each_models_documented_examples_are_accepted_and_complete(
    client: CheckedClient, model: str, name: str, body: dict[str, Any]
) -> None:
    job = client.create_job(body, model)
    assert job["type"] == spec.generation(model).job_type
    client.poll_until_terminal(job["job_id"])
    finished = client.get_job(job["job_id"])
    image = client.http.get(finished["result"]["urls"][0])
    assert image.status_code == 200
    assert Image.open(io.BytesIO(image.content)).format == "PNG"


@pytest.mark.parametrize(
    ("model", "body", "accepted", "named"),
    [
        ("nano-banana-2", {"aspect_ratio": "1:8"}, True, None),
        ("nano-banana-2", {"aspect_ratio": "4:1", "resolution": "4K"}, True, None),
        ("nano-banana-pro", {"aspect_ratio": "1:8"}, False, "aspect_ratio"),
        ("nano-banana-pro", {"aspect_ratio": "4:1"}, False, "aspect_ratio"),
        ("nano-banana-pro", {"resolution": "4K"}, True, None),
        ("nano-banana", {"resolution": "1K"}, False, "resolution"),
        ("nano-banana", {"aspect_ratio": "21:9"}, True, None),
        ("nano-banana", {"prompt": "x"}, True, None),  # its prompt may be one character
        ("nano-banana-pro", {"prompt": "xy"}, False, "prompt"),
    ],
)
def test_each_model_has_its_own_enums_and_bounds(
    client: CheckedClient, model: str, body: dict[str, Any], accepted: bool, named: str | None
) -> None:
    response = client.create({"prompt": "a lighthouse", **body}, model)
    if accepted:
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{named}: ")


def test_a_bound_error_names_its_bound(client: CheckedClient) -> None:
    error = client.create({"prompt": "x"}).json()["error"]
    assert error == "prompt: 'x' is too short (minimum length: 3)"


@pytest.mark.krea_mock(credits=Decimal("60"))
def test_each_model_is_charged_its_own_price(
    client: CheckedClient, other_client: CheckedClient
) -> None:
    # nano-banana costs 22.3 compute units, nano-banana-pro 60.1 at every tier but 4K (120).
    assert client.create({"prompt": "a cat"}, "nano-banana").status_code == 200
    assert client.create({"prompt": "a cat"}, "nano-banana").status_code == 200
    refused = client.create({"prompt": "a cat"}, "nano-banana")
    assert refused.status_code == 402
    assert refused.json()["error"].endswith("costs 22.3 compute units, 15.4 remaining")
    assert other_client.create({"prompt": "a cat"}, "nano-banana-pro").status_code == 402


# -- the five published-contract points ---------------------------------------------------


def test_list_pages_carry_next_cursor_as_published(client: CheckedClient) -> None:
    for _ in range(3):
        client.create_job()
    first = client.list_jobs(limit=2).json()
    assert set(first) == {"items", "next_cursor"}
    last = client.list_jobs(limit=2, cursor=first["next_cursor"]).json()
    assert last["next_cursor"] is None
    assert len(first["items"] + last["items"]) == 3


@pytest.mark.parametrize("types", ["", ",", " , "])
def test_an_empty_types_filter_filters_nothing(client: CheckedClient, types: str) -> None:
    made = client.create_job()
    listed = client.list_jobs(types=types)
    assert listed.status_code == 200, listed.text
    assert [j["job_id"] for j in listed.json()["items"]] == [made["job_id"]]
    assert client.list_jobs(types="flux").json()["items"] == []
    assert len(client.list_jobs(types="flux,externalImage").json()["items"]) == 1


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("side", [0.001, 1, 32, 63, 4097, 11584, 1e12])
def test_any_positive_width_and_height_is_accepted(
    client: CheckedClient, model: str, side: float
) -> None:
    response = client.create({"prompt": "a lighthouse", "width": side, "height": side}, model)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("model", MODELS)
def test_a_post_with_no_body_and_no_content_type_names_prompt(
    client: CheckedClient, model: str
) -> None:
    response = client.http.post(spec.generation(model).path)
    assert response.status_code == 400
    assert response.json() == {"error": "prompt: required field is missing"}


@pytest.mark.parametrize("model", MODELS)
def test_a_style_image_needs_only_its_strength(client: CheckedClient, model: str) -> None:
    body = {"prompt": "a lighthouse", "style_images": [{"strength": 0.5}]}
    assert client.create(body, model).status_code == 200


# -- the SDK ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_the_sdk_generates_waits_and_downloads_with_every_model(
    krea_mock: KreaMock, tmp_path: Path, model: str
) -> None:
    with Krea("token-a", transport=krea_mock.transport(), sleep=lambda _: None) as krea:
        job = krea.generate_and_wait(
            "a lighthouse", model=cast(ModelName, model), aspect_ratio="16:9"
        )
        saved = krea.download(job, tmp_path)
    assert str(job.status) == "completed"
    assert krea_mock.job(str(job.job_id)).request.model == model  # type: ignore[union-attr]
    with Image.open(saved[0]) as image:
        assert image.width > image.height


@pytest.mark.parametrize(
    ("model", "fields", "message"),
    [
        (
            "nano-banana-pro",
            {"aspect_ratio": "1:8"},
            "nano-banana-pro: aspect_ratio: '1:8' is not one of ['21:9', '1:1',",
        ),
        (
            "nano-banana",
            {"resolution": "2K"},
            "nano-banana: resolution: unknown field (known: prompt, width, height, image_urls, "
            "aspect_ratio, style_images)",
        ),
        ("nano-banana-2", {"seed": 7}, "nano-banana-2: seed: unknown field (known: prompt,"),
        (
            "nano-banana-2",
            {"aspectRatio": "16:9"},
            "nano-banana-2: aspectRatio: deprecated alias of aspect_ratio: pass aspect_ratio=...",
        ),
        (
            "nano-banana-2",
            {"width": -1},
            "nano-banana-2: width: -1 is less than or equal to the minimum of 0",
        ),
    ],
)
def test_the_sdk_checks_a_request_against_its_model_before_sending(
    krea_mock: KreaMock, model: str, fields: dict[str, Any], message: str
) -> None:
    with (
        Krea("token-a", transport=krea_mock.transport()) as krea,
        pytest.raises(InvalidRequestError) as raised,
    ):
        krea.generate("a lighthouse", model=model, **fields)  # type: ignore[call-overload]
    assert str(raised.value).startswith(message), str(raised.value)
    assert raised.value.field == next(iter(fields))
    assert len(krea_mock.dispatcher.backend) == 0  # nothing was sent


def test_an_unknown_model_names_the_known_ones(krea_mock: KreaMock) -> None:
    with (
        Krea("token-a", transport=krea_mock.transport()) as krea,
        pytest.raises(UnknownModel, match=re.escape(", ".join(spec.available_models()))) as raised,
    ):
        krea.generate("a lighthouse", model=f"no-such-model-{uuid.uuid4().hex[:8]}")  # type: ignore[call-overload]
    assert isinstance(raised.value, KreaError)
    assert len(krea_mock.dispatcher.backend) == 0


@pytest.mark.anyio
async def test_the_async_sdk_takes_every_model(krea_mock: KreaMock) -> None:
    async def no_sleep(_: float) -> None:
        return None

    async with AsyncKrea("token-a", transport=krea_mock.transport(), sleep=no_sleep) as krea:
        for model in MODELS:
            job = await krea.generate_and_wait("a lighthouse", model=cast(ModelName, model))
            assert str(job.status) == "completed"
        with pytest.raises(InvalidRequestError):
            await krea.generate("a lighthouse", model="nano-banana", resolution="1K")  # type: ignore[call-overload]


# -- the CLI ------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, krea_mock: KreaMock) -> KreaMock:
    monkeypatch.setenv("KREA_API_TOKEN", "cli-token")
    monkeypatch.setenv("KREA_BASE_URL", krea_mock.base_url)
    return krea_mock


def test_models_lists_each_model_with_its_options_and_price(
    cli: KreaMock, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "models")
    assert code == 0
    blocks = out.split("\n" + "nano-banana")
    assert out.startswith("nano-banana-2 (default)  POST /generate/image/google/nano-banana-2")
    assert "  price: 22.3 compute units, per completed job" in out
    assert "--resolution 1K 2K 4K (default 1K)" in blocks[0]
    assert "--resolution" not in blocks[-1]  # nano-banana has no tiers
    listing = json.loads(run(capsys, "--json", "models")[1])
    assert [m["model"] for m in listing] == list(MODELS)
    assert [m["default"] for m in listing] == [True, False, False]


def test_generate_takes_the_options_of_the_chosen_model(
    cli: KreaMock, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "generate", "a lighthouse", "--model", "nano-banana-pro", "--resolution", "4K"
    )
    assert code == 0, err
    job = json.loads(out)
    assert cli.job(job["job_id"]).request.model == "nano-banana-pro"  # type: ignore[union-attr]
    code, _, err = run(capsys, "generate", "x", "--model", "nano-banana", "--resolution", "2K")
    assert code == 2
    assert "nano-banana has no --resolution (nano-banana-2, nano-banana-pro have it)" in err


def test_generate_help_shows_the_models_options_with_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "generate", "--model", "nano-banana-pro", "--help")
    assert code == 0
    assert "nano-banana-pro options (from its request schema)" in out
    assert "(default: 1K)" in out
    assert "1:8" not in out
    assert "example: nano-banana generate" in out
    code, out, _ = run(capsys, "generate", "--model", "nano-banana", "--help")
    assert "--resolution" not in out


def test_cost_per_model_says_what_it_assumed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "cost")
    assert (code, out.strip()) == (0, "$0.08 (34.4 compute units)")
    assert err.strip() == (
        "assuming model nano-banana-2 (the default), resolution 1K (its default), 1 image"
    )
    assert run(capsys, "cost", "--model", "nano-banana", "--images", "2")[1].strip() == (
        "44.6 compute units"
    )
    summary = json.loads(
        run(capsys, "cost", "--model", "nano-banana-pro", "--resolution", "4K", "--json")[1]
    )
    assert summary == {
        "model": "nano-banana-pro",
        "images": 1,
        "resolution": "4K",
        "compute_units": "120",
        "usd": None,
    }


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("nano-banana ")
    assert f"openapi.yaml {spec.document()['info']['version']}" in out


def test_json_output_for_scripts(cli: KreaMock, capsys: pytest.CaptureFixture[str]) -> None:
    job = json.loads(run(capsys, "generate", "a lighthouse", "--json")[1])
    assert job["status"] == "queued"
    lines = run(capsys, "jobs", "list", "--json")[1].splitlines()
    assert [json.loads(line)["job_id"] for line in lines] == [job["job_id"]]
    code, _, err = run(capsys, "--json", "jobs", "get", "3c90c3cc-0d44-4b50-8888-8dd25736052a")
    assert code == 1
    assert json.loads(err) == {"error": "404: job not found", "exit_code": 1}


def test_a_long_error_stays_on_one_line(cli: KreaMock, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "generate",
        "a lighthouse",
        "--model",
        "nano-banana-pro",
        "--aspect-ratio",
        "16:9",
        "--image-url",
        "not a url at all, and rather long",
    )
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert len(err) > 80


def test_errors_a_new_user_hits_say_what_to_do(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KREA_API_TOKEN", raising=False)
    code, _, err = run(capsys, "jobs", "list")
    assert (code, err.strip()) == (
        1,
        "error: no API token: pass --token TOKEN or set KREA_API_TOKEN",
    )
    code, _, err = run(capsys, "--base-url", "http://127.0.0.1:9", "jobs", "list", "--token", "t")
    assert code == 1
    assert err.startswith("error: cannot reach GET http://127.0.0.1:9/jobs")


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly() -> None:
    # `nano-banana jobs list | head -1` over real processes, with more output than a pipe
    # holds: no "Broken pipe", exit 0.
    with mock_server("--progression", "manual") as url:
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer t"}) as http:
            for _ in range(300):
                assert http.post(spec.generation().path, json={"prompt": "abc"}).is_success
        command = f"{sys.executable} -m krea_nano_banana.cli --base-url {url} --token t"
        script = f'{command} jobs list --limit 300 --json | head -1; echo "exit ${{PIPESTATUS[0]}}"'
        result = subprocess.run(
            ["bash", "-c", script], capture_output=True, text=True, timeout=60, check=False
        )
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert (len(lines), lines[-1]) == (2, "exit 0")
