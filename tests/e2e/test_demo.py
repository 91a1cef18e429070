"""`make demo`, the README's first command, really works end to end."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_up_outputs_and_destroy(engine_bin: Path) -> None:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "WaitingForControlPlaneNodes" in out and "Ready" in out  # progress was shown
    assert "kubeconfig: [secret]" in out
    assert "- 4 deleted" in out
