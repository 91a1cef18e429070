"""`make demo`, the README's first command, really works end to end and leaves nothing behind."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_demo_previews_ups_shows_outputs_and_destroys(engine_bin: Path, tmp_path: Path) -> None:
    before = {p.name for p in (ROOT / "examples" / "quickstart").iterdir()}
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "TMPDIR": str(tmp_path),
            "TOGETHER_PULUMI_CACHE": str(engine_bin.parents[2]),  # the engine the tests use
        },
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "pulumi preview --diff" in out and "+ together:index:GpuCluster" in out  # the preview was shown
    assert "WaitingForControlPlaneNodes" in out and "Ready" in out  # progress was shown
    assert "kubeconfig" in out and "[secret]" in out
    assert "deleted" in out
    # Nothing left: no stack files in the example, no temporary directory, no process.
    assert {p.name for p in (ROOT / "examples" / "quickstart").iterdir()} == before
    assert list(tmp_path.iterdir()) == [], list(tmp_path.iterdir())
    match = re.search(r"emulator serving (http://127\.0\.0\.1:\d+)", out)
    assert match, out
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{match.group(1)}/_emulator/state", timeout=2)  # the demo's emulator is gone
