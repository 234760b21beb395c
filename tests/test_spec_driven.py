"""The first promise, proven: a maintainer edits openapi.yaml, runs the regeneration, and the
mock, the SDK, the CLI and the contract suite follow with no hand edit.

The repository's code and spec are copied to a temporary directory; the spec gains a new
generation operation whose body is unlike the bananas' (a numeric seed, bounded width and
height with defaults, no aspect ratio, no price, no aliases, no webhook), a new enum value, a
new optional request field and a new optional response field; `generated/` is regenerated
there; then a driver exercises the copy. Any hand-written list of models, fields or values
anywhere in the project would make it fail.
"""

from __future__ import annotations

import copy
import json
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest
from krea_nano_banana_mock.core.images import table_size

import krea_nano_banana_spec as spec
from tests.repository_copy import copy_with_edited_spec, run_contract_suite, run_in

pytestmark = pytest.mark.slow
NEW_PATH = "/generate/image/test/pixel-dream"
LATER_SUNSET = "2027-03-01"
# An aspect ratio the spec does not have yet, whatever it has today.
NEW_RATIO = next(
    f"{wide}:1"
    for wide in range(2, 100)
    if f"{wide}:1" not in spec.component_schema("NanoBanana2AspectRatio")["enum"]
)


def edit_spec(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    template = document["paths"]["/generate/image/google/nano-banana-2"]["post"]
    document["paths"][NEW_PATH] = {
        "post": {
            "operationId": "generate_pixel_dream",
            "tags": ["images"],
            "summary": "Pixel Dream",
            "x-krea-job-type": "pixelDream",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/PixelDreamRequest"}
                    }
                },
            },
            "responses": copy.deepcopy(template["responses"]),
        }
    }
    side = {"type": "integer", "minimum": 256, "maximum": 2048}
    schemas["PixelDreamRequest"] = {
        "type": "object",
        "required": ["prompt"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"type": "string", "minLength": 1},
            "seed": {"type": "integer", "minimum": 0, "description": "Repeatable noise."},
            "width": {**side, "default": 768},
            "height": {**side, "default": 512},
        },
    }
    ratios = schemas["NanoBanana2AspectRatio"]
    ratios["enum"].append(NEW_RATIO)
    ratios["x-enum-varnames"].append("RATIO_" + NEW_RATIO.replace(":", "_"))
    schemas["NanoBananaProRequest"]["properties"]["negative_prompt"] = {
        "type": "string",
        "description": "What the image should not show.",
    }
    schemas["Job"]["properties"]["progress"] = {"type": "number"}
    # A new alias with a later sunset than the others', on one model only.
    pro = document["paths"]["/generate/image/google/nano-banana-pro"]["post"]
    pro[spec.ALIASES_KEY] = [
        *copy.deepcopy(pro[spec.ALIASES_KEY]),
        {
            "from": "negativePrompt",
            "to": "negative_prompt",
            "sunset_date": LATER_SUNSET,
            "reason": "Public API request fields are moving to snake_case.",
            "migration_url": "https://docs.krea.ai/developers/deprecations",
        },
    ]


DRIVER = textwrap.dedent(
    """
    import contextlib, io, json, os, sys, warnings
    import krea_api_client
    from krea_api_client.models import Job
    from krea_nano_banana import BadRequestError, InvalidRequestError, Krea
    from krea_nano_banana.cli import main
    from krea_nano_banana_mock import KreaMock

    out = {"client_from": krea_api_client.__file__}
    NEW_RATIO = os.environ["NEW_RATIO"]

    def cli(*argv):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                main(list(argv))
            except SystemExit as exit_:
                if exit_.code:  # --help exits 0
                    out.setdefault("cli_failures", []).append([argv, exit_.code])
        return buffer.getvalue()

    with KreaMock() as mock:
        with Krea("t", transport=mock.transport(), sleep=lambda _: None) as krea:
            job = krea.generate_and_wait("a pixel dream", model="pixel-dream", seed=7, width=512)
            record = mock.job(str(job.job_id))
            request = record.request
            out["new_model"] = [str(job.status), request.model, request.job_type,
                                request.width, request.height, str(job.result.urls[0])]
            try:
                krea.generate("a pixel dream", model="pixel-dream", seed=-1)
            except InvalidRequestError as error:
                out["bad_seed"] = str(error)
            two = krea.generate_and_wait("wide", model="nano-banana-2", aspect_ratio=NEW_RATIO)
            out["new_enum_value"] = str(two.result.urls[0]).rsplit("/", 1)[-1]
            pro = krea.generate("calm", model="nano-banana-pro", negative_prompt="no people")
            out["new_request_field"] = str(pro.status)
        out["new_response_field"] = Job.from_dict(
            {"job_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "status": "processing",
             "created_at": "2026-02-13T02:20:58.265Z", "progress": 0.5}
        ).progress
        os.environ.update(KREA_API_TOKEN="t", KREA_BASE_URL=mock.base_url)
        out["models"] = json.loads(cli("--json", "models"))
        out["cli_job"] = json.loads(cli("generate", "--model", "pixel-dream", "a dream",
                                        "--seed", "3", "--height", "300"))
        out["cli_job_height"] = mock.job(out["cli_job"]["job_id"]).request.height
        out["cli_cost"] = cli("cost", "--model", "pixel-dream").strip()
        out["cli_help"] = cli("generate", "--model", "pixel-dream", "--help")
        wide = cli("generate", "x y z", "--aspect-ratio", NEW_RATIO)
        out["cli_enum"] = json.loads(wide)["status"]
    # Between the two sunsets: the later alias is still accepted, the earlier ones are not.
    with KreaMock(now="2026-12-01T00:00:00Z") as between:
        with Krea("t", transport=between.transport(), sleep=lambda _: None) as krea:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                krea.generate("calm", model="nano-banana-pro",
                              extra_body={"negativePrompt": "boats"})
            out["later_alias_warning"] = [str(w.message) for w in caught]
            sent = between.requests(method="POST")[-1]
            out["later_alias"] = [sent.status, between.job(sent.job_id).request.model]
            try:
                krea.generate("calm", model="nano-banana-pro",
                              extra_body={"imageUrls": ["https://example.com/a.png"]})
            except BadRequestError as refused:
                out["earlier_alias"] = refused.message
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def edited_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_with_edited_spec(tmp_path_factory.mktemp("repository"), edit_spec)


def test_mock_sdk_and_cli_follow_a_spec_edit_with_no_hand_edit(edited_copy: Path) -> None:
    result = run_in(edited_copy, [sys.executable, "-c", DRIVER], NEW_RATIO=NEW_RATIO)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout)
    assert out["client_from"].startswith(str(edited_copy))  # the regenerated client, not ours
    status, model, job_type, width, height, url = out["new_model"]
    assert (status, model, job_type, width, height) == (
        "completed",
        "pixel-dream",
        "pixelDream",
        512,
        512,  # the schema's default height
    )
    assert url.endswith("/512x512.png")
    assert out["bad_seed"] == "pixel-dream: seed: -1 is less than the minimum of 0"
    width, height = table_size(NEW_RATIO, 1024)  # at the default tier, 1K
    assert out["new_enum_value"] == f"{width}x{height}.png"
    assert out["new_request_field"] == "queued"
    assert out["new_response_field"] == 0.5
    listed = {m["model"]: m for m in out["models"]}
    assert listed["pixel-dream"]["price"] == "no published price"
    assert "seed" in listed["pixel-dream"]["fields"]
    assert out["cli_job_height"] == 300
    assert out["cli_cost"] == "no published price"
    assert "--seed INTEGER" in out["cli_help"]
    assert "(default: 768" in out["cli_help"]
    assert "--aspect-ratio" not in out["cli_help"]
    assert out["cli_enum"] == "queued"
    assert "cli_failures" not in out
    assert out["later_alias"] == [200, "nano-banana-pro"]
    assert any(LATER_SUNSET in w and "negative_prompt" in w for w in out["later_alias_warning"])
    assert "imageUrls" in out["earlier_alias"]
    assert "image_urls" in out["earlier_alias"]


def outcomes(junit: Path) -> dict[str, str]:
    """Each test case of a JUnit file by name: passed, skipped, failure or error."""
    found = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        ends = [child.tag for child in case if child.tag in {"skipped", "failure", "error"}]
        found[case.get("name", "")] = ends[0] if ends else "passed"
    return found


@pytest.mark.slow(seconds=15)
def test_the_contract_suite_follows_a_spec_edit(edited_copy: Path, tmp_path: Path) -> None:
    junit = tmp_path / "contract.xml"
    # Only the new model: every property that draws a model draws it, and a green run is a run
    # that checked it.
    result = run_contract_suite(
        edited_copy,
        "requests or lifecycle",
        "--junitxml",
        str(junit),
        KREA_CONTRACT_MODELS="pixel-dream",
    )
    assert result.returncode == 0, result.stdout[-3000:]
    ran = outcomes(junit)
    checked = {
        "test_valid_input_is_sent_as_the_spec_says_and_accepted[pixel-dream]",
        "test_invalid_input_gets_400_naming_the_field",
        "test_polled_statuses_follow_the_lifecycle_and_fields_match",
        "test_cancel_succeeds_exactly_from_queued_or_processing",
    }
    assert {name: ran.get(name) for name in checked} == dict.fromkeys(checked, "passed")


def test_the_contract_suite_follows_an_alias_with_its_own_sunset(
    edited_copy: Path, tmp_path: Path
) -> None:
    junit = tmp_path / "sunset.xml"
    result = run_contract_suite(edited_copy, "sunset", "--junitxml", str(junit))
    assert result.returncode == 0, result.stdout[-3000:]
    ran = outcomes(junit)
    sunset_cases = {name: end for name, end in ran.items() if "sunset" in name}
    assert sunset_cases, ran
    assert set(sunset_cases.values()) == {"passed"}, sunset_cases
