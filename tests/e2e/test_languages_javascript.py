"""examples/javascript, plain JavaScript (``runtime: nodejs``, no TypeScript) over the component plugin: the
SDK from ``pulumi package add``, then create (and look the cluster up with ``getClusterOutput``), a no-op
``up``, destroy, the state checked against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator_process import EmulatorProcess

from . import harness as h
from .languages import nodejs_stack

pytestmark = pytest.mark.e2e


def test_javascript_program_creates_and_destroys(tmp_path: Path, emu: EmulatorProcess, engine_bin: Path) -> None:
    stack = nodejs_stack("javascript", tmp_path, emu, engine_bin)
    assert not (stack.program_dir / "tsconfig.json").exists()

    stack.up()
    outputs = stack.outputs()
    cluster = h.only_cluster(emu)
    assert (outputs["clusterId"], outputs["status"], outputs["numNodes"]) == (cluster["cluster_id"], "Ready", 1)
    assert {"kubeconfig", "foundKubeconfig"} <= stack.secret_outputs()
    # getClusterOutput, an invoke of the plugin: the same cluster as the API has it, its kubeconfig secret.
    assert outputs["foundStatus"] == cluster["status"] == "Ready"
    assert outputs["foundKubeconfig"] == outputs["kubeconfig"]
    h.assert_state_is_true(stack, emu)

    # A second `up` has nothing to do: the engine sees no change, and the API is only read.
    before = len(h.log_entries(emu))
    stack.up("--expect-no-changes")
    assert [e["method"] for e in h.log_entries(emu)[before:] if e["method"] != "GET"] == []
    assert h.only_cluster(emu)["cluster_id"] == cluster["cluster_id"]

    stack.destroy()
    assert h.clusters(emu) == [] and not stack.export()["deployment"].get("resources")
