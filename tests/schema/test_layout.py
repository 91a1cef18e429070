"""The folders say which process runs the code, and the imports keep to it.

``program/`` runs in the user's program, ``host/`` in the provider host, ``model/`` in both; the
emulator and ``api/`` know nothing of the provider; ``resources/`` holds only the 0.1.0 pickle paths.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import together_pulumi
from together_pulumi import pickled

PACKAGE = Path(together_pulumi.__file__).parent


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
