"""The folders say which process runs the code, and the imports keep to it; the code stays in pieces
small enough to read.

``program/`` runs in the user's program, ``host/`` in the provider host, ``model/`` in both; the
emulator and ``api/`` know nothing of the provider; ``resources/`` holds only the 0.1.0 pickle paths.
No module is over 400 lines and no function over 60 (issue 20, "easy to carry on").
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import together_pulumi
from together_pulumi import pickled

PACKAGE = Path(together_pulumi.__file__).parent
ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    """The ``together_pulumi`` modules ``path`` imports, absolute."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    package = package.removesuffix(".__init__")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            found.update(f"{name}.{a.name}" if not node.module else name for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {name for name in found if name.startswith("together_pulumi")}


def _files(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


_PROGRAM, _HOST, _MODEL, _API = (f"together_pulumi.{name}" for name in ("program", "host", "model", "api"))


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("host", (_PROGRAM,)),
        ("model", (_PROGRAM, _HOST)),
        ("api", (_PROGRAM, _HOST, _MODEL)),
        ("emulator", (_PROGRAM, _HOST, _MODEL, _API)),
    ],
)
def test_imports_follow_the_processes(folder: str, forbidden: tuple[str, ...]) -> None:
    wrong = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _files(folder)
        for name in sorted(_imports(path))
        if name.startswith(forbidden)
    ]
    assert not wrong, wrong


def test_program_imports_the_host_only_for_the_providers_it_pickles() -> None:
    allowed = {"together_pulumi.host.cluster.provider", "together_pulumi.host.cluster.readiness"}
    allowed |= {"together_pulumi.host.volume.provider", "together_pulumi.host.volume.readiness"}
    wrong = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _files("program")
        for name in sorted(_imports(path))
        if name.startswith("together_pulumi.host") and name not in allowed
    ]
    assert not wrong, wrong


def test_resources_holds_only_the_legacy_pickle_paths() -> None:
    legacy = {module for modules in pickled.LEGACY_NAMES.values() for module in modules}
    for path in _files("resources"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        assert path.name == "__init__.py" or module in legacy, f"{module} is not a legacy pickle path"
        assert _imports(path) <= {"together_pulumi.pickled"}, f"{module} imports more than pickled"


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
#: Generated from the field tables by ``codegen.py``: its length follows the schema, and no one edits it.
_GENERATED = {PACKAGE / "program" / "args.py"}


def _sources() -> list[Path]:
    """The package's modules and the policy pack's and plugin's own, never those of a virtualenv in them
    (``make plugin`` makes ``plugin/venv``)."""
    found = sorted(PACKAGE.rglob("*.py"))
    for folder in (ROOT / "policy", ROOT / "plugin"):
        for where, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not (Path(where, d) / "pyvenv.cfg").exists())
            found += [Path(where, name) for name in sorted(files) if name.endswith(".py")]
    return found


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT if path.is_relative_to(ROOT) else PACKAGE.parent))


def _functions(tree: ast.AST, prefix: str = "") -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method, nested ones too, with its qualified name (``Class.method``)."""
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append((prefix + node.name, node))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found += _functions(node, f"{prefix}{node.name}.")
        else:
            found += _functions(node, prefix)
    return found


def test_no_module_is_over_400_lines() -> None:
    long = [
        f"{_shown(path)} is {lines} lines (at most {MAX_MODULE_LINES})"
        for path in _sources()
        if path not in _GENERATED and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert not long, long


def test_no_function_is_over_60_lines() -> None:
    long = [
        f"{_shown(path)}: {name} is {lines} lines (at most {MAX_FUNCTION_LINES})"
        for path in _sources()
        for name, node in _functions(ast.parse(path.read_text()))
        if (lines := (node.end_lineno or node.lineno) - node.lineno + 1) > MAX_FUNCTION_LINES
    ]
    assert not long, long


def test_a_program_importing_the_package_loads_nothing_beyond_pulumi() -> None:
    """Every program pays for its imports on every preview: the package adds none of its own (the API
    client's httpx and pydantic load in the provider host, or when a function is called)."""
    probe = (
        "import sys, pulumi, pulumi.dynamic\n"
        "before = set(sys.modules)\n"
        "import together_pulumi\n"
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} - {'together_pulumi'}))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]", f"importing together_pulumi also loaded {loaded}"
