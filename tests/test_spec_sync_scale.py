"""Proof at scale: every image and video operation of Krea's published document, imported with
`spec-sync --add` into one copy of the repository (one sync, one regeneration), works end to
end.

Each of the 22 image operations: the SDK creates a job with a body valid for the model, the
mock takes it through its lifecycle, the result downloads as a PNG of the size the job says,
and `nano-banana generate --model X --help` lists every field. Each of the 31 video operations:
the same, and the result is an MP4 that FFmpeg (through PyAV) decodes to a frame of that size.
Then the contract suite runs over all 22 image models (and a sample of the video ones).
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.repository_copy import run_in
from tests.test_spec_sync import KREA_DOCUMENT, copy_repository, krea_document, spec_sync

pytestmark = pytest.mark.slow(seconds=10)

KIND_TAGS = {"Image": "image", "Video": "video"}


def upstream_operations() -> dict[str, list[str]]:
    """The paths of Krea's image and video operations, by kind, as its document tags them."""
    found: dict[str, list[str]] = {"image": [], "video": []}
    for path, item in krea_document()["paths"].items():
        operation = item.get("post")
        tags = operation.get("tags", []) if operation else []
        for tag in tags:
            if tag in KIND_TAGS:
                found[KIND_TAGS[tag]].append(path)
    return found


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copied = copy_repository(tmp_path_factory.mktemp("repository"))
    paths = upstream_operations()
    adding = [argument for path in paths["image"] + paths["video"] for argument in ("--add", path)]
    result = spec_sync(copied, "--upstream", str(KREA_DOCUMENT), *adding)
    assert result.returncode == 0, result.stdout + result.stderr
    return copied


DRIVER = textwrap.dedent(
    """
    import contextlib, io, json, os, re, sys
    import av, jsonschema
    from PIL import Image
    import krea_nano_banana_spec as spec
    from krea_nano_banana import Krea
    from krea_nano_banana.cli import main
    from krea_nano_banana_mock import KreaMock

    paths = json.loads(sys.argv[1])
    folder = sys.argv[2]

    def value_for(schema, name):
        if "enum" in schema:
            return next(v for v in schema["enum"] if v is not None)
        if "default" in schema and schema["default"] is not None:
            return schema["default"]
        kinds = schema.get("type")
        kind = next(k for k in kinds if k != "null") if isinstance(kinds, list) else kinds
        if kind == "string":
            if schema.get("format") == "uri":
                return "https://example.com/input.png"
            return "tag_" + "a" * max(0, schema.get("minLength", 1) - 4)
        if kind in ("number", "integer"):
            return max(schema.get("minimum", 0), min(1024, schema.get("maximum", 1024)))
        if kind == "array":
            return [value_for(schema["items"], name)] * max(1, schema.get("minItems", 1))
        if kind == "object":
            return {k: value_for(v, k) for k, v in schema.get("properties", {}).items()
                    if k in schema.get("required", ())}
        if kind == "boolean":
            return False
        raise AssertionError(f"{name}: no value for {schema}")

    out = {}
    models = {g.path: g for g in spec.generations()}
    with KreaMock() as mock:
        with Krea("t", transport=mock.transport(), sleep=lambda _: None) as krea:
            for path in paths:
                model = models[path]
                prompt_field = model.field(spec.Role.PROMPT)
                fields = {name: value_for(model.fields[name], name) for name in model.required
                          if name != prompt_field}
                jsonschema.validate({prompt_field: "a scale test", **fields}, model.request_schema)
                job = krea.generate_and_wait("a scale test", model=model.model, **fields)
                (saved,) = krea.download(job, folder)
                record = mock.job(str(job.job_id))
                size = [record.request.width, record.request.height]
                if saved.suffix == ".mp4":
                    with av.open(str(saved)) as video:
                        frame = next(video.decode(video=0))
                        shown = [video.streams.video[0].codec_context.name, frame.width,
                                 frame.height, round(float(video.duration) / 1e6, 1)]
                else:
                    with Image.open(saved) as image:
                        shown = [image.format, *image.size]
                help_text = io.StringIO()
                with contextlib.redirect_stdout(help_text), contextlib.suppress(SystemExit):
                    main(["generate", "--model", model.model, "--help"])
                # the model's own options, after their heading (a field named like one of the
                # CLI's options, `--model`, is `--body-model`)
                listed = help_text.getvalue().split("options (from its request schema)")[-1]
                options = {name: name.replace("_", "-") for name in model.fields}
                out[path] = {
                    "model": model.model,
                    "status": str(job.status),
                    "job_type": record.request.job_type,
                    "size": size,
                    "saved": shown,
                    "missing_options": sorted(name for name, option in options.items()
                                              if name != prompt_field
                                              and not re.search(rf"--(body-)?{option}(?![\\w-])",
                                                                listed)),
                }
        # the CLI saves a video model's result too (and says where)
        os.environ.update(KREA_API_TOKEN="t", KREA_BASE_URL=mock.base_url)
        video = next(models[p] for p in paths if models[p].result_images.media_type != "image/png"
                     and models[p].required == (models[p].field(spec.Role.PROMPT),))
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            main(["generate", "--model", video.model, "a scale test", "--wait", "-o", folder])
        out["cli_video"] = printed.getvalue().strip()
        # a request field named like one of the CLI's options (and generate's keywords)
        clash = next(models[p] for p in paths if "model" in models[p].fields)
        choice = clash.fields["model"].get("enum", ["any"])[0]
        with contextlib.redirect_stdout(io.StringIO()):
            main(["generate", "--model", clash.model, "a scale test", "--body-model", choice])
        sent = json.loads(mock.requests(method="POST", model=clash.model)[-1].body)
        out["cli_body_model"] = [clash.model, sent["model"], choice]
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def driven(imported: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    paths = upstream_operations()
    downloads = tmp_path_factory.mktemp("downloads")
    arguments = [json.dumps(paths["image"] + paths["video"]), str(downloads)]
    result = run_in(imported, [sys.executable, "-c", DRIVER, *arguments])
    assert result.returncode == 0, result.stderr[-3000:]
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def test_krea_publishes_22_image_and_31_video_operations() -> None:
    paths = upstream_operations()
    assert (len(paths["image"]), len(paths["video"])) == (22, 31)


def test_every_image_operation_works_end_to_end(driven: dict[str, Any]) -> None:
    for path in upstream_operations()["image"]:
        seen = driven[path]
        assert seen["status"] == "completed", path
        assert seen["job_type"] == "externalImage", path
        assert seen["saved"] == ["PNG", *seen["size"]], path
        assert seen["missing_options"] == [], path


def test_every_video_operation_works_end_to_end(driven: dict[str, Any]) -> None:
    for path in upstream_operations()["video"]:
        seen = driven[path]
        assert seen["status"] == "completed", path
        assert seen["job_type"] == "externalVideo", path
        assert seen["saved"] == ["mjpeg", *seen["size"], 5.0], path
        assert seen["missing_options"] == [], path


def test_the_cli_saves_a_video_result(driven: dict[str, Any]) -> None:
    assert driven["cli_video"].endswith(".mp4"), driven["cli_video"]
    assert Path(driven["cli_video"]).stat().st_size > 0


def test_a_field_named_like_a_cli_option_is_sent_from_its_body_option(
    driven: dict[str, Any],
) -> None:
    model, sent, chosen = driven["cli_body_model"]
    assert sent == chosen  # the field, not the model's name
    assert model != chosen


def test_the_contract_suite_passes_over_every_image_model(imported: Path) -> None:
    paths = upstream_operations()
    models = [path.rsplit("/", 1)[-1] for path in paths["image"]]
    sample = [path.rsplit("/", 1)[-1] for path in paths["video"][::10]]
    result = run_in(
        imported,
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            "contract_tests",
            "-k",
            "requests or lifecycle",
        ],
        HYPOTHESIS_PROFILE="fast",
        KREA_CONTRACT_MODELS=",".join(models + sample),
    )
    assert result.returncode == 0, result.stdout[-3000:]
    for model in models + sample:  # each model's own request checks ran, and passed
        assert f"accepted[{model}] PASSED" in result.stdout, model
