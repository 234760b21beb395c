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
