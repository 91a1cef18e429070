"""The local file backend that the examples, the demo and these tests use survives a ``kill -9``.

Pulumi's file backend (gocloud.dev's fileblob) writes each state file to a temporary file and renames
it into place, so a killed ``pulumi`` leaves the old version or the new one. Beside each file it keeps a
metadata "sidecar", ``<file>.attrs``, which it writes in place (truncate, then write) just before the
rename. A kill in between leaves an empty sidecar, and from then on every command on the stack fails
with ``failed to load checkpoint: EOF`` (the chaos suite's create killed once the cluster was sent hit
it, so that no later ``pulumi up`` could succeed). ``?metadata=skip`` on the ``file://`` URL writes no
sidecar; Pulumi reads nothing from them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from . import harness as h
from .pulumi_cli import ProgramStack, stack_for, user_env, write_program

pytestmark = pytest.mark.e2e

PROGRAM = 'import pulumi\n\npulumi.export("answer", 42)\n'


def _stack(tmp_path: Path, engine_bin: Path, backend_url: str | None = None) -> tuple[Path, ProgramStack]:
    program = write_program(tmp_path / "program", PROGRAM)
    stack = stack_for(program, tmp_path / "home", engine_bin)
    if backend_url is not None:
        stack.env["PULUMI_BACKEND_URL"] = backend_url
    stack.init(config={"size": "1"})
    stack.up()
    return tmp_path / "home" / "backend", stack


def test_the_test_backend_writes_nothing_in_place(engine_bin: Path, tmp_path: Path) -> None:
    backend, stack = _stack(tmp_path, engine_bin)
    assert sorted(p.name for p in backend.rglob("*.attrs")) == [], "a kill -9 can leave one of these empty"
    assert stack.outputs() == {"answer": 42}


def test_an_empty_sidecar_blocks_the_stack_until_removed(engine_bin: Path, tmp_path: Path) -> None:
    """What a kill -9 at the wrong moment leaves with the default ``file://`` URL, and the repair that
    docs/guide.md gives: remove the empty sidecar (the state file itself is whole)."""
    backend = tmp_path / "home" / "backend"
    backend_url = f"file://{backend}"  # the default: with sidecars
    _, stack = _stack(tmp_path, engine_bin, backend_url)
    sidecar = next(backend.rglob("e2e.json.attrs"))
    sidecar.write_text("")  # as a kill between its truncation and its write leaves it
    failed = stack.pulumi("stack", "export", check=False)
    assert failed.returncode != 0 and "failed to load checkpoint: EOF" in failed.output
    sidecar.unlink()
    assert stack.outputs() == {"answer": 42}


def test_the_examples_and_the_demo_use_a_backend_without_sidecars() -> None:
    shown = [*h.EXAMPLES.glob("*/README.md"), h.ROOT / "scripts" / "demo.sh", h.ROOT / "README.md"]
    urls = {
        path.relative_to(h.ROOT).as_posix(): url
        for path in shown
        for url in re.findall(r'PULUMI_BACKEND_URL="?(file://[^"\s]*)', path.read_text())
    }
    assert urls, "no file backend found where the examples set one up"
    assert {k: u for k, u in urls.items() if not u.endswith("?metadata=skip")} == {}


def test_the_tests_backend_url(tmp_path: Path) -> None:
    env = user_env(Path("/bin"), tmp_path)
    assert env["PULUMI_BACKEND_URL"] == f"file://{tmp_path / 'backend'}?metadata=skip"
