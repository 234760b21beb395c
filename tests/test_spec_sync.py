"""The API changes, as a vendor changes it: one `spec-sync` run, and everything follows.

A copy of the repository is synced once with Krea's published document as it is (the
baseline), then with a copy of it edited the way Krea would: a new enum value, a new field, a
new tier priced only in the description's table, a new constraint, a new alias with a later
sunset, and a new model (`--add`). A driver then shows the mock, the SDK, the CLI and the
prices following, and the test reads CHANGELOG.md and the version. A second run changes
nothing; `--dry-run` writes nothing; the exit codes say what happened.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from krea_nano_banana_spec.normalize import normalize

pytestmark = pytest.mark.slow(seconds=10)

ROOT = Path(__file__).resolve().parents[1]
KREA_DOCUMENT = Path(__file__).with_name("data") / "krea-openapi.json"
COPIED = (
    "krea_nano_banana_spec",
    "krea_nano_banana",
    "mock_server",
    "contract_tests",
    "scripts/py",
    "generated",
)
FILES = (
    "openapi.yaml",
    "openapi-python-client.yaml",
    "known-differences.yaml",
    "pyproject.toml",
    "spec-sync.lock.json",
)
NB2 = "/generate/image/google/nano-banana-2"
PRO = "/generate/image/google/nano-banana-pro"
NEW_MODEL = "/generate/image/bfl/flux-2-dev"
WRITTEN = ("openapi.yaml", "CHANGELOG.md", "pyproject.toml", "spec-sync.lock.json")


def copy_repository(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in COPIED:
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    for name in FILES:
        shutil.copy(ROOT / name, target / name)
    return target


def krea_document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(KREA_DOCUMENT.read_text())
    return loaded


def request_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    operation = document["paths"][path]["post"]
    schema: dict[str, Any] = operation["requestBody"]["content"]["application/json"]["schema"]
    return schema


def vendor_edit(document: dict[str, Any]) -> dict[str, Any]:
    """Krea's document as Krea would change it."""
    edited = copy.deepcopy(document)
    nb2 = edited["paths"][NB2]["post"]
    fields = request_schema(edited, NB2)["properties"]
    fields["aspect_ratio"]["enum"].append("2:1")  # a new enum value
    fields["resolution"]["enum"].append("8K")  # a new tier, priced only in the table
    nb2["description"] = nb2["description"].replace("| 4K | 86.5 |", "| 4K | 86.5 |\n| 8K | 120 |")
    fields["prompt"]["maxLength"] = 2000  # a new constraint
    pro_fields = request_schema(edited, PRO)["properties"]
    pro_fields["negative_prompt"] = {"type": "string", "description": "What not to show."}
    edited["paths"][PRO]["post"]["x-krea-deprecated-field-aliases"].append(
        {
            "from": "negativePrompt",
            "to": "negative_prompt",
            "sunset_date": "2027-03-01",  # a later sunset than the family's
            "reason": "Public API request fields are moving to snake_case.",
            "migration_url": "https://docs.krea.ai/developers/deprecations",
        }
    )
    new_model = copy.deepcopy(edited["paths"]["/generate/image/bfl/flux-1-dev"]["post"])
    new_model["summary"] = "Flux 2 Dev"
    edited["paths"][NEW_MODEL] = {"post": new_model}
    return edited


def spec_sync(copied: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(copied / "scripts" / "py" / "spec_sync.py"), *arguments],
        cwd=copied,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def version_of(copied: Path) -> str:
    found = re.search(r'^version = "(.+)"', (copied / "pyproject.toml").read_text(), re.M)
    assert found is not None
    return found[1]


def fingerprint(copied: Path) -> dict[str, str]:
    found = [copied / name for name in WRITTEN] + sorted((copied / "generated").rglob("*.py"))
    return {
        str(path.relative_to(copied)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in found
        if path.is_file()
    }


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The copy after the baseline sync and the vendor's change, with what each run said."""
    copied = copy_repository(tmp_path_factory.mktemp("repository"))
    upstream = copied / "krea-openapi.json"
    upstream.write_text(json.dumps(krea_document()))
    baseline = spec_sync(copied, "--upstream", str(upstream))
    assert baseline.returncode == 0, baseline.stdout + baseline.stderr
    baseline_version = version_of(copied)
    # the vendor's change gets an entry of its own (a spec already faithful needs no baseline one)
    (copied / "CHANGELOG.md").unlink(missing_ok=True)

    edited = copied / "krea-openapi-edited.json"
    edited.write_text(json.dumps(vendor_edit(krea_document())))
    before = fingerprint(copied)
    dry = spec_sync(copied, "--upstream", str(edited), "--add", NEW_MODEL, "--dry-run")
    after_dry_run = fingerprint(copied)
    run = spec_sync(copied, "--upstream", str(edited), "--add", NEW_MODEL)
    assert run.returncode == 0, run.stdout + run.stderr
    after = fingerprint(copied)
    again = spec_sync(copied, "--upstream", str(edited))
    return {
        "copied": copied,
        "edited": edited,
        "baseline_version": baseline_version,
        "dry": dry,
        "run": run,
        "again": again,
        "unchanged_by_dry_run": before == after_dry_run,
        "changed_by_run": sorted(k for k in after if after[k] != before.get(k)),
        "unchanged_by_second_run": after == fingerprint(copied),
    }


DRIVER = textwrap.dedent(
    """
    import contextlib, io, json, os
    from datetime import datetime, UTC
    import httpx
    from krea_nano_banana import InvalidRequestError, Krea, estimate_cost
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

    with KreaMock(now=datetime(2026, 12, 1, tzinfo=UTC)) as mock:
        with Krea("t", transport=mock.transport(), sleep=lambda _: None) as krea:
            wide = krea.generate_and_wait("a wide view", model="nano-banana-2",
                                          aspect_ratio="2:1", resolution="8K")
            out["new_enum_and_tier"] = [str(wide.status),
                                        str(wide.result.urls[0]).rsplit("/", 1)[-1]]
            try:
                krea.generate("x" * 2001, model="nano-banana-2")
            except InvalidRequestError as error:
                out["new_constraint_sdk"] = str(error)
            pro = krea.generate("calm sea", model="nano-banana-pro", negative_prompt="no boats")
            out["new_field"] = mock.job(str(pro.job_id)).request.model
            flux = krea.generate_and_wait("a new model", model="flux-2-dev", steps=20)
            out["new_model"] = [str(flux.status), mock.job(str(flux.job_id)).request.job_type]
        with httpx.Client(transport=mock.transport(), base_url="https://api.krea.ai",
                          headers={"Authorization": "Bearer t"}) as http:
            late = http.post("/generate/image/google/nano-banana-pro",
                             json={"prompt": "calm sea", "negativePrompt": "no boats"})
            out["later_alias"] = [late.status_code, late.headers.get("Sunset")]
            early = http.post("/generate/image/google/nano-banana-pro",
                              json={"prompt": "calm sea", "aspectRatio": "1:1"})
            out["sunset_alias"] = [early.status_code, early.json()["error"]]
            long = http.post("/generate/image/google/nano-banana-2", json={"prompt": "x" * 2001})
            out["new_constraint_mock"] = [long.status_code, long.json()["error"]]
        out["price_8k"] = str(estimate_cost("nano-banana-2", resolution="8K"))
        out["price_4k"] = str(estimate_cost("nano-banana-2", resolution="4K"))
        out["price_new_model"] = str(estimate_cost("flux-2-dev"))
        os.environ.update(KREA_API_TOKEN="t", KREA_BASE_URL=mock.base_url)
        out["cli_help"] = cli("generate", "--model", "nano-banana-2", "--help")
        out["cli_new_model_help"] = cli("generate", "--model", "flux-2-dev", "--help")
        out["cli_cost"] = cli("cost", "--model", "nano-banana-2", "--resolution", "8K").strip()
        out["models"] = [m["model"] for m in json.loads(cli("--json", "models"))]
    print(json.dumps(out))
    """
)


def run_driver(copied: Path) -> dict[str, Any]:
    path = os.pathsep.join(
        str(copied / folder) for folder in ("", "generated", "mock_server", "contract_tests")
    )
    result = subprocess.run(
        [sys.executable, "-c", DRIVER],
        cwd=copied,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def test_mock_sdk_cli_and_prices_follow_one_sync(synced: dict[str, Any]) -> None:
    out = run_driver(synced["copied"])
    status, result = out["new_enum_and_tier"]
    assert status == "completed"
    assert result == "11584x5792.png"  # 2:1 at 8K: the 8192-pixel square's area (NK rule)
    assert out["new_constraint_sdk"].startswith("nano-banana-2: prompt: ")
    assert out["new_constraint_sdk"].endswith("is too long (maximum length: 2000)")
    assert out["new_constraint_mock"][0] == 400
    assert "prompt" in out["new_constraint_mock"][1]
    assert "2000" in out["new_constraint_mock"][1]
    assert out["new_field"] == "nano-banana-pro"
    assert out["new_model"] == ["completed", "externalImage"]
    assert out["later_alias"] == [200, "Mon, 01 Mar 2027 00:00:00 GMT"]
    assert out["sunset_alias"][0] == 400
    assert "aspect_ratio" in out["sunset_alias"][1]
    assert out["price_8k"] == "120 compute units"
    assert out["price_4k"] == "$0.16 (86.5 compute units)"  # our dollars kept: units unmoved
    assert out["price_new_model"] == "~3 compute units"
    assert "8K" in out["cli_help"]
    assert "2:1" in out["cli_help"]
    assert "--guidance-scale-flux" in out["cli_new_model_help"]
    assert out["cli_cost"].endswith("120 compute units")
    assert "flux-2-dev" in out["models"]
    assert "cli_failures" not in out


def test_changelog_and_version_follow(synced: dict[str, Any]) -> None:
    copied: Path = synced["copied"]
    changelog = (copied / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog")
    assert "Keep a Changelog" in changelog
    expected = [
        "- nano-banana-2: aspect_ratio 2:1 added",
        "- nano-banana-2: resolution 8K added",
        "- nano-banana-pro: field negative_prompt added",
        "- nano-banana-pro: alias negativePrompt -> negative_prompt added (until 2027-03-01)",
        "- flux-2-dev: model added (externalImage, POST /generate/image/bfl/flux-2-dev)",
        "- nano-banana-2: price of resolution 8K: none -> 120 compute units",
        "- **Breaking:** nano-banana-2: prompt: maxLength 2000 added",
    ]
    for line in expected:
        assert line in changelog.splitlines(), (line, changelog)
    major = int(str(synced["baseline_version"]).split(".")[0])
    # the new constraint refuses prompts that were accepted: a breaking change, a major bump
    assert f'version = "{major + 1}.0.0"' in (copied / "pyproject.toml").read_text()
    assert f"## [{major + 1}.0.0] - " in changelog
    printed = synced["run"].stdout
    assert "flux-2-dev: Krea's request example" not in printed
    assert "major  **Breaking:** nano-banana-2: prompt: maxLength 2000 added" in printed


def test_the_run_writes_what_it_says_and_a_second_run_nothing(synced: dict[str, Any]) -> None:
    assert synced["unchanged_by_dry_run"]
    assert "(dry run: nothing written)" in synced["dry"].stdout
    assert "nano-banana-2: aspect_ratio 2:1 added" in synced["dry"].stdout
    changed = synced["changed_by_run"]
    assert {"openapi.yaml", "CHANGELOG.md", "pyproject.toml"} <= set(changed)
    assert any(name.startswith("generated/") for name in changed)
    assert synced["again"].returncode == 0
    assert "Nothing to do" in synced["again"].stdout
    assert synced["unchanged_by_second_run"]


def test_the_spec_keeps_its_shape(synced: dict[str, Any]) -> None:
    text = (synced["copied"] / "openapi.yaml").read_text()
    assert "responses: *create-responses" in text  # anchors and aliases survive
    assert "# The three Nano Banana endpoints share everything" in text  # and comments
    document = yaml.safe_load(text)
    flux = document["paths"][NEW_MODEL]["post"]
    # written as Krea writes it; the spec package's normalisation derives the rest when it reads it
    assert "operationId" not in flux
    assert "required" not in flux["requestBody"]
    as_read = normalize(document)["paths"][NEW_MODEL]["post"]
    assert as_read["operationId"] == "generate_flux_2_dev"
    assert as_read["requestBody"]["required"] is True
    assert flux["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Flux2DevRequest"
    }
    assert flux["x-pricing"]["per_job"] == {"compute_units": 3, "approximate": True}
    nb2 = document["paths"][NB2]["post"]
    assert nb2["x-result-images"]["tier_edges"]["8K"] == 8192
    # 8K is Nano Banana 2's alone: it got its own copy of the family's shared Resolution enum,
    # and Nano Banana Pro keeps the shared one, unchanged
    schemas = document["components"]["schemas"]
    assert "8K" in schemas["NanoBanana2Request"]["properties"]["resolution"]["enum"]
    pro_resolution = schemas["NanoBananaProRequest"]["properties"]["resolution"]
    assert pro_resolution == {"$ref": "#/components/schemas/Resolution"}
    assert "8K" not in schemas["Resolution"]["enum"]
    assert nb2["x-pricing"]["by_value"]["8K"] == {"compute_units": 120}


def test_unreadable_upstream_exits_3(tmp_path: Path) -> None:
    result = spec_sync(ROOT, "--upstream", str(tmp_path / "missing.json"), "--dry-run")
    assert result.returncode == 3
    assert "cannot read the upstream document" in result.stderr


def test_a_model_the_mock_has_no_rule_for_is_refused_naming_it(synced: dict[str, Any]) -> None:
    copied: Path = synced["copied"]
    before = fingerprint(copied)
    result = spec_sync(
        copied,
        "--upstream",
        str(synced["edited"]),
        "--add",
        "/generate/enhance/topaz/bloom-enhance",
    )
    assert result.returncode == 2
    expected = "bloom-enhance: --add: the mock has no rule for Krea's tag ['Image Enhance']"
    assert expected in result.stdout
    assert fingerprint(copied) == before


def test_an_upstream_change_where_we_keep_a_reviewed_difference_needs_a_person(
    synced: dict[str, Any], tmp_path: Path
) -> None:
    copied: Path = synced["copied"]
    document = json.loads(synced["edited"].read_text())
    create = document["paths"][NB2]["post"]["responses"]["200"]["content"]["application/json"]
    create["schema"]["properties"]["completed_at"] = {"type": "string", "format": "date"}
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))
    before = fingerprint(copied)
    result = spec_sync(copied, "--upstream", str(changed))
    assert result.returncode == 2
    assert (
        f"POST {NB2}: responses/200/content/application/json/properties/completed_at"
        in result.stdout
    )
    assert "upstream changed here, where we keep a reviewed difference" in result.stdout
    assert fingerprint(copied) == before
    # A person reviewed the entry and keeps the difference: upstream's new side is recorded.
    reviewed = shutil.copytree(copied, tmp_path / "reviewed")
    accepted = spec_sync(reviewed, "--upstream", str(changed), "--accept-reviewed")
    assert accepted.returncode == 0, accepted.stdout
    assert (reviewed / "spec-sync.lock.json").read_text() != (
        copied / "spec-sync.lock.json"
    ).read_text()
    again = spec_sync(reviewed, "--upstream", str(changed))
    assert (again.returncode, "Nothing to do" in again.stdout) == (0, True)


def test_the_shipped_lock_makes_the_nightly_dry_run_pass_and_catch_a_move(tmp_path: Path) -> None:
    """The committed lock records upstream's side of every reviewed difference: the nightly
    `--dry-run` against Krea's document as published is clean, and exits 2 once upstream moves
    where we keep a reviewed difference."""
    shipped = copy_repository(tmp_path / "shipped")
    before = fingerprint(shipped)
    clean = spec_sync(shipped, "--upstream", str(KREA_DOCUMENT), "--dry-run")
    assert clean.returncode == 0, clean.stdout
    document = krea_document()
    create = document["paths"][NB2]["post"]["responses"]["200"]["content"]["application/json"]
    create["schema"]["properties"]["completed_at"] = {"type": "string", "format": "date"}
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(document))
    conflict = spec_sync(shipped, "--upstream", str(moved), "--dry-run")
    assert conflict.returncode == 2, conflict.stdout
    assert "upstream changed here, where we keep a reviewed difference" in conflict.stdout
    assert fingerprint(shipped) == before


def test_added_models_are_no_drift_for_spec_diff(tmp_path: Path) -> None:
    """spec-sync writes an operation as Krea writes it and leaves the rest to the spec package's
    one normalisation, so spec-diff against the same upstream finds nothing to say about it; a
    model named like a number gets the same schema name from both (`Qwen2512Request`)."""
    copied = copy_repository(tmp_path / "repository")
    added = [
        "/generate/image/bfl/flux-1-dev",
        "/generate/image/qwen/2512",
        "/generate/image/google/imagen-4",
        "/generate/image/openai/gpt-image",
    ]
    arguments = [argument for path in added for argument in ("--add", path)]
    run = spec_sync(copied, "--upstream", str(KREA_DOCUMENT), *arguments)
    assert run.returncode == 0, run.stdout + run.stderr
    written = yaml.safe_load((copied / "openapi.yaml").read_text())
    for path in added:
        operation = written["paths"][path]["post"]
        assert "operationId" not in operation  # derived where the spec is read
        assert "required" not in operation["requestBody"]  # as Krea writes it
    assert "Qwen2512Request" in written["components"]["schemas"]
    assert (copied / "generated/krea_api_client/models/qwen_2512_request.py").is_file()
    drift = subprocess.run(
        [sys.executable, str(copied / "scripts/py/spec_diff.py"), "--upstream", str(KREA_DOCUMENT)],
        cwd=copied,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert drift.returncode <= 1, drift.stdout + drift.stderr
    for path in added:
        assert f"POST {path}:" not in drift.stdout, drift.stdout
    again = spec_sync(copied, "--upstream", str(KREA_DOCUMENT))
    assert (again.returncode, "Nothing to do" in again.stdout) == (0, True), again.stdout
