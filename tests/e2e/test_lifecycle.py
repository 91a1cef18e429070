"""Changes after the first ``up``: in-place scaling, replacement, drift made outside Pulumi, check failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi import automation as auto

from emulator_process import EmulatorProcess

from . import harness as h

pytestmark = pytest.mark.e2e

H200_SCALING = h.EXAMPLES / "h200-scaling"


def _assert_in_place_update(ops: dict[str, list[str]]) -> None:
    """The cluster itself is updated, never replaced (see also test_scaling_preview_replaces_nothing)."""
    assert ops.get(h.CLUSTER_TYPE) == ["update"], ops
    replacing = {t: o for t, o in ops.items() if h.REPLACING_OPS & set(o)}
    assert not replacing, f"a scale must not replace anything: {replacing}"


def test_scaling_preview_replaces_nothing(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = h.make_stack(H200_SCALING, tmp_path, emu, engine_bin, config={"numGpus": "8"})
    stack.up()
    h.set_program_config(stack, "numGpus", "16")

    preview, ops = h.preview_ops(stack)

    replacing = {t: o for t, o in ops.items() if h.REPLACING_OPS & set(o)}
    assert not replacing, f"the preview of a scale replaces {replacing}; change summary {preview.change_summary}"
    assert "replace" not in preview.change_summary
    # What the up really does: update both steps in place, the readiness step keeps its id.
    ready_id = h.only_resource(stack, h.READINESS_TYPE)["id"]
    up = stack.up()
    assert "replace" not in (up.summary.resource_changes or {})
    assert h.only_resource(stack, h.READINESS_TYPE)["id"] == ready_id


def test_scaling_through_config_is_in_place(timed_emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    """h200-scaling 8 -> 32 -> 8 GPUs: one cluster throughout, each up waits for Ready."""
    stack = h.make_stack(H200_SCALING, tmp_path, timed_emu, engine_bin, config={"numGpus": "8"})
    stack.up()
    cluster_id = h.only_cluster(timed_emu)["cluster_id"]
    assert stack.outputs()["status"].value == "Ready"

    for num_gpus in (32, 8):
        h.set_program_config(stack, "numGpus", str(num_gpus))
        preview, ops = h.preview_ops(stack)
        _assert_in_place_update(ops)
        assert h.change_count(preview.change_summary, "update") >= 1, preview.change_summary

        result = stack.up()

        # The provider saw the cluster not Ready after the PUT, and waited until it was.
        assert "WaitingForDataPlaneNodes" in result.stdout, result.stdout
        outputs = stack.outputs()
        assert outputs["status"].value == "Ready"
        assert outputs["cluster_id"].value == cluster_id
        assert outputs["num_nodes"].value == num_gpus // 8
        cluster = h.only_cluster(timed_emu)
        assert cluster["cluster_id"] == cluster_id
        assert cluster["status"] == "Ready"
        assert cluster["num_gpus"] == num_gpus
        assert len(cluster["gpu_worker_nodes"]) == num_gpus // 8
        stack.preview(expect_no_changes=True)

    assert len(h.applied_creates(timed_emu)) == 1
    puts = [e for e in h.log_entries(timed_emu) if e["method"] == "PUT" and e["route"] == h.CLUSTER_ROUTE]
    assert len(puts) == 2, puts


def test_changing_gpu_type_replaces_the_cluster(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    program = h.write_program(tmp_path / "program")
    stack = h.make_stack(program, tmp_path, emu, engine_bin, config={"region": "us-central-8", "gpuType": "H100_SXM"})
    stack.up()
    old_id = h.only_cluster(emu)["cluster_id"]

    h.set_program_config(stack, "gpuType", "H200_SXM")
    preview, ops = h.preview_ops(stack)

    assert "replace" in ops.get(h.CLUSTER_TYPE, []), ops
    assert h.change_count(preview.change_summary, "replace") >= 1, preview.change_summary

    stack.up()

    state = emu.admin.state()
    assert len(state["clusters"]) == 1, [c["cluster_id"] for c in state["clusters"]]
    (cluster,) = state["clusters"]
    assert cluster["gpu_type"] == "H200_SXM"
    assert cluster["cluster_id"] != old_id
    assert cluster["status"] == "Ready"
    outputs = stack.outputs()
    assert outputs["cluster_id"].value == cluster["cluster_id"]
    assert outputs["gpu_type"].value == "H200_SXM"
    assert outputs["status"].value == "Ready"
    assert h.only_resource(stack, h.CLUSTER_TYPE)["id"] == cluster["cluster_id"]
    stack.preview(expect_no_changes=True)


def test_out_of_band_scale_is_detected_and_reverted(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = h.make_stack(H200_SCALING, tmp_path, emu, engine_bin, config={"numGpus": "8"})
    stack.up()
    cluster_id = h.only_cluster(emu)["cluster_id"]

    emu.admin.scale_cluster(cluster_id, 16)
    refreshed = stack.refresh()

    assert h.change_count(refreshed.summary.resource_changes, "update") >= 1, refreshed.summary.resource_changes
    assert h.only_resource(stack, h.CLUSTER_TYPE)["outputs"]["num_gpus"] == 16
    # (Stack outputs change only when the program runs; the refreshed resource state holds the nodes.)
    assert h.only_resource(stack, h.READINESS_TYPE)["outputs"]["num_nodes"] == 2
    _, ops = h.preview_ops(stack)
    _assert_in_place_update(ops)

    stack.up()

    cluster = h.only_cluster(emu)
    assert cluster["cluster_id"] == cluster_id
    assert cluster["num_gpus"] == 8
    assert len(cluster["gpu_worker_nodes"]) == 1
    assert stack.outputs()["num_nodes"].value == 1
    stack.preview(expect_no_changes=True)


def test_out_of_band_delete_is_detected_and_recreated(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = h.make_stack(H200_SCALING, tmp_path, emu, engine_bin)
    stack.up()
    old_id = h.only_cluster(emu)["cluster_id"]

    emu.admin.delete_cluster(old_id)
    refreshed = stack.refresh()

    assert h.change_count(refreshed.summary.resource_changes, "delete") >= 1, refreshed.summary.resource_changes
    assert h.resources(stack, h.CLUSTER_TYPE) == []
    assert h.resources(stack, h.READINESS_TYPE) == []

    stack.up()

    cluster = h.only_cluster(emu)
    assert cluster["cluster_id"] != old_id
    assert cluster["status"] == "Ready"
    assert stack.outputs()["cluster_id"].value == cluster["cluster_id"]
    assert stack.outputs()["status"].value == "Ready"
    stack.preview(expect_no_changes=True)


def test_invalid_size_fails_preview_and_creates_nothing(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    program = h.write_program(tmp_path / "program")
    stack = h.make_stack(program, tmp_path, emu, engine_bin, config={"numGpus": "12"})

    with pytest.raises(auto.CommandError) as preview_error:
        stack.preview()
    message = str(preview_error.value)
    assert "num_gpus" in message and "multiple of 8" in message and "12" in message, message

    with pytest.raises(auto.CommandError) as up_error:
        stack.up()
    assert "multiple of 8" in str(up_error.value)

    posts = [e for e in h.log_entries(emu) if e["method"] == "POST"]
    assert posts == []
    assert h.clusters(emu) == []
    assert h.resources(stack, h.CLUSTER_TYPE) == []
