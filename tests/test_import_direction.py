"""The mock's layers depend one way: the server composes the wings (proxy, testing, dashboard),
the wings use the API's door (http_layer), the door uses the core; the core knows no HTTP, no
wing knows another, and nothing in the mock imports the SDK (the mock must work the same
whether the SDK is installed or not).

Every import is read from the source (those inside functions and under TYPE_CHECKING too), so
a lazy import cannot hide a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "krea_nano_banana_mock"
MOCK = ROOT / "mock_server" / PACKAGE

CORE = "core"
DOOR = "http_layer"
WINGS = ("proxy", "testing", "dashboard")
SERVER = "server"
SDK = ("krea_nano_banana", "krea_api_client")
# Libraries that speak HTTP: the core works on plain data and leaves them to the layers above.
HTTP_LIBRARIES = ("httpx", "respx", "starlette", "uvicorn", "h11", "httptools")

# What each layer may import from the mock (besides itself).
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    CORE: (),
    DOOR: (CORE,),
    **dict.fromkeys(WINGS, (CORE, DOOR)),
    SERVER: (CORE, DOOR, *WINGS),
}


def _imports(path: Path, module: str) -> Iterator[tuple[int, str]]:
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against this module's package
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                yield node.lineno, f"{target}.{alias.name}"


def _layer(module: str) -> str | None:
    """The layer a module of the mock is in; None for the package's own `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def violations(mock: Path) -> list[str]:
    """One line per import statement that points the wrong way."""
    found: dict[tuple[str, int], str] = {}
    for path in sorted(mock.rglob("*.py")):
        relative = path.relative_to(mock.parent)
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        layer = _layer(module)
        if layer is None:
            continue  # the package's public face re-exports from every layer
        if layer not in MAY_IMPORT:
            known = ", ".join(f"{name}/" for name in MAY_IMPORT if name != SERVER)
            found[(str(relative), 0)] = f"in no layer: move it into one of {known}"
            continue
        for line, target in _imports(path, module):
            top = target.split(".")[0]
            if top in SDK:
                problem = f"the mock imports the SDK ({target})"
            elif layer == CORE and top in HTTP_LIBRARIES:
                problem = f"the core imports an HTTP library ({target})"
            elif top == mock.name and _layer(target) not in (
                None,
                layer,
                *MAY_IMPORT.get(layer, ()),
            ):
                problem = f"{layer} imports {_layer(target)} ({target})"
            else:
                continue
            found.setdefault((str(relative), line), problem)  # the statement's first finding
    return [f"{file}:{line}: {problem}" for (file, line), problem in found.items()]


def _modules(mock: Path) -> dict[str, Path]:
    return {
        ".".join(p.relative_to(mock.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in mock.rglob("*.py")
    }


def cycles(mock: Path) -> list[list[str]]:
    """Import cycles between the mock's modules (its public `__init__` aside)."""
    modules = _modules(mock)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        if module == mock.name:
            continue
        graph[module] = set()
        for _, target in _imports(path, module):
            while target and target not in modules:  # `pkg.module.Name` -> `pkg.module`
                target = target.rpartition(".")[0]
            if target and target != module and target != mock.name:
                graph[module].add(target)
    found: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                found.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_the_mock_s_imports_point_one_way() -> None:
    assert violations(MOCK) == []


def test_no_module_of_the_mock_imports_itself_round_a_circle() -> None:
    assert cycles(MOCK) == []


def test_a_planted_bad_import_is_found(tmp_path: Path) -> None:
    mock = tmp_path / PACKAGE
    planted = {
        "core/jobs.py": "from krea_nano_banana_mock.http_layer import handlers\nimport httpx\n",
        "proxy/forwarding.py": "def f():\n    from krea_nano_banana_mock.testing import plugin\n",
        "testing/fixture.py": "from ..core import clock\nfrom krea_nano_banana import waits\n",
        "http_layer/handlers.py": "from krea_nano_banana_mock import server\n",
        "dashboard/page.py": "from krea_nano_banana_mock.http_layer import control\n",
        "flat.py": "from krea_nano_banana_mock.core import clock\n",
    }
    for name, source in planted.items():
        (mock / name).parent.mkdir(parents=True, exist_ok=True)
        (mock / name).write_text(source)
    assert violations(mock) == [
        f"{PACKAGE}/core/jobs.py:1: core imports http_layer (krea_nano_banana_mock.http_layer)",
        f"{PACKAGE}/core/jobs.py:2: the core imports an HTTP library (httpx)",
        f"{PACKAGE}/flat.py:0: in no layer: move it into one of core/, http_layer/, proxy/,"
        " testing/, dashboard/",
        f"{PACKAGE}/http_layer/handlers.py:1: http_layer imports server"
        " (krea_nano_banana_mock.server)",
        f"{PACKAGE}/proxy/forwarding.py:2: proxy imports testing (krea_nano_banana_mock.testing)",
        f"{PACKAGE}/testing/fixture.py:2: the mock imports the SDK (krea_nano_banana)",
    ]


def test_a_planted_circle_is_found(tmp_path: Path) -> None:
    door = tmp_path / PACKAGE / "http_layer"
    door.mkdir(parents=True)
    (door / "dispatcher.py").write_text("from krea_nano_banana_mock.http_layer import control\n")
    (door / "control.py").write_text(
        "def handle():\n    from krea_nano_banana_mock.http_layer.dispatcher import CheckedClient\n"
    )
    (door / "handlers.py").write_text("from . import control\n")
    assert cycles(tmp_path / PACKAGE) == [
        [
            f"{PACKAGE}.http_layer.control",
            f"{PACKAGE}.http_layer.dispatcher",
            f"{PACKAGE}.http_layer.control",
        ]
    ]


def _imports_of(folder: Path) -> Iterator[tuple[str, int, str]]:
    for path in sorted(folder.glob("*.py")):
        for line, target in _imports(path, f"{folder.name}.{path.stem}"):
            yield path.relative_to(ROOT).as_posix(), line, target


def test_scripts_and_devtools_do_not_import_the_tests() -> None:
    # What scripts need from the tests' world (the mutants, real servers) lives in devtools/.
    importing_tests = [
        f"{file}:{line}: {target}"
        for folder in (ROOT / "scripts" / "py", ROOT / "devtools")
        for file, line, target in _imports_of(folder)
        if target.split(".")[0] == "tests"
    ]
    assert importing_tests == []
