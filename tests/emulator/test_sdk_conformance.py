"""Conformance with the official ``together`` 3.1.1 SDK, the ground truth for wire shapes.

Every SDK method of clusters, storage, regions, remediations, whoami and projects is called
against the emulator with ``_strict_response_validation=True`` (the SDK validates each answer
instead of constructing it), and each raw answer is also validated strictly against the SDK
model: every required field present, types exact, enums valid, no field the SDK does not know.

The SDK treats ``base_url`` as a host (default ``https://api.together.ai``) and its paths carry
``/v1`` (``/v1/compute/clusters``...), so the emulator's base URL is its bare host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import together
from together.types import (
    Cluster,
    ClusterDeleteResponse,
    ClusterListRegionsResponse,
    ClusterListResponse,
    Project,
    WhoamiProjectAPIKey,
)
from together.types.cluster import ControlPlaneNode, GPUWorkerNode
from together.types.clusters import (
    ClusterStorage,
    Remediation,
    RemediationListResponse,
    StorageDeleteResponse,
    StorageListResponse,
)

from emulator_inprocess import InProcessEmulator
from emulator_process import EmulatorProcess

from ._helpers import strict
from .conftest import MakeAppEmu

DRIVER = "nv-us-central-8-cu128-570-u2204"
OIDC = {
    "client_id": "kube",
    "issuer_url": "https://issuer.example.com/",
    "username_claim": "email",
    "username_prefix": "oidc:",
    "group_claim": "groups",
    "group_prefix": "oidc:",
    "ca_cert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
}
#: Every field of the SDK's ClusterConfig.
CLUSTER_CONFIG: dict[str, Any] = {
    "load_balancer": "TRAEFIK",
    "gpu_operator_version": "v24.6.2",
    "network_operator_version": "v24.7.0",
    "jumphost_enabled": True,
    "kubernetes_dashboard_enabled": False,
    "ssh_ca_enabled": True,
    "ingress": {"enabled": True},
    "observability": {"enabled": False},
    "slurm_startup_scripts": {
        "controller_prolog": "true",
        "controller_epilog": "true",
        "worker_prolog": "echo hi",
        "worker_epilog": "true",
        "login_init_script": "true",
        "nodeset_init_script": "true",
        "extra_slurm_conf": "# nothing",
    },
}
#: One of each add-on of the 3.1.1 SDK.
ADD_ONS: list[Any] = [
    {"add_on_type": kind, "name": kind, "config": {kind: {"enabled": True}}}
    for kind in ("dashboard", "ingress", "headlamp", "slurm_web")
]


@pytest.fixture
def sdk(app_emu: InProcessEmulator) -> Iterator[together.Together]:
    with app_emu.sdk(_strict_response_validation=True) as client:
        yield client


def _base(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cluster_name": "sdk",
        "region": "us-central-8",
        "gpu_type": "H100_SXM",
        "num_gpus": 16,
        "billing_type": "ON_DEMAND",
        "nvidia_version_id": DRIVER,
    }
    body.update(overrides)
    return body


def _retrieve(sdk: together.Together, cluster_id: str) -> Cluster:
    return strict(Cluster, sdk.clusters.with_raw_response.retrieve(cluster_id).text())


# --- regions, identity ------------------------------------------------------------------------------


def test_regions(sdk: together.Together) -> None:
    regions = strict(ClusterListRegionsResponse, sdk.clusters.with_raw_response.list_regions().text())
    assert "us-central-8" in [r.name for r in regions.regions]
    assert sdk.clusters.list_regions() == regions


def test_whoami_and_projects(app_emu: InProcessEmulator, sdk: together.Together) -> None:
    identity = strict(WhoamiProjectAPIKey, sdk.with_raw_response.whoami().text())
    assert sdk.whoami() == identity
    app_emu.admin.set_projects("proj-emulator", "proj-b")
    page = sdk.projects.list(limit=1)
    assert [p.id for p in page.data] == ["proj-emulator"] and page.next_cursor == "proj-emulator"
    assert all(isinstance(p, Project) for p in page.data)
    assert [p.id for p in sdk.projects.list(limit=1)] == ["proj-emulator", "proj-b"]


# --- clusters ---------------------------------------------------------------------------------------


def test_cluster_methods_with_every_optional_object(app_emu: InProcessEmulator, sdk: together.Together) -> None:
    volume = strict(
        ClusterStorage,
        sdk.clusters.storage.with_raw_response.create(volume_name="data", size_tib=2, region="us-central-8").text(),
    )
    raw = sdk.clusters.with_raw_response.create(
        **_base(
            volume_id=volume.volume_id,
            cluster_type="KUBERNETES",
            add_ons=ADD_ONS,
            cluster_config=CLUSTER_CONFIG,
            oidc_config=OIDC,
            install_traefik=True,
            auto_scale=True,
            auto_scale_max_gpus=32,
            acceptance_tests_params={
                "enabled": True,
                "dcgm_diag_level": "DCGM_DIAG_LEVEL_SHORT",
                "gpu_burn_duration": 60,
            },
        )
    )
    created = strict(Cluster, raw.text())
    assert created.status == "WaitingForControlPlaneNodes"
    assert created.cluster_config is not None and created.cluster_config.model_dump(exclude_none=True) == CLUSTER_CONFIG
    ready = _retrieve(sdk, created.cluster_id)  # now with nodes, kube_config, add-ons, volumes, timestamps
    assert ready.status == "Ready" and ready.kube_config and ready.control_plane_nodes
    assert ready.volumes[0].volume_id == volume.volume_id and ready.volumes[0].status == "bound"
    assert sorted(a.add_on_type for a in ready.add_ons) == ["dashboard", "headlamp", "ingress", "slurm_web"]
    assert sdk.clusters.retrieve(created.cluster_id) == ready

    updated = strict(
        Cluster,
        sdk.clusters.with_raw_response.update(
            created.cluster_id,
            num_gpus=8,
            cluster_config={"load_balancer": "NGINX", "ssh_ca_enabled": False},
            add_ons=[{"name": "headlamp", "config": {"headlamp": {"enabled": False}}}],
        ).text(),
    )
    assert updated.num_gpus == 8 and "headlamp" not in [a.name for a in updated.add_ons]
    scaled = _retrieve(sdk, created.cluster_id)
    assert scaled.deleted_gpu_worker_nodes and scaled.node_lifecycle_events

    listed = strict(ClusterListResponse, sdk.clusters.with_raw_response.list().text())
    assert [c.cluster_id for c in listed.clusters] == [created.cluster_id]
    assert [c.cluster_id for c in sdk.clusters.list(project_id="proj-emulator").clusters] == [created.cluster_id]
    assert sdk.clusters.list(project_id="other").clusters == []

    deleted = strict(ClusterDeleteResponse, sdk.clusters.with_raw_response.delete(created.cluster_id).text())
    assert deleted.cluster_id == created.cluster_id
    with pytest.raises(together.NotFoundError):
        sdk.clusters.retrieve(created.cluster_id)


@pytest.mark.parametrize(
    "overrides",
    [
        {"billing_type": "RESERVED", "duration_days": 7, "num_reserved_gpus": 8},
        {
            "billing_type": "SCHEDULED_CAPACITY",
            "reservation_start_time": "2020-01-01T00:00:00Z",
            "reservation_end_time": "2099-01-01T00:00:00Z",
        },
        {"cluster_type": "SLURM", "slurm_shm_size_gib": 64, "slurm_image": "img:1", "add_ons": ADD_ONS[3:]},
        {"capacity_pool_id": "cp-1", "num_capacity_pool_gpus": 8},
        {"num_preemptible_gpus": 8, "project_id": "proj-emulator"},
        {"shared_volume": {"region": "us-central-8", "size_tib": 1, "volume_name": "inline"}},
        {"nvidia_version_id": None, "cuda_version": "12.8", "nvidia_driver_version": "570"},
        {"acceptance_tests_params": {"enabled": False}},
    ],
    ids=[
        "reserved",
        "scheduled",
        "slurm",
        "capacity-pool",
        "preemptible",
        "inline-volume",
        "legacy-driver",
        "no-tests",
    ],
)
def test_every_shape_parses_strictly(sdk: together.Together, overrides: dict[str, Any]) -> None:
    body = {k: v for k, v in _base(**overrides).items() if v is not None}
    created = strict(Cluster, sdk.clusters.with_raw_response.create(**body).text())
    ready = _retrieve(sdk, created.cluster_id)
    assert ready.status == "Ready"
    if overrides.get("cluster_type") == "SLURM":
        assert all(n.slurm_worker_hostname for n in ready.gpu_worker_nodes) and ready.slurm_shm_size_gib == 64
    if "num_preemptible_gpus" in overrides:
        assert ready.allocated_preemptible_gpus == 8 and len(ready.gpu_worker_nodes) == 3


def test_nodes_carry_every_field_the_sdk_defines(app_emu: InProcessEmulator, sdk: together.Together) -> None:
    cluster = _retrieve(sdk, sdk.clusters.create(**_base(cluster_type="SLURM", slurm_shm_size_gib=64)).cluster_id)
    first = cluster.gpu_worker_nodes[0]
    sdk.clusters.remediations.create(
        first.instance_id or "", cluster_id=cluster.cluster_id, mode="REMEDIATION_MODE_VM_ONLY"
    )
    with app_emu.client() as client:
        raw = client.get(f"/v1/compute/clusters/{cluster.cluster_id}").json()
    worker_fields = set(GPUWorkerNode.model_fields)
    for node in raw["gpu_worker_nodes"]:
        assert set(node) == worker_fields - {"deleted_at", "latest_remediation"}  # a live, unremediated node
    (replaced,) = raw["deleted_gpu_worker_nodes"]  # the remediation (0 s here) replaced the first node
    assert set(replaced) == worker_fields
    assert set(raw["control_plane_nodes"][0]) == set(ControlPlaneNode.model_fields)


@pytest.mark.parametrize(
    "status",
    [
        "WaitingForControlPlaneNodes",
        "WaitingForDataPlaneNodes",
        "WaitingForSubnet",
        "WaitingForSharedVolume",
        "InstallingDrivers",
        "RunningAcceptanceTests",
        "Paused",
        "OnDemandComputePaused",
        "Ready",
        "Degraded",
        "Deleting",
    ],
)
def test_every_status_the_sdk_knows(make_app_emu: MakeAppEmu, status: str) -> None:
    emu = make_app_emu(deletion_seconds=60)  # so that a Deleting cluster stays a while
    with emu.sdk(_strict_response_validation=True) as sdk:
        cluster = sdk.clusters.create(**_base())
        emu.admin.set_cluster_status(cluster.cluster_id, status)
        forced = _retrieve(sdk, cluster.cluster_id)
    assert forced.status == status
    phase = "".join(f"_{ch}" if ch.isupper() and i else ch for i, ch in enumerate(status)).upper()
    assert forced.phase_transitions[-1].phase == f"CLUSTER_PHASE_{phase}"


# --- storage -----------------------------------------------------------------------------------------


def test_storage_methods(app_emu: InProcessEmulator, sdk: together.Together) -> None:
    cluster = sdk.clusters.create(**_base(num_gpus=8))
    raw = sdk.clusters.storage.with_raw_response.create(
        volume_name="data",
        size_tib=2,
        region="us-central-8",
        is_lifecycle_independent=True,
        project_id="proj-emulator",
        instance_cluster_id=cluster.cluster_id,
    )
    volume = strict(ClusterStorage, raw.text())
    assert volume.size_tib == 2
    assert strict(ClusterStorage, sdk.clusters.storage.with_raw_response.retrieve(volume.volume_id).text()) == volume
    assert sdk.clusters.storage.retrieve(volume.volume_id) == volume
    listed = strict(StorageListResponse, sdk.clusters.storage.with_raw_response.list().text())
    assert [v.volume_id for v in listed.volumes] == [volume.volume_id]
    assert sdk.clusters.storage.list(project_id="other").volumes == []
    resized = strict(
        ClusterStorage, sdk.clusters.storage.with_raw_response.update(volume_id=volume.volume_id, size_tib=3).text()
    )
    assert resized.size_tib == 3
    deleted = strict(StorageDeleteResponse, sdk.clusters.storage.with_raw_response.delete(volume.volume_id).text())
    assert deleted.success is True
    with pytest.raises(together.NotFoundError):
        sdk.clusters.storage.retrieve(volume.volume_id)


# --- remediations ----------------------------------------------------------------------------------


def test_remediation_methods(make_app_emu: MakeAppEmu) -> None:
    app_emu = make_app_emu(remediation_seconds=60)  # they stay PENDING while the test looks
    sdk = app_emu.sdk(_strict_response_validation=True)
    cluster = _retrieve(sdk, sdk.clusters.create(**_base(num_gpus=24)).cluster_id)
    cid = cluster.cluster_id
    a, b, c = (n.instance_id or "" for n in cluster.gpu_worker_nodes)
    remediations = sdk.clusters.remediations

    created = strict(
        Remediation,
        remediations.with_raw_response.create(a, cluster_id=cid, mode="REMEDIATION_MODE_VM_ONLY", reason="x").text(),
    )
    assert created.state == "PENDING"
    got = strict(Remediation, remediations.with_raw_response.retrieve(created.id, cluster_id=cid, instance_id=a).text())
    assert got.id == created.id
    cancelled = strict(
        Remediation, remediations.with_raw_response.cancel(created.id, cluster_id=cid, instance_id=a).text()
    )
    assert cancelled.state == "CANCELLED"

    proposed = app_emu.admin.health_event(cid, b)
    approved = strict(
        Remediation,
        remediations.with_raw_response.approve(
            proposed["id"], cluster_id=cid, instance_id=b, comment="ok", mode="REMEDIATION_MODE_REBOOT_VM"
        ).text(),
    )
    assert approved.state == "PENDING" and approved.linked_alerts
    other = app_emu.admin.health_event(cid, c)
    rejected = strict(
        Remediation,
        remediations.with_raw_response.reject(other["id"], cluster_id=cid, instance_id=c, comment="no").text(),
    )
    assert rejected.state == "CANCELLED"

    query: dict[str, Any] = {
        "state": ["CANCELLED", "PENDING", "SUCCEEDED"],
        "mode": ["REMEDIATION_MODE_VM_ONLY", "REMEDIATION_MODE_REBOOT_VM"],
        "trigger": ["REMEDIATION_TRIGGER_MANUAL", "REMEDIATION_TRIGGER_AUTOMATED"],
        "order_by": "create_time",
        "page_size": 2,
    }
    page = strict(RemediationListResponse, remediations.with_raw_response.list("-", cluster_id=cid, **query).text())
    assert page.has_next and len(page.remediations) == 2
    rest = remediations.list("-", cluster_id=cid, page_token=page.next_page_token, **query)
    assert len(rest.remediations) == 1 and not rest.has_next
    # nodes carry their latest remediation, strictly parsed with the cluster
    nodes = {n.instance_id: n for n in _retrieve(sdk, cid).gpu_worker_nodes}
    latest = nodes[b].latest_remediation
    assert latest is not None and latest.id == proposed["id"]


# --- errors and retries ------------------------------------------------------------------------------


def test_errors_map_to_sdk_exceptions(app_emu: InProcessEmulator, sdk: together.Together) -> None:
    with pytest.raises(together.BadRequestError) as bad:
        sdk.clusters.create(**_base(num_gpus=12))
    assert "num_gpus" in str(bad.value)
    with pytest.raises(together.PermissionDeniedError):
        sdk.clusters.create(**_base(project_id="proj-other"))
    with pytest.raises(together.NotFoundError):
        sdk.clusters.remediations.retrieve("r", cluster_id="t-nope", instance_id="i")


def test_sdk_does_not_retry_a_conflict_retrying_cannot_fix(make_app_emu: MakeAppEmu) -> None:
    """Every 409 carries x-should-retry: false, so the SDK (2 retries by default) sends it once."""
    app_emu = make_app_emu(deletion_seconds=60)
    with app_emu.sdk(max_retries=2) as sdk:
        volume = sdk.clusters.storage.create(volume_name="v", size_tib=1, region="us-central-8")
        cluster = _retrieve(sdk, sdk.clusters.create(**_base(volume_id=volume.volume_id)).cluster_id)
        instance = cluster.gpu_worker_nodes[0].instance_id or ""
        app_emu.admin.health_event(cluster.cluster_id, instance)
        app_emu.admin.set_capacity("us-central-8", "H200_SXM", 0)
        app_emu.admin.clear_requests()
        conflicts: list[Callable[[], object]] = [
            lambda: sdk.clusters.storage.delete(volume.volume_id),  # bound to the cluster
            lambda: sdk.clusters.create(**_base(gpu_type="H200_SXM")),  # out of stock
            lambda: sdk.clusters.remediations.create(  # an open remediation on the node
                instance, cluster_id=cluster.cluster_id, mode="REMEDIATION_MODE_REBOOT_VM"
            ),
        ]
        for conflict in conflicts:
            with pytest.raises(together.ConflictError):
                conflict()
        sdk.clusters.delete(cluster.cluster_id)  # Deleting for a minute
        with pytest.raises(together.ConflictError):
            sdk.clusters.update(cluster.cluster_id, num_gpus=16)  # being deleted
    statuses = [(e["method"], e["status"]) for e in app_emu.admin.requests_log()["requests"] if e["status"] == 409]
    assert statuses == [("DELETE", 409), ("POST", 409), ("POST", 409), ("PUT", 409)]


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


def test_sdk_retries_429_with_retry_after(emu: EmulatorProcess) -> None:
    emu.admin.set_faults(rate_429=0.5, retry_after_seconds=0.01, seed=3)
    with together.Together(api_key="k", base_url=emu.base_url, max_retries=10) as client:
        for _ in range(5):
            assert client.clusters.list_regions().regions
    statuses = [e["status"] for e in emu.admin.requests_log()["requests"]]
    assert 429 in statuses and statuses.count(200) == 5
