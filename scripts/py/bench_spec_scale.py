"""How the toolkit scales with the size of the spec: regenerate time, SDK import time and the
in-process mock's create throughput, with the shipped 3 models, 25 and 53 (every image and video
operation of Krea's document, each imported with `spec-sync --add` into a copy of the
repository). Krea's document has 58 operations that create a job; the other 5 (3 Topaz
enhancers, style training, node apps) are not image or video models, and spec-sync refuses
them (README, "When the API changes"), so 53 is the largest spec measured.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KREA_DOCUMENT = ROOT / "tests" / "data" / "krea-openapi.json"
COPIED = ("krea_nano_banana_spec", "krea_nano_banana", "mock_server", "scripts/py", "generated")
FILES = ("openapi.yaml", "openapi-python-client.yaml", "known-differences.yaml", "pyproject.toml")
SIZES = (3, 25, 53)
START, END = "<!-- bench-spec-scale:start -->", "<!-- bench-spec-scale:end -->"

IMPORT_TIME = """
import time
started = time.perf_counter()
import krea_nano_banana, krea_api_client.models
krea_nano_banana.available_models()
print(time.perf_counter() - started)
"""
# Creates in-process, round robin over every model, each with the fields its schema requires.
CREATES = """
import sys, time, httpx
import krea_nano_banana_spec as spec
from krea_nano_banana_mock import KreaMock

def value(schema):
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    if "default" in schema:
        return schema["default"]
    kinds = schema.get("type")
    kind = next(k for k in kinds if k != "null") if isinstance(kinds, list) else kinds
    return {"string": "https://example.com/a.png", "array": [], "boolean": False}.get(kind, 1024)

bodies = []
for model in spec.generations():
    body = {name: value(model.fields[name]) for name in model.required}
    body[model.field(spec.Role.PROMPT)] = "a lighthouse at dusk"
    if "reference_images" in body:
        body["reference_images"] = [{"url": "https://example.com/a.png", "tag": "tag"}]
    bodies.append((model.path, body))
count = int(sys.argv[1])
with KreaMock(concurrency_limit=10**9, backlog_limit=10**9) as mock:
    with httpx.Client(transport=mock.transport(), base_url="https://api.krea.ai",
                      headers={"Authorization": "Bearer bench"}) as client:
        for path, body in bodies:  # warm-up, and every body must be accepted
            assert client.post(path, json=body).status_code == 200, (path, body)
        started = time.perf_counter()
        for number in range(count):
            path, body = bodies[number % len(bodies)]
            client.post(path, json=body)
        print(count / (time.perf_counter() - started))
"""


def paths_to_add(upstream: Path, shipped: set[str]) -> list[str]:
    document = json.loads(upstream.read_text())
    ordered = []
    for kind in ("Image", "Video"):
        for path, item in document["paths"].items():
            operation = item.get("post") or {}
            if kind in operation.get("tags", []) and path not in shipped:
                ordered.append(path)
    return ordered


def spec_of_size(work: Path, size: int, upstream: Path) -> Path:
    copied = work / f"spec-{size}"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in COPIED:
        shutil.copytree(ROOT / folder, copied / folder, ignore=ignore)
    for name in FILES:
        shutil.copy(ROOT / name, copied / name)
    shipped = {
        path
        for path, item in json.loads(upstream.read_text())["paths"].items()
        if path in (copied / "openapi.yaml").read_text()
    }
    wanted = paths_to_add(upstream, shipped)[: size - 3]
    if wanted:
        adding = [argument for path in wanted for argument in ("--add", path)]
        sync = [sys.executable, str(copied / "scripts" / "py" / "spec_sync.py")]
        subprocess.run(
            [*sync, "--upstream", str(upstream), *adding],
            cwd=copied,
            check=True,
            capture_output=True,
        )
    return copied


def _in(copied: Path, *command: str) -> str:
    path = os.pathsep.join(str(copied / f) for f in ("", "generated", "mock_server"))
    done = subprocess.run(
        [sys.executable, *command],
        cwd=copied,
        env={**os.environ, "PYTHONPATH": path},
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def measure_once(copied: Path, creates: int = 2000) -> dict[str, float]:
    started = time.perf_counter()
    _in(copied, str(copied / "scripts" / "py" / "regenerate.py"), "--check")
    return {
        "regenerate": time.perf_counter() - started,
        "import": float(_in(copied, "-c", IMPORT_TIME)),
        "creates": float(_in(copied, "-c", CREATES, str(creates))),
    }


def measure(copies: dict[int, Path], rounds: int = 3) -> dict[int, dict[str, float]]:
    """Each figure's best of `rounds`, the sizes taken in turn within each round, so that the
    load of a shared machine falls on all of them alike."""
    runs: dict[int, list[dict[str, float]]] = {size: [] for size in copies}
    for _ in range(rounds):
        for size, copied in copies.items():
            runs[size].append(measure_once(copied))
    return {
        size: {
            "regenerate": min(r["regenerate"] for r in found),
            "import": min(r["import"] for r in found),
            "creates": max(r["creates"] for r in found),
        }
        for size, found in runs.items()
    }


def spec_scale(work: Path, upstream: Path = KREA_DOCUMENT) -> str:
    figures = measure({size: spec_of_size(work, size, upstream) for size in SIZES})
    base = figures[SIZES[0]]
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    lines = [
        START,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, best of three rounds"
        " (the sizes in turn in each); ratios against the shipped 3 models, same run; load average"
        f" {load} on {os.cpu_count()} cores (figures from a busier machine vary more).",
        "Reproduce: `./scripts/bench --only spec-scale`.",
        "",
        "### Scale: the spec's size (models imported with `spec-sync --add`)",
        "",
        "| models | `regenerate --check` (s) | SDK import (ms) | mock creates/s (in-process) |",
        "|---|---|---|---|",
    ]
    for size, found in figures.items():
        ratio = {name: found[name] / base[name] for name in found}
        lines.append(
            f"| {size} | {found['regenerate']:.1f} (x{ratio['regenerate']:.1f})"
            f" | {found['import'] * 1000:.0f} (x{ratio['import']:.1f})"
            f" | {found['creates']:,.0f} (x{ratio['creates']:.2f}) |"
        )
    lines += [
        "",
        "The SDK import loads the generated client and reads the spec; the creates go round"
        " robin over every model, each with the fields its schema requires.",
        "",
        END,
    ]
    return "\n".join(lines)
