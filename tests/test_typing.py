"""The typed front door, as a user's type checker sees it: the wheel is built and installed into
a fresh venv, and a small user project is checked with mypy and pyright. Each right call is
clean; each wrong one is an error on its line, naming the field or the value. A spec edit (a new
model, a new enum value) changes what they accept after `scripts/regenerate` alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest
import yaml

from tests.test_spec_driven import edit_spec

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow(seconds=30)

HEADER = """\
import asyncio
from krea_nano_banana import AsyncKrea, AspectRatio, JobStatus, Krea, StyleImage, estimate_cost
from krea_nano_banana.signatures import NanoBananaProFields

krea = Krea("token")
job = krea.get("3c90c3cc-0d44-4b50-8888-8dd25736052a")
"""

RIGHT = """\
krea.generate("a lighthouse")
krea.generate("a lighthouse", aspect_ratio="4:1", resolution="4K", width=1024)
krea.generate("a lighthouse", model="nano-banana-pro", aspect_ratio=AspectRatio.RATIO_16_9)
krea.generate("a cat", model="nano-banana", style_images=[StyleImage(strength=1)])
krea.generate("a cat", model="nano-banana", style_images=[{"strength": 0.5}])
krea.generate("a lighthouse", webhook_url="https://hooks.example/krea", extra_body={"x": 1})
pro: NanoBananaProFields = {"resolution": "2K", "aspect_ratio": "2:3"}
krea.generate("a poster", model="nano-banana-pro", **pro)
done = krea.generate_and_wait("a lighthouse", timeout=60, poll_interval=3, on_update=print)
krea.wait(job, timeout=60, poll_interval=3)
paths = krea.download(done, "out.png") + krea.download(done, "out/")
statuses = [j.status for j in krea.list(status="completed", types=["externalImage"])]
statuses += [j.status for j in krea.list(status=JobStatus.COMPLETED, page_size=10)]
print(estimate_cost("nano-banana-pro", resolution="4K", images=2))

async def main() -> None:
    async with AsyncKrea("token") as client:
        await client.generate("a lighthouse", model="nano-banana-pro", resolution="4K")
        await client.generate_and_wait("a lighthouse", poll_interval=2.5)
        async for listed in client.list(status="failed"):
            print(listed.job_id)

asyncio.run(main())
"""

# Each wrong call, and what every checker's error on its line must name ("mypy:" / "pyright:"
# when the two word it differently). mypy reports a call that matches no overload without
# naming the argument (its message lists the argument types, and its notes every overload):
# for those, the error on the line is what is asserted of mypy.
WRONG = [
    ('krea.generate("a", model="nano-banana-pro", resolution="8K")', {"pyright": "'8K'"}),
    ('krea.generate("a", model="nano-banana-pro", widht=5)', {"mypy": '"widht"'}),
    ('krea.generate("a", model="nano-banana", resolution="2K")', {"pyright": "'nano-banana'"}),
    ('krea.generate("a", model="nano-banana-3")', {"pyright": "'nano-banana-3'"}),
    ('krea.generate("a", model="pixel-dream", seed=7)', {"pyright": "'pixel-dream'"}),
    ('krea.generate("a", aspect_ratio="2:1")', {"pyright": "'2:1'"}),
    ('krea.generate("a", style_images=[{"strength": "strong"}])', {"pyright": "style_images"}),
    ("krea.generate(prompt=5)", {"pyright": "Literal[5]"}),
    (
        'krea.generate_and_wait("a", model="nano-banana-pro", resolution="8K", timeout=9)',
        {"pyright": "'8K'"},
    ),
    ('krea.wait(job, poll_interval="fast")', {"pyright": "poll_interval", "mypy": "poll_interval"}),
    ('krea.list(status="done")', {"pyright": "status", "mypy": "status"}),
    ("krea.list(types=5)", {"pyright": "types", "mypy": "types"}),
    ("krea.download(job, destination=3)", {"pyright": "destination", "mypy": "destination"}),
    ('estimate_cost("nano-banana-pro", images=2.5)', {"pyright": "images", "mypy": "images"}),
]


def user_file(calls: list[str], header: str = HEADER) -> tuple[str, dict[int, str]]:
    """The source, and the line of each call."""
    lines = header.splitlines()
    where = {}
    for call in calls:
        lines.append(call)
        where[len(lines)] = call
    return "\n".join(lines) + "\n", where


def mypy(project: Path, *options: str, env: dict[str, str] | None = None) -> dict[int, str]:
    result = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-error-summary", "--show-error-codes",
         "--cache-dir", str(project / ".mypy_cache"), *options, "app.py"],
        cwd=project, capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    errors: dict[int, str] = {}
    for line in result.stdout.splitlines():
        found = re.match(r"app\.py:(\d+): error: (.*)", line)
        if found:
            errors[int(found[1])] = errors.get(int(found[1]), "") + found[2] + "\n"
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return errors


def pyright(project: Path, config: dict[str, object]) -> dict[int, str]:
    (project / "pyrightconfig.json").write_text(
        json.dumps({"typeCheckingMode": "strict", **config})
    )
    result = subprocess.run(
        [str(BIN / "pyright"), "--outputjson", "app.py"],
        cwd=project, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = json.loads(result.stdout)
    errors: dict[int, str] = {}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            line = diagnostic["range"]["start"]["line"] + 1
            errors[line] = errors.get(line, "") + diagnostic["message"] + "\n"
    return errors


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the project's wheel installed: the python a user's checkers see."""
    base = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(base), str(ROOT)],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    (wheel,) = base.glob("*.whl")
    venv.create(base / "venv", with_pip=False)
    python = base / "venv" / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", str(wheel)],
        capture_output=True, timeout=600, check=True,
    )  # fmt: skip
    return python


def project(tmp_path: Path, source: str) -> Path:
    (tmp_path / "app.py").write_text(source)
    return tmp_path


def test_right_calls_are_clean_and_wrong_ones_name_what_is_wrong(
    installed: Path, tmp_path: Path
) -> None:
    source, lines = user_file([call for call, _ in WRONG])
    folder = project(tmp_path, source.replace(HEADER, HEADER + RIGHT))
    offset = len(RIGHT.splitlines())
    wrong = {line + offset: call for line, call in lines.items()}
    by_checker = {
        "mypy": mypy(folder, "--python-executable", str(installed)),
        "pyright": pyright(folder, {"pythonPath": str(installed)}),
    }
    for checker, errors in by_checker.items():
        assert set(errors) == set(wrong), (checker, errors)  # right calls: no error at all
        for line, call in wrong.items():
            named = dict(WRONG)[call].get(checker)
            if named is not None:
                assert named in errors[line], (checker, call, errors[line])


def test_the_wheel_ships_py_typed_in_every_package(installed: Path) -> None:
    site = next((installed.parent.parent / "lib").glob("python*/site-packages"))
    for package in (
        "krea_nano_banana",
        "krea_api_client",
        "krea_nano_banana_spec",
        "krea_nano_banana_mock",
        "krea_nano_banana_contract",
    ):
        assert (site / package / "py.typed").is_file(), package


def test_a_spec_edit_changes_what_the_checkers_accept_after_regenerate_alone(
    tmp_path: Path,
) -> None:
    copied = tmp_path / "repository"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("krea_nano_banana", "krea_nano_banana_spec", "generated", "scripts/py"):
        shutil.copytree(ROOT / part, copied / part, ignore=ignore)
    for name in ("openapi.yaml", "openapi-python-client.yaml"):
        shutil.copy(ROOT / name, copied / name)
    document = yaml.safe_load((copied / "openapi.yaml").read_text())
    edit_spec(document)  # a new model, pixel-dream, with a seed; a new ratio, 2:1
    (copied / "openapi.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    regenerate = [sys.executable, str(copied / "scripts" / "py" / "regenerate.py")]
    subprocess.run(regenerate, check=True, capture_output=True, timeout=300)

    calls = textwrap.dedent(
        """\
        krea.generate("a dream", model="pixel-dream", seed=7, width=512)
        krea.generate("wide", aspect_ratio="2:1")
        krea.generate("a dream", model="pixel-dream", aspect_ratio="1:1")
        """
    ).splitlines()
    source, lines = user_file(calls, 'from krea_nano_banana import Krea\n\nkrea = Krea("token")\n')
    (tmp_path / "user").mkdir()
    folder = project(tmp_path / "user", source)
    paths = [str(copied), str(copied / "generated")]
    errors = {
        "mypy": mypy(folder, env={**os.environ, "MYPYPATH": os.pathsep.join(paths)}),
        "pyright": pyright(folder, {"extraPaths": paths}),
    }
    last = max(lines)  # pixel-dream has no aspect_ratio: still refused
    for checker, found in errors.items():
        assert set(found) == {last}, (checker, found)
