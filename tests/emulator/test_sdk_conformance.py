"""Conformance with the official ``together`` 3.1.1 SDK, the ground truth for wire shapes.

The SDK treats ``base_url`` as a host (default ``https://api.together.ai``) and its paths carry
``/v1`` (``/v1/compute/clusters``...), so the emulator's base URL is its bare host. Responses are
parsed by the SDK as usual (lenient) and the raw JSON is validated strictly against the SDK models:
every required field present, types exact, enums valid, and no field the SDK does not know.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import together
from together.types import Cluster, ClusterDeleteResponse, ClusterListRegionsResponse, ClusterListResponse
from together.types.clusters import ClusterStorage, StorageDeleteResponse, StorageListResponse

from emulator_inprocess import InProcessEmulator
from emulator_process import EmulatorProcess

from ._helpers import strict


@pytest.fixture
def sdk(app_emu: InProcessEmulator) -> Iterator[together.Together]:
    with app_emu.sdk() as client:
        yield client


def test_base_url_is_a_host(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over a real socket: the SDK's default transport and TOGETHER_BASE_URL reach the emulator."""
    with together.Together(api_key="test-key", base_url=emu.base_url, max_retries=0) as sdk:
        raw = sdk.clusters.with_raw_response.list_regions()
    assert raw.http_request.url.path == "/v1/compute/regions"
    monkeypatch.setenv("TOGETHER_BASE_URL", emu.base_url)
    monkeypatch.setenv("TOGETHER_API_KEY", "from-env")
    with together.Together(max_retries=0) as from_env:
        assert from_env.clusters.list_regions().regions
    assert emu.admin.requests_log()["counts"]["GET /v1/compute/regions"] == 2


def test_regions(sdk: together.Together) -> None:
    raw = sdk.clusters.with_raw_response.list_regions()
    parsed = raw.parse()
    assert isinstance(parsed, ClusterListRegionsResponse)
    strict(ClusterListRegionsResponse, raw.text())
    names = [r.name for r in parsed.regions]
    assert "us-central-8" in names


def test_cluster_and_volume_round_trip(sdk: together.Together) -> None:
    raw_volume = sdk.clusters.storage.with_raw_response.create(volume_name="data", size_tib=2, region="us-central-8")
    volume = raw_volume.parse()
    assert isinstance(volume, ClusterStorage)
    strict(ClusterStorage, raw_volume.text())

    raw_cluster = sdk.clusters.with_raw_response.create(
        cluster_name="sdk",
        region="us-central-8",
        gpu_type="H100_SXM",
        num_gpus=16,
        billing_type="ON_DEMAND",
        nvidia_version_id="nv-us-central-8-cu128-570-u2204",
        volume_id=volume.volume_id,
        cluster_type="KUBERNETES",
        add_ons=[{"add_on_type": "dashboard", "name": "dash", "config": {"dashboard": {"enabled": True}}}],
        cluster_config={"load_balancer": "TRAEFIK", "slurm_startup_scripts": {"worker_prolog": "echo hi"}},
        oidc_config={
            "client_id": "kube",
            "issuer_url": "https://issuer.example.com/",
            "username_claim": "email",
            "username_prefix": "oidc:",
            "group_claim": "groups",
            "group_prefix": "oidc:",
        },
    )
    created = raw_cluster.parse()
    assert isinstance(created, Cluster)
    strict(Cluster, raw_cluster.text())
    assert created.status == "WaitingForControlPlaneNodes"

    raw_ready = sdk.clusters.with_raw_response.retrieve(created.cluster_id)
    ready = raw_ready.parse()
    strict(Cluster, raw_ready.text())  # now with nodes, kube_config, add-ons, volumes, timestamps
    assert ready.status == "Ready"
    assert ready.gpu_worker_nodes and ready.control_plane_nodes and ready.kube_config
    assert ready.volumes[0].volume_id == volume.volume_id and ready.volumes[0].status == "bound"
    assert ready.first_ready_at is not None and ready.created_at is not None

    raw_updated = sdk.clusters.with_raw_response.update(
        created.cluster_id, num_gpus=8, add_ons=[{"name": "dash", "config": {"dashboard": {"enabled": True}}}]
    )
    strict(Cluster, raw_updated.text())
    assert raw_updated.parse().num_gpus == 8
    scaled = sdk.clusters.with_raw_response.retrieve(created.cluster_id)
    strict(Cluster, scaled.text())  # deleted_gpu_worker_nodes and node_lifecycle_events populated
    assert scaled.parse().deleted_gpu_worker_nodes

    raw_list = sdk.clusters.with_raw_response.list()
    assert isinstance(raw_list.parse(), ClusterListResponse)
    strict(ClusterListResponse, raw_list.text())
    assert [c.cluster_id for c in sdk.clusters.list(project_id="proj-emulator").clusters] == [created.cluster_id]
    assert sdk.clusters.list(project_id="other").clusters == []

    raw_volumes = sdk.clusters.storage.with_raw_response.list()
    strict(StorageListResponse, raw_volumes.text())
    raw_resized = sdk.clusters.storage.with_raw_response.update(volume_id=volume.volume_id, size_tib=3)
    strict(ClusterStorage, raw_resized.text())
    assert raw_resized.parse().size_tib == 3
    assert sdk.clusters.storage.retrieve(volume.volume_id).status == "bound"

    with pytest.raises(together.ConflictError):
        sdk.clusters.storage.delete(volume.volume_id)

    raw_deleted = sdk.clusters.with_raw_response.delete(created.cluster_id)
    strict(ClusterDeleteResponse, raw_deleted.text())
    assert raw_deleted.parse().cluster_id == created.cluster_id
    with pytest.raises(together.NotFoundError):
        sdk.clusters.retrieve(created.cluster_id)

    raw_vdel = sdk.clusters.storage.with_raw_response.delete(volume.volume_id)
    strict(StorageDeleteResponse, raw_vdel.text())
    assert raw_vdel.parse().success is True
    with pytest.raises(together.NotFoundError):
        sdk.clusters.storage.retrieve(volume.volume_id)


def test_every_optional_shape(sdk: together.Together) -> None:
    """Reserved, Slurm, capacity pool, preemptible, inline volume: all still parse strictly."""
    reserved = sdk.clusters.create(
        cluster_name="r",
        region="us-west-1",
        gpu_type="B200_SXM",
        num_gpus=8,
        billing_type="RESERVED",
        duration_days=7,
        cuda_version="12.8",
        nvidia_driver_version="570",
        cluster_type="SLURM",
        slurm_shm_size_gib=64,
        num_preemptible_gpus=8,
        project_id="proj-emulator",
        shared_volume={"region": "us-west-1", "size_tib": 1, "volume_name": "inline"},
    )
    pooled = sdk.clusters.create(
        cluster_name="p",
        region="us-east-2",
        gpu_type="H100_SXM_INF",
        num_gpus=16,
        billing_type="SCHEDULED_CAPACITY",
        reservation_start_time="2020-01-01T00:00:00Z",
        reservation_end_time="2099-01-01T00:00:00Z",
        nvidia_version_id="nv-us-east-2-cu129-575-u2204",
        capacity_pool_id="cp-1",
        num_capacity_pool_gpus=8,
        install_traefik=True,
    )
    for cluster_id in (reserved.cluster_id, pooled.cluster_id):
        raw = sdk.clusters.with_raw_response.retrieve(cluster_id)
        cluster = strict(Cluster, raw.text())
        assert isinstance(cluster, Cluster) and cluster.status == "Ready"
    assert sdk.clusters.retrieve(reserved.cluster_id).gpu_worker_nodes[0].slurm_worker_hostname


def test_errors_map_to_sdk_exceptions(app_emu: InProcessEmulator, sdk: together.Together) -> None:
    with pytest.raises(together.BadRequestError) as bad:
        sdk.clusters.create(
            cluster_name="x",
            region="us-central-8",
            gpu_type="H100_SXM",
            num_gpus=12,
            billing_type="ON_DEMAND",
            nvidia_version_id="nv-us-central-8-cu128-570-u2204",
        )
    assert "num_gpus" in str(bad.value)
    app_emu.admin.set_capacity("us-central-8", "H100_SXM", 0)
    app_emu.admin.clear_requests()
    with app_emu.sdk(max_retries=2) as retrying, pytest.raises(together.ConflictError):
        retrying.clusters.create(
            cluster_name="x",
            region="us-central-8",
            gpu_type="H100_SXM",
            num_gpus=8,
            billing_type="ON_DEMAND",
            nvidia_version_id="nv-us-central-8-cu128-570-u2204",
        )
    # x-should-retry: false stops the SDK's default retries on 409
    assert app_emu.admin.requests_log()["counts"] == {"POST /v1/compute/clusters": 1}


def test_sdk_retries_429_with_retry_after(emu: EmulatorProcess) -> None:
    emu.admin.set_faults(rate_429=0.5, retry_after_seconds=0.01, seed=3)
    with together.Together(api_key="k", base_url=emu.base_url, max_retries=10) as client:
        for _ in range(5):
            assert client.clusters.list_regions().regions
    statuses = [e["status"] for e in emu.admin.requests_log()["requests"]]
    assert 429 in statuses and statuses.count(200) == 5
