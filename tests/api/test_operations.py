"""Every operation against the emulator, with typed results; lenient response models."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest
from pydantic import ValidationError

from emulator_process import EmulatorProcess
from together_pulumi.api import (
    Cluster,
    ClusterStatus,
    ClusterType,
    ClusterUpdateRequest,
    GpuType,
    Region,
    TogetherClient,
    Volume,
    VolumeStatus,
    VolumeUpdateRequest,
    errors,
)
from together_pulumi.api.models import AddOn, AddOnConfig, AddOnType, AddOnUpdate, EnabledFlag, SharedVolumeCreate

from ._helpers import CLUSTERS, REGION, cluster_request, count, mock_client, volume_request
from .conftest import Catch


def test_regions(client: TogetherClient) -> None:
    regions = client.list_regions()
    assert regions and all(isinstance(r, Region) for r in regions)
    region = next(r for r in regions if r.name == REGION)
    assert GpuType.H100_SXM in region.supported_instance_types
    assert region.driver_versions and region.driver_versions[0].cuda_version


def test_cluster_lifecycle(emu: EmulatorProcess, client: TogetherClient, caught: Catch) -> None:
    created = client.create_cluster(
        cluster_request(
            "life",
            cluster_type="SLURM",
            slurm_shm_size_gib=64,
            add_ons=[
                AddOn(
                    add_on_type=AddOnType.DASHBOARD,
                    name="dash",
                    config=AddOnConfig(dashboard=EnabledFlag(enabled=True)),
                )
            ],
        )
    )
    assert isinstance(created, Cluster)
    assert created.cluster_id.startswith("t-")
    assert created.cluster_name == "life"
    assert created.gpu_type == GpuType.H100_SXM and created.num_gpus == 8
    assert created.cluster_type == ClusterType.SLURM
    assert created.status == ClusterStatus.WAITING_FOR_CONTROL_PLANE_NODES
    assert isinstance(created.created_at, datetime)
    assert created.os_image and created.machine_cluster_id  # optional fields the SDK defines are read

    fetched = client.get_cluster(created.cluster_id)
    assert fetched.cluster_id == created.cluster_id
    assert fetched.status == ClusterStatus.READY  # provisioning takes 0 s in the test emulator
    assert len(fetched.gpu_worker_nodes) == 1 and fetched.gpu_worker_nodes[0].num_gpus == 8
    assert fetched.control_plane_nodes
    assert [a["name"] for a in fetched.add_ons] == ["dash"]

    emu.admin.set_projects("proj-emulator", "proj-b")
    other = client.create_cluster(cluster_request("other", project_id="proj-b"))
    assert {c.cluster_id for c in client.list_clusters()} == {created.cluster_id, other.cluster_id}
    assert [c.cluster_id for c in client.list_clusters(project_id="proj-b")] == [other.cluster_id]

    updated = client.update_cluster(created.cluster_id, ClusterUpdateRequest(num_gpus=16))
    assert isinstance(updated, Cluster) and updated.num_gpus == 16
    assert client.get_cluster(created.cluster_id).num_gpus == 16

    client.delete_cluster(created.cluster_id)
    caught(errors.NotFoundError, client.get_cluster, created.cluster_id)  # deletion takes 0 s here
    assert [c.cluster_id for c in client.list_clusters()] == [other.cluster_id]


def test_cluster_with_inline_shared_volume(client: TogetherClient) -> None:
    cluster = client.create_cluster(
        cluster_request("with-vol", shared_volume=SharedVolumeCreate(volume_name="scratch", size_tib=1, region=REGION))
    )
    cluster = client.get_cluster(cluster.cluster_id)
    assert [v.volume_name for v in cluster.volumes] == ["scratch"]
    assert [v.volume_name for v in client.list_volumes()] == ["scratch"]


def test_volume_lifecycle(emu: EmulatorProcess, client: TogetherClient, caught: Catch) -> None:
    emu.admin.set_projects("proj-emulator", "proj-b")
    created = client.create_volume(volume_request("data", size_tib=2))
    assert isinstance(created, Volume)
    assert created.volume_id.startswith("vol-") and created.volume_name == "data" and created.size_tib == 2

    fetched = client.get_volume(created.volume_id)
    assert fetched.status == VolumeStatus.AVAILABLE

    other = client.create_volume(volume_request("other", project_id="proj-b"))
    assert {v.volume_id for v in client.list_volumes()} == {created.volume_id, other.volume_id}
    assert [v.volume_id for v in client.list_volumes(project_id="proj-b")] == [other.volume_id]

    resized = client.update_volume(VolumeUpdateRequest(volume_id=created.volume_id, size_tib=5))
    assert isinstance(resized, Volume) and resized.size_tib == 5
    assert client.get_volume(created.volume_id).size_tib == 5

    client.delete_volume(created.volume_id)
    caught(errors.NotFoundError, client.get_volume, created.volume_id)
    assert [v.volume_id for v in client.list_volumes()] == [other.volume_id]


def test_requests_are_strict_before_sending(emu: EmulatorProcess) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        cluster_request(gpu_type="X900_SXM")
    with pytest.raises(ValidationError):
        cluster_request(surprise=True)
    assert count(emu, "POST", CLUSTERS) == 0


def _cluster_wire(**overrides: object) -> dict[str, object]:
    wire: dict[str, object] = {
        "cluster_id": "t-future",
        "cluster_name": "future",
        "cluster_type": "KUBERNETES",
        "region": "us-future-1",
        "gpu_type": "X900_SXM",
        "num_gpus": 8,
        "status": "Hibernating",
        "billing_type": "SPOT_AUCTION",
        "quantum_entanglement": {"enabled": True},
        "gpu_worker_nodes": [
            {"node_id": "n1", "host_name": "h1", "status": "Warming", "num_gpus": 8, "new_node_field": 1}
        ],
    }
    wire.update(overrides)
    return wire


def test_a_missing_billing_type_is_unknown_not_on_demand() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {k: v for k, v in _cluster_wire().items() if k != "billing_type"}
        return httpx.Response(200, content=json.dumps(body).encode(), headers={"content-type": "application/json"})

    with mock_client(handler) as client:
        assert client.get_cluster("t-future").billing_type is None


def test_responses_tolerate_unknown_fields_and_enum_values() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/compute/clusters/t-future":
            body: object = _cluster_wire()
        elif path == "/v1/compute/clusters":
            body = {"clusters": [_cluster_wire()], "next_page_token": "abc"}
        elif path == "/v1/compute/clusters/storage/volumes":
            body = {
                "volumes": [
                    {"volume_id": "vol-1", "volume_name": "v", "size_tib": 1, "status": "migrating", "tier": "hot"}
                ]
            }
        elif path == "/v1/compute/regions":
            body = {
                "regions": [
                    {
                        "name": "r",
                        "supported_instance_types": ["X900_SXM"],
                        "driver_versions": [{"cuda_version": "14.0", "nvidia_driver_version": "700", "arch": "arm"}],
                        "zone": "z",
                    }
                ]
            }
        else:
            return httpx.Response(404)
        return httpx.Response(200, content=json.dumps(body).encode(), headers={"content-type": "application/json"})

    with mock_client(handler) as client:
        cluster = client.get_cluster("t-future")
        assert cluster.gpu_type == "X900_SXM"
        assert cluster.gpu_type not in set(GpuType)
        assert cluster.status == "Hibernating" and cluster.billing_type == "SPOT_AUCTION"
        assert cluster.model_extra == {"quantum_entanglement": {"enabled": True}}
        assert cluster.gpu_worker_nodes[0].status == "Warming"
        assert (cluster.gpu_worker_nodes[0].model_extra or {})["new_node_field"] == 1
        assert [c.gpu_type for c in client.list_clusters()] == ["X900_SXM"]
        (volume,) = client.list_volumes()
        assert volume.status == "migrating" and (volume.model_extra or {})["tier"] == "hot"
        (region,) = client.list_regions()
        assert region.supported_instance_types == ["X900_SXM"]
        assert region.driver_versions[0].cuda_version == "14.0"


def test_find_returns_none_for_what_does_not_exist(emu: EmulatorProcess, client: TogetherClient) -> None:
    assert client.find_cluster("t-nope") is None
    assert client.find_volume("vol-nope") is None
    cluster = client.create_cluster(cluster_request("found"))
    volume = client.create_volume(volume_request("found"))
    found_cluster, found_volume = client.find_cluster(cluster.cluster_id), client.find_volume(volume.volume_id)
    assert found_cluster is not None and found_cluster.cluster_name == "found"
    assert found_volume is not None and found_volume.volume_name == "found"
    emu.admin.set_faults(rate_500=1.0, methods=["GET"])
    with pytest.raises(errors.ServerError):  # only "not found" means None
        client.find_cluster(cluster.cluster_id)


def test_update_add_ons_are_addressed_by_name(emu: EmulatorProcess, client: TogetherClient) -> None:
    request = ClusterUpdateRequest(
        add_ons=[AddOnUpdate(name="dash", config=AddOnConfig(dashboard=EnabledFlag(enabled=False)))]
    )
    # the SDK's update add-on has no add_on_type: it is not sent, and cannot be given
    assert request.to_wire() == {"add_ons": [{"name": "dash", "config": {"dashboard": {"enabled": False}}}]}
    with pytest.raises(ValidationError):
        ClusterUpdateRequest.model_validate({"add_ons": [{"add_on_type": "dashboard", "name": "dash"}]})
    # torchpass: gone from the 3.1.1 SDK's config keys, still in the Go and TypeScript SDKs
    assert AddOnConfig.model_validate({"torchpass": {"enabled": True}}).to_wire() == {"torchpass": {"enabled": True}}
    cluster = client.create_cluster(cluster_request(add_ons=[AddOn(add_on_type=AddOnType.DASHBOARD, name="dash")]))
    updated = client.update_cluster(cluster.cluster_id, request)
    assert updated.add_ons == []  # only enabled add-ons are returned


def test_volume_co_location(emu: EmulatorProcess, client: TogetherClient) -> None:
    cluster = client.create_cluster(cluster_request("host"))
    volume = client.create_volume(volume_request("near", instance_cluster_id=cluster.cluster_id))
    (state,) = [v for v in emu.admin.state()["volumes"] if v["volume_id"] == volume.volume_id]
    assert state["instance_cluster_id"] == cluster.cluster_id
