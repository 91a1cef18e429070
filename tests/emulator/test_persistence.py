"""``--state-file``: state survives a SIGTERM and a restart; writes are atomic."""

from __future__ import annotations

import json
from pathlib import Path

from emulator_process import start_emulator

from ._helpers import create_cluster, create_volume, ok


def test_state_survives_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state" / "emulator.json"
    with start_emulator(state_file=state_file, provisioning_seconds=30) as first, first.client() as client:
        volume = create_volume(client, volume_name="keep", size_tib=3)
        cluster = create_cluster(client, volume_id=volume["volume_id"], num_gpus=16)
        inline = create_cluster(client, shared_volume={"region": "us-central-8", "size_tib": 1, "volume_name": "i"})
        first.admin.set_capacity("us-west-2", "B200_SXM", 64)
        first.admin.set_projects("proj-emulator", "proj-kept")
        gone = create_cluster(client)
        ok(client.delete(f"/v1/compute/clusters/{gone['cluster_id']}"))
        first.admin.advance_clock(60)  # everything Ready, the deleted one gone
        before = ok(client.get("/v1/compute/clusters"))["clusters"]
        volumes_before = ok(client.get("/v1/compute/clusters/storage/volumes"))["volumes"]
        assert first.stop() == 0  # SIGTERM: clean shutdown
    saved = json.loads(state_file.read_text())
    assert {c["wire"]["cluster_id"] for c in saved["clusters"]} == {cluster["cluster_id"], inline["cluster_id"]}
    assert not list(state_file.parent.glob("*.tmp"))

    with start_emulator(state_file=state_file, provisioning_seconds=30) as second, second.client() as client:
        after = ok(client.get("/v1/compute/clusters"))["clusters"]
        assert after == before
        assert all(c["status"] == "Ready" for c in after)
        assert ok(client.get("/v1/compute/clusters/storage/volumes"))["volumes"] == volumes_before
        state = second.admin.state()
        assert {"region": "us-west-2", "gpu_type": "B200_SXM", "gpus": 64, "used": 0} in state["capacity"]
        assert [p["id"] for p in second.admin.projects()["projects"]] == ["proj-emulator", "proj-kept"]
        # new ids do not collide with restored ones, and the restored objects keep working
        again = create_cluster(client)
        assert again["cluster_id"] not in {c["cluster_id"] for c in before}
        ok(client.delete(f"/v1/compute/clusters/{cluster['cluster_id']}"))
        second.admin.advance_clock(60)
        assert client.get(f"/v1/compute/clusters/{cluster['cluster_id']}").status_code == 404


def test_pending_transitions_survive_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator.json"
    slow = {"state_file": state_file, "provisioning_seconds": 600, "remediation_seconds": 60}
    with start_emulator(**slow) as first, first.client() as client:  # type: ignore[arg-type]
        first.admin.set_clock_scale(0)
        cid = create_cluster(client)["cluster_id"]
        ready = create_cluster(client, cluster_name="ready")["cluster_id"]
        first.admin.scale_cluster(ready, 8)  # out-of-band: Ready at once
        node = ok(client.get(f"/v1/compute/clusters/{ready}"))["gpu_worker_nodes"][0]
        remediations = f"/v1/compute/clusters/{ready}/instances/{node['instance_id']}/remediations"
        rid = ok(client.post(remediations, json={"mode": "REMEDIATION_MODE_REBOOT_VM"}))["id"]
    with start_emulator(**slow) as second, second.client() as client:  # type: ignore[arg-type]
        second.admin.set_clock_scale(0)
        assert ok(client.get(f"/v1/compute/clusters/{cid}"))["status"] == "WaitingForControlPlaneNodes"
        assert ok(client.get(f"{remediations}/{rid}"))["state"] == "PENDING"
        second.admin.advance_clock(600)
        assert ok(client.get(f"/v1/compute/clusters/{cid}"))["status"] == "Ready"
        assert ok(client.get(f"{remediations}/{rid}"))["state"] == "SUCCEEDED"
