"""Changes after the first ``up``: replacement, drift made outside Pulumi, check failures. (In-place
scaling is in test_examples, through the examples' READMEs.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess

from . import harness as h
from .pulumi_cli import CommandFailed

pytestmark = pytest.mark.e2e


def test_changing_gpu_type_replaces_the_cluster(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, config={"region": "us-central-8", "gpuType": "H100_SXM"})
    stack.up()
    old_id = h.only_cluster(emu)["cluster_id"]

    stack.set_config("gpuType", "H200_SXM")
    preview = stack.preview()

    assert "replace" in preview.ops(h.CLUSTER_TYPE), preview.ops_by_type()
    assert preview.change_summary.get("replace", 0) >= 1, preview.change_summary
    diff = stack.preview_diff().stdout
    assert "gpu_type" in diff and "H200_SXM" in diff and "replace" in diff, diff

    stack.up()

    state = emu.admin.state()
    assert len(state["clusters"]) == 1, [c["cluster_id"] for c in state["clusters"]]
    (cluster,) = state["clusters"]
    assert cluster["gpu_type"] == "H200_SXM"
    assert cluster["cluster_id"] != old_id
    assert cluster["status"] == "Ready"
    outputs = stack.outputs()
    assert outputs["cluster_id"] == cluster["cluster_id"]
    assert outputs["gpu_type"] == "H200_SXM"
    assert outputs["status"] == "Ready"
    assert stack.only_resource(h.CLUSTER_TYPE)["id"] == cluster["cluster_id"]
    stack.expect_no_changes()


def test_drift_made_outside_pulumi_is_shown_and_reverted(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    """A scale in the console shows in refresh and the next preview, and up scales back; a cluster
    deleted in the console leaves the state on refresh, and up creates it again."""
    stack = h.example_stack("h200-scaling", tmp_path, emu, engine_bin, config={"numGpus": "8"})
    stack.up()
    cluster_id = h.only_cluster(emu)["cluster_id"]

    emu.admin.scale_cluster(cluster_id, 16)
    refreshed = stack.refresh()

    assert "updated" in refreshed.stdout, refreshed.stdout
    assert stack.only_resource(h.CLUSTER_TYPE)["outputs"]["num_gpus"] == 16
    # (Stack outputs change only when the program runs; the refreshed resource state holds the nodes.)
    assert stack.only_resource(h.READINESS_TYPE)["outputs"]["num_nodes"] == 2
    preview = stack.preview()
    assert preview.ops(h.CLUSTER_TYPE) == ["update"] and not h.replacing(preview.changes()), preview.changes()
    diff = stack.preview_diff().stdout
    assert re.search(r"~ num_gpus\s*: 16 => 8", diff), diff

    stack.up()

    cluster = h.only_cluster(emu)
    assert (cluster["cluster_id"], cluster["num_gpus"], len(cluster["gpu_worker_nodes"])) == (cluster_id, 8, 1)
    assert stack.outputs()["num_nodes"] == 1
    stack.expect_no_changes()

    emu.admin.delete_cluster(cluster_id)
    refreshed = stack.refresh()

    assert "deleted" in refreshed.stdout, refreshed.stdout
    assert stack.resources(h.CLUSTER_TYPE) == []
    assert stack.resources(h.READINESS_TYPE) == []

    stack.up()

    cluster = h.only_cluster(emu)
    assert cluster["cluster_id"] != cluster_id
    assert cluster["status"] == "Ready"
    assert stack.outputs()["cluster_id"] == cluster["cluster_id"]
    stack.expect_no_changes()


def test_invalid_size_fails_preview_and_creates_nothing(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, config={"numGpus": "12"})

    preview = stack.preview(check=False)
    message = preview.messages()
    assert "num_gpus" in message and "multiple of 8" in message and "12" in message, message

    with pytest.raises(CommandFailed) as up_error:
        stack.up()
    assert "multiple of 8" in up_error.value.result.output

    posts = [e for e in h.log_entries(emu) if e["method"] == "POST"]
    assert posts == []
    assert h.clusters(emu) == []
    assert stack.resources(h.CLUSTER_TYPE) == []
