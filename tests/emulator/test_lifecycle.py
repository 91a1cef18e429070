"""Lifecycle walked with the virtual clock (frozen with scale 0, moved with advance): no sleeps.

The emulator here provisions in 10 s, deletes in 4 s and provisions volumes in 4 s of virtual
time. Bring-up phases are spread evenly: four steps without a volume (2.5 s each), five with one.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from emulator_inprocess import InProcessEmulator

from ._helpers import create_cluster, create_volume, ok
from .conftest import MakeAppEmu

PROVISIONING = 10.0
DELETION = 4.0
VOLUME = 4.0


@pytest.fixture
def slow(make_app_emu: MakeAppEmu) -> Iterator[tuple[InProcessEmulator, httpx.Client]]:
    emu = make_app_emu(provisioning_seconds=PROVISIONING, deletion_seconds=DELETION, volume_provisioning_seconds=VOLUME)
    emu.admin.set_clock_scale(0)  # frozen: only advance_clock moves time
    with emu.client() as client:
        yield emu, client


def _get(client: httpx.Client, cluster_id: str) -> dict[str, Any]:
    return ok(client.get(f"/v1/compute/clusters/{cluster_id}"))


def _phases(cluster: dict[str, Any]) -> list[str]:
    return [p["phase"].removeprefix("CLUSTER_PHASE_") for p in cluster["phase_transitions"]]


def test_bring_up_without_volume(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, client = slow
    cid = create_cluster(client, num_gpus=24)["cluster_id"]
    c = _get(client, cid)
    assert c["status"] == "WaitingForControlPlaneNodes"
    assert c["kube_config"] == "" and c["control_plane_nodes"] == [] and not c["control_plane_ready"]
    assert _phases(c) == ["QUEUED", "WAITING_FOR_CONTROL_PLANE_NODES"]

    emu.admin.advance_clock(2.4)
    assert _get(client, cid)["status"] == "WaitingForControlPlaneNodes"
    emu.admin.advance_clock(0.1)
    c = _get(client, cid)
    assert c["status"] == "WaitingForDataPlaneNodes"
    assert c["control_plane_ready"] is True
    (cp,) = c["control_plane_nodes"]
    assert [p["phase"] for p in cp["phase_transitions"]][-1] == "NODE_PHASE_RUNNING"
    assert c["gpu_worker_nodes"] == []
    kubeconfig = yaml.safe_load(base64.b64decode(c["kube_config"]))
    assert kubeconfig["apiVersion"] == "v1" and kubeconfig["kind"] == "Config"
    assert kubeconfig["current-context"] == f"{cid}-admin"
    assert [ctx["name"] for ctx in kubeconfig["contexts"]] == [f"{cid}-admin"]
    assert kubeconfig["users"][0]["user"]["token"]
    assert kubeconfig["clusters"][0]["cluster"]["server"].startswith("https://")

    emu.admin.advance_clock(2.5)
    c = _get(client, cid)
    assert c["status"] == "InstallingDrivers"
    assert len(c["gpu_worker_nodes"]) == 3
    for node in c["gpu_worker_nodes"]:
        assert node["num_gpus"] == 8 and node["instance_id"] and node["host_name"] and node["networks"]
    assert len({n["node_id"] for n in c["gpu_worker_nodes"]}) == 3

    emu.admin.advance_clock(2.5)
    assert _get(client, cid)["status"] == "RunningAcceptanceTests"
    emu.admin.advance_clock(2.5)
    c = _get(client, cid)
    assert c["status"] == "Ready"
    assert c["first_ready_at"] == c["phase_transitions"][-1]["transition_time"]
    assert _phases(c) == [
        "QUEUED",
        "WAITING_FOR_CONTROL_PLANE_NODES",
        "WAITING_FOR_DATA_PLANE_NODES",
        "INSTALLING_DRIVERS",
        "RUNNING_ACCEPTANCE_TESTS",
        "READY",
    ]
    times = [p["transition_time"] for p in c["phase_transitions"]]
    assert times == sorted(times) and all(t.endswith("Z") for t in times)


def test_bring_up_with_volume_and_jump(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, client = slow
    cid = create_cluster(client, shared_volume={"region": "us-central-8", "size_tib": 3, "volume_name": "scratch"})[
        "cluster_id"
    ]
    c = _get(client, cid)
    (volume,) = c["volumes"]
    assert volume["status"] == "provisioning" and volume["size_tib"] == 3
    emu.admin.advance_clock(4)  # 5 steps of 2 s: control plane at 2, data plane at 4
    c = _get(client, cid)
    assert c["status"] == "WaitingForSharedVolume"
    assert c["volumes"][0]["status"] == "bound"
    emu.admin.advance_clock(2)
    assert _get(client, cid)["status"] == "InstallingDrivers"
    # one big jump applies every due transition, each stamped with its own due time
    emu.admin.advance_clock(100)
    c = _get(client, cid)
    assert c["status"] == "Ready"
    assert _phases(c) == [
        "QUEUED",
        "WAITING_FOR_CONTROL_PLANE_NODES",
        "WAITING_FOR_DATA_PLANE_NODES",
        "WAITING_FOR_SHARED_VOLUME",
        "INSTALLING_DRIVERS",
        "RUNNING_ACCEPTANCE_TESTS",
        "READY",
    ]
    assert len(set(p["transition_time"] for p in c["phase_transitions"][1:])) == 6


def test_scaling_takes_a_third_of_provisioning(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, client = slow
    cid = create_cluster(client, num_gpus=8)["cluster_id"]
    emu.admin.advance_clock(PROVISIONING)
    assert _get(client, cid)["status"] == "Ready"
    updated = ok(client.put(f"/v1/compute/clusters/{cid}", json={"num_gpus": 24}))
    assert updated["status"] == "WaitingForDataPlaneNodes"
    assert len(updated["gpu_worker_nodes"]) == 1
    emu.admin.advance_clock(PROVISIONING / 3 - 0.5)
    assert len(_get(client, cid)["gpu_worker_nodes"]) == 1
    emu.admin.advance_clock(0.5)
    c = _get(client, cid)
    assert c["status"] == "Ready" and len(c["gpu_worker_nodes"]) == 3


def test_scaling_while_provisioning(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, client = slow
    cid = create_cluster(client, num_gpus=8)["cluster_id"]
    ok(client.put(f"/v1/compute/clusters/{cid}", json={"num_gpus": 16}))
    emu.admin.advance_clock(PROVISIONING)
    c = _get(client, cid)
    assert c["status"] == "Ready" and len(c["gpu_worker_nodes"]) == 2


def test_delete_lifecycle(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, client = slow
    volume = create_volume(client)
    cid = create_cluster(client, volume_id=volume["volume_id"])["cluster_id"]
    emu.admin.advance_clock(PROVISIONING)
    url = f"/v1/compute/clusters/{cid}"
    assert ok(client.delete(url)) == {"cluster_id": cid}
    c = _get(client, cid)
    assert c["status"] == "Deleting" and _phases(c)[-1] == "DELETING"
    assert ok(client.delete(url)) == {"cluster_id": cid}  # idempotent while Deleting
    update = client.put(url, json={"num_gpus": 16})
    assert update.status_code == 409 and "being deleted" in update.json()["message"]
    vurl = f"/v1/compute/clusters/storage/volumes/{volume['volume_id']}"
    assert ok(client.get(vurl))["status"] == "bound"
    emu.admin.advance_clock(DELETION - 0.1)
    assert _get(client, cid)["status"] == "Deleting"
    emu.admin.advance_clock(0.1)
    assert client.get(url).status_code == 404
    assert ok(client.get("/v1/compute/clusters"))["clusters"] == []
    assert ok(client.get(vurl))["status"] == "available"


def test_scheduled_capacity_waits_for_its_start(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, client = slow
    clock = emu.admin.clock()
    from datetime import datetime, timedelta

    now = datetime.fromisoformat(clock["now"])
    start = (now + timedelta(seconds=60)).isoformat().replace("+00:00", "Z")
    end = (now + timedelta(days=2)).isoformat().replace("+00:00", "Z")
    cid = create_cluster(
        client, billing_type="SCHEDULED_CAPACITY", reservation_start_time=start, reservation_end_time=end
    )["cluster_id"]
    assert _phases(_get(client, cid)) == ["QUEUED", "SCHEDULED"]
    emu.admin.advance_clock(59)
    assert _get(client, cid)["status"] == "WaitingForControlPlaneNodes"
    assert _get(client, cid)["control_plane_nodes"] == []
    emu.admin.advance_clock(1 + PROVISIONING)
    assert _get(client, cid)["status"] == "Ready"


def test_clock_api(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, _ = slow
    before = emu.admin.clock()
    assert before["scale"] == 0
    after = emu.admin.advance_clock(30)
    assert after["offset_seconds"] == before["offset_seconds"] + 30
    assert after["now"] > before["now"] and after["now"].endswith("Z")
    assert emu.admin.set_clock_scale(10)["scale"] == 10
    emu.admin.reset()
    reset = emu.admin.clock()
    assert reset["scale"] == 1 and reset["offset_seconds"] == 0


def test_disabled_acceptance_tests_are_not_run(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, client = slow
    off = create_cluster(client, acceptance_tests_params={"enabled": False})["cluster_id"]
    all_skipped = create_cluster(
        client,
        acceptance_tests_params={
            "dcgm_diag_skipped": True,
            "gpu_burn_skipped": True,
            "nccl_single_node_skipped": True,
            "nccl_multi_node_skipped": True,
            "storage_skipped": True,
        },
    )["cluster_id"]
    on = create_cluster(client, acceptance_tests_params={"enabled": True, "gpu_burn_skipped": True})["cluster_id"]
    emu.admin.advance_clock(PROVISIONING)
    for cid in (off, all_skipped):
        assert "RUNNING_ACCEPTANCE_TESTS" not in _phases(_get(client, cid))
        assert _phases(_get(client, cid))[-2:] == ["INSTALLING_DRIVERS", "READY"]
    assert _phases(_get(client, on))[-2:] == ["RUNNING_ACCEPTANCE_TESTS", "READY"]


def test_switching_to_slurm_reinstalls_and_fills_the_slurm_fields(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, client = slow
    cid = create_cluster(client, num_gpus=16)["cluster_id"]
    emu.admin.advance_clock(PROVISIONING)
    before = _get(client, cid)
    assert "slurm_shm_size_gib" not in before and "slurm_worker_hostname" not in before["gpu_worker_nodes"][0]
    switched = ok(client.put(f"/v1/compute/clusters/{cid}", json={"cluster_type": "SLURM"}))
    assert switched["cluster_type"] == "SLURM" and switched["status"] == "WaitingForControlPlaneNodes"
    assert switched["slurm_shm_size_gib"] == 64  # the update cannot carry it: the emulator's default
    emu.admin.advance_clock(PROVISIONING / 3 - 0.1)
    assert _get(client, cid)["status"] == "WaitingForControlPlaneNodes"
    emu.admin.advance_clock(0.1)
    after = _get(client, cid)
    assert after["status"] == "Ready"
    assert [n["slurm_worker_hostname"] for n in after["gpu_worker_nodes"]] == [
        "gpu-000.slurm-compute.slurm",
        "gpu-001.slurm-compute.slurm",
    ]
    assert [n["node_id"] for n in after["gpu_worker_nodes"]] == [n["node_id"] for n in before["gpu_worker_nodes"]]
    # and back
    ok(client.put(f"/v1/compute/clusters/{cid}", json={"cluster_type": "KUBERNETES"}))
    emu.admin.advance_clock(PROVISIONING / 3)
    back = _get(client, cid)
    assert back["status"] == "Ready" and "slurm_shm_size_gib" not in back
    assert all("slurm_worker_hostname" not in n for n in back["gpu_worker_nodes"])


def test_preemptible_gpus_are_nodes_that_capacity_can_take_back(slow: tuple[InProcessEmulator, httpx.Client]) -> None:
    emu, client = slow
    emu.admin.set_capacity("us-central-8", "H100_SXM", 32)
    cid = create_cluster(client, num_gpus=8, num_preemptible_gpus=16, project_id="proj-emulator")["cluster_id"]
    emu.admin.advance_clock(PROVISIONING)
    c = _get(client, cid)
    assert (c["desired_preemptible_gpus"], c["allocated_preemptible_gpus"]) == (16, 16)
    assert len(c["gpu_worker_nodes"]) == 3  # 1 standard + 2 preemptible
    # only what is left after standard GPUs: 32 - 8 - 16 = 8 more
    ok(client.put(f"/v1/compute/clusters/{cid}", json={"num_preemptible_gpus": 32}))
    c = _get(client, cid)
    assert (c["desired_preemptible_gpus"], c["allocated_preemptible_gpus"]) == (32, 24)
    assert len(c["gpu_worker_nodes"]) == 4
    # a standard create that needs the room preempts (standard GPUs are never refused for preemptible ones)
    other = create_cluster(client, num_gpus=16, cluster_name="standard")["cluster_id"]
    c = _get(client, cid)
    assert c["allocated_preemptible_gpus"] == 8 and len(c["gpu_worker_nodes"]) == 2
    reasons = [e["reason"] for e in c["node_lifecycle_events"]]
    assert reasons.count("TogetherPreemptionNotified") == 2 and reasons.count("TogetherPreempted") == 2
    assert {n["status"] for n in c["deleted_gpu_worker_nodes"]} == {"Deleted"}
    # the admin API preempts too; freed capacity is filled again at the next preemptible update
    assert emu.admin.preempt(cid)["allocated_preemptible_gpus"] == 0
    ok(client.delete(f"/v1/compute/clusters/{other}"))
    emu.admin.advance_clock(DELETION)
    ok(client.put(f"/v1/compute/clusters/{cid}", json={"num_preemptible_gpus": 16}))
    assert _get(client, cid)["allocated_preemptible_gpus"] == 16
    # dropping them removes the preemptible nodes, not the standard one
    standard = _get(client, cid)["gpu_worker_nodes"][0]["node_id"]
    ok(client.put(f"/v1/compute/clusters/{cid}", json={"num_preemptible_gpus": 0}))
    assert [n["node_id"] for n in _get(client, cid)["gpu_worker_nodes"]] == [standard]
