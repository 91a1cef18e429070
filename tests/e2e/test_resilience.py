"""Waits that time out and resume, and whole lifecycles under throttling and server errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator_process import EmulatorProcess, start_emulator

from . import harness as h
from .pulumi_cli import CommandFailed

pytestmark = pytest.mark.e2e


def test_ready_timeout_fails_naming_the_cluster_and_up_resumes(engine_bin: Path, tmp_path: Path) -> None:
    """A wait that times out keeps the cluster in state; the next up waits again and creates nothing."""
    with start_emulator(provisioning_seconds=600) as emulator:
        emulator.admin.set_clock_scale(1)
        stack = h.program_stack(tmp_path, emulator, engine_bin, config={"readyTimeoutSeconds": "3"})

        with pytest.raises(CommandFailed) as failure:
            stack.up()

        cluster = h.only_cluster(emulator)
        assert cluster["status"] != "Ready"
        message = failure.value.result.output
        assert cluster["cluster_id"] in message, message
        assert "ready_timeout_seconds" in message, message
        # The cluster is recorded although the wait failed: nothing is orphaned.
        assert stack.only_resource(h.CLUSTER_TYPE)["id"] == cluster["cluster_id"]
        assert stack.resources(h.READINESS_TYPE) == []

        emulator.admin.advance_clock(600)
        stack.up()

        outputs = stack.outputs()
        assert outputs["status"] == "Ready"
        assert outputs["cluster_id"] == cluster["cluster_id"]
        assert h.only_cluster(emulator)["cluster_id"] == cluster["cluster_id"]
        assert len(h.applied_creates(emulator)) == 1
        posts = [e for e in h.log_entries(emulator) if e["method"] == "POST" and e["route"] == h.CLUSTERS_ROUTE]
        assert len(posts) == 1, posts
        # (Waits read a shared list of clusters, so the cluster may never be addressed on its own.)
        assert h.cluster_ids_in_log(emulator) <= {cluster["cluster_id"]}
        stack.expect_no_changes()


# Seeds picked (by running this test) so that the faults land on writes. Request order can shift the
# stream, so the assertions hold for any outcome.
@pytest.mark.parametrize("seed", [4])
def test_lifecycle_under_throttling_and_server_errors(
    seed: int, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    """20% of the provider's requests answered 429 or 503: up, scale and destroy still converge."""
    emu.admin.set_faults(rate_429=0.1, rate_503=0.1, seed=seed, retry_after_seconds=0.05)
    stack = h.example_stack("slurm-b200", tmp_path, emu, engine_bin, config={"nodes": "2"})

    stack.up()

    cluster = h.only_cluster(emu)
    cluster_id = cluster["cluster_id"]
    assert len(cluster["gpu_worker_nodes"]) == 2
    assert stack.outputs()["status"] == "Ready"
    assert len(h.volumes(emu)) == 1

    stack.set_config("nodes", "3")
    stack.up()

    cluster = h.only_cluster(emu)
    assert cluster["cluster_id"] == cluster_id
    assert cluster["num_gpus"] == 24
    assert len(cluster["gpu_worker_nodes"]) == 3
    assert stack.outputs()["num_nodes"] == 3
    assert stack.outputs()["status"] == "Ready"

    stack.destroy()

    assert h.clusters(emu) == []
    assert h.volumes(emu) == []
    log = h.log_entries(emu)
    faults = [e for e in log if e["fault"] is not None]
    assert faults, f"no fault was injected in {len(log)} requests"
    assert {e["status"] for e in faults} <= {429, 503}
    assert len(h.applied_creates(emu, h.CLUSTERS_ROUTE)) == 1, h.applied_creates(emu, h.CLUSTERS_ROUTE)
    assert len(h.applied_creates(emu, h.VOLUMES_ROUTE)) == 1, h.applied_creates(emu, h.VOLUMES_ROUTE)
    assert h.cluster_ids_in_log(emu) == {cluster_id}
