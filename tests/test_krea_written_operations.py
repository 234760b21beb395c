"""Operations as Krea writes them work everywhere, with nothing done by hand.

A copy of the repository gains two operations copied verbatim from Krea's published document
(tests/data/krea-openapi.json): an image model and a video model, with no operationId, inline
schemas, a body not marked required, a 3.1 type list (`image_url: [string, "null"]`) and an
`anyOf` of constants (`duration: 5 or 10`). The only key added is our own `x-krea-job-type`,
which Krea's document cannot give (regenerate refuses a generation operation without it, see
tests/test_mock_rules.py). The copy is regenerated, then the mock, the SDK, the generated
client, the CLI and the contract suite are driven over the new models.
"""

from __future__ import annotations

import copy
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.repository_copy import UPSTREAM, copy_with_edited_spec, run_contract_suite, run_in

pytestmark = pytest.mark.slow(seconds=8)

IMAGE_PATH = "/generate/image/bfl/flux-1-dev"
VIDEO_PATH = "/generate/video/kling/kling-2.1"
KREA: dict[str, Any] = json.loads(UPSTREAM.read_text())


def add_krea_operations(document: dict[str, Any]) -> None:
    for path, job_type in ((IMAGE_PATH, "flux"), (VIDEO_PATH, "video")):
        document["paths"][path] = copy.deepcopy(KREA["paths"][path])
        document["paths"][path]["post"]["x-krea-job-type"] = job_type


DRIVER = textwrap.dedent(
    """
    import contextlib, io, json, os
    from krea_api_client.models import Flux1DevRequest, Kling21Request
    from krea_nano_banana import Krea
    from krea_nano_banana.cli import main
    from krea_nano_banana_mock import KreaMock

    out = {}

    def cli(*argv):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                main(list(argv))
            except SystemExit as exit_:
                if exit_.code:
                    out.setdefault("cli_failures", []).append([argv, exit_.code])
        return buffer.getvalue()

    out["typed_duration"] = Kling21Request.from_dict({"prompt": "a", "duration": 10}).to_dict()
    out["typed_image"] = Flux1DevRequest.from_dict({"prompt": "a", "image_url": None}).to_dict()
    with KreaMock() as mock:
        with Krea("t", transport=mock.transport(), sleep=lambda _: None) as krea:
            image = krea.generate_and_wait("a dream", model="flux-1-dev", steps=30,
                                           image_url=None)
            out["image"] = [str(image.status), str(image.result.urls[0])]
            out["image_sent"] = json.loads(mock.requests(model="flux-1-dev")[0].body)
            video = krea.generate("a river", model="kling-2.1", duration=10)
            out["video"] = [str(video.status), mock.job(str(video.job_id)).request.job_type]
        os.environ.update(KREA_API_TOKEN="t", KREA_BASE_URL=mock.base_url)
        out["models"] = [m["model"] for m in json.loads(cli("--json", "models"))]
        out["help"] = cli("generate", "--model", "flux-1-dev", "--help")
        cli_job = json.loads(cli("generate", "--model", "kling-2.1", "a cat", "--duration", "10"))
        sent = mock.requests(method="POST", model="kling-2.1")[-1]
        out["cli_duration"] = [cli_job["status"], json.loads(sent.body).get("duration")]
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def krea_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_with_edited_spec(tmp_path_factory.mktemp("repository"), add_krea_operations)


def test_mock_sdk_client_and_cli_work_on_operations_copied_from_krea(krea_copy: Path) -> None:
    result = run_in(krea_copy, [sys.executable, "-c", DRIVER])
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout)
    # anyOf of constants: the second constant parses (openapi-python-client#1044 avoided)
    assert out["typed_duration"] == {"prompt": "a", "duration": 10}
    assert out["typed_image"] == {"prompt": "a", "image_url": None}  # a 3.1 type list
    status, url = out["image"]
    assert status == "completed"
    assert url.endswith("/1024x1024.png")  # the schema's default width and height
    # the SDK sends what the user set, not the schema's defaults (flux-1-dev has a fixed seed)
    assert out["image_sent"] == {"prompt": "a dream", "steps": 30}
    assert out["video"] == ["queued", "video"]
    assert {"flux-1-dev", "kling-2.1"} <= set(out["models"])
    assert "--image-url URL" in out["help"]
    assert "--steps INTEGER" in out["help"]
    assert out["cli_duration"] == ["queued", 10]  # the number 10, not the text "10"
    assert "cli_failures" not in out


def test_the_contract_suite_passes_over_operations_copied_from_krea(krea_copy: Path) -> None:
    result = run_contract_suite(
        krea_copy,
        "requests or lifecycle or every_operation",
        KREA_CONTRACT_MODELS="flux-1-dev,kling-2.1",
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout
    assert "Schema-valid request rejected" not in result.stdout
