"""How the project is split: one package reads the spec, the mock does not depend on the SDK,
and the SDK does not depend on the mock's or the CLI's libraries."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[1])

# Each test starts a fresh interpreter or builds a wheel.
pytestmark = pytest.mark.slow


def loaded_after(statement: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running `statement`."""
    listing = "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    script = f"import sys\n{statement}\n{listing}"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(result.stdout.split())


def test_the_mock_does_not_depend_on_the_sdk() -> None:
    loaded = loaded_after("import krea_nano_banana_mock as m; m.KreaMock; m.AsgiApp")
    assert "krea_nano_banana_spec" in loaded
    assert "krea_nano_banana" not in loaded


# Not rich: httpx itself loads it, for its own command line, whenever it is installed.
@pytest.mark.parametrize("library", ["respx", "uvicorn", "PIL", "fastjsonschema", "orjson"])
def test_the_sdk_loads_none_of_the_mock_or_cli_libraries(library: str) -> None:
    loaded = loaded_after(
        "import krea_nano_banana as k; k.Krea; k.AsyncKrea; k.estimate_cost; k.parse_webhook"
    )
    assert "krea_api_client" in loaded
    assert library not in loaded


@pytest.mark.slow(seconds=10)
def test_the_wheel_installs_only_names_of_its_own(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), ROOT],
        capture_output=True,
        timeout=300,
        check=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.startswith("krea_nano_banana-")}
    assert top_level == {
        "krea_api_client",
        "krea_nano_banana",
        "krea_nano_banana_contract",
        "krea_nano_banana_mock",
        "krea_nano_banana_spec",
    }
    assert "krea_nano_banana_spec/openapi.yaml" in names  # the spec travels with its reader
    static = Path(ROOT, "mock_server/krea_nano_banana_mock/dashboard/static")
    for page_file in static.iterdir():  # the dashboard works from the installed package alone
        assert f"krea_nano_banana_mock/dashboard/static/{page_file.name}" in names


def test_an_sdk_only_install_runs_pytest_and_names_the_mock_extra(tmp_path: Path) -> None:
    """`pip install krea-nano-banana` (no extra), as a user does, then their own pytest run: the
    plugin every install registers loads quietly; only using the fixture, or starting the
    server, says which extra to install, in one line."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", ROOT, "pytest"],
        capture_output=True,
        check=True,
        timeout=600,
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_users.py").write_text(
        "import krea_nano_banana\n\n"
        "def test_without_the_mock():\n    assert krea_nano_banana.Krea\n\n"
        "def test_with_the_fixture(krea_mock):\n    pass\n"
    )
    run = subprocess.run(
        [python, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr  # one error, not a usage error (exit 3)
    assert "1 passed, 1 error" in run.stdout
    assert "krea_mock fixture: the mock needs" in run.stdout
    assert "pip install 'krea-nano-banana[mock]'" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    server = subprocess.run(
        [venv / "bin" / "krea-mock-server"], capture_output=True, text=True, timeout=60
    )
    assert server.returncode == 1
    assert server.stdout == ""
    assert server.stderr.strip().splitlines() == [
        "krea-mock-server: the mock needs orjson, fastjsonschema, respx, uvicorn, pillow:"
        " pip install 'krea-nano-banana[mock]'"
    ]
