"""Clusters: the create and update bodies (strict) and the ``Cluster`` answer (lenient)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ..enums import BillingType, ClusterType, DcgmDiagLevel, GpuType, LoadBalancer
from ._base import Request, Response
from .remediations import Remediation
from .volumes import VolumeCreateRequest

__all__ = [
    "AcceptanceTestsParams",
    "AddOn",
    "AddOnConfig",
    "AddOnUpdate",
    "Cluster",
    "ClusterConfig",
    "ClusterCreateRequest",
    "ClusterUpdateRequest",
    "ControlPlaneNode",
    "EnabledFlag",
    "GpuWorkerNode",
    "NodeLifecycleEvent",
    "OidcConfig",
    "PhaseTransition",
    "SharedVolumeCreate",
    "SlurmStartupScripts",
    "VolumeRef",
]


# --- requests ------------------------------------------------------------------------------------


class EnabledFlag(Request):
    """``{"enabled": bool}``, the shape of every add-on and feature toggle."""

    enabled: bool | None = None


class AddOnConfig(Request):
    """Per-type add-on configuration."""

    dashboard: EnabledFlag | None = None
    ingress: EnabledFlag | None = None
    headlamp: EnabledFlag | None = None
    slurm_web: EnabledFlag | None = None
    torchpass: EnabledFlag | None = None


class AddOn(Request):
    """An add-on enabled at create time."""

    add_on_type: str  # a free string in SDK 3.1.1; AddOnType lists the known ones
    name: str
    config: AddOnConfig | None = None


class AddOnUpdate(Request):
    """An add-on changed by an update: named like an existing one; its config is merged."""

    name: str
    config: AddOnConfig | None = None


class SlurmStartupScripts(Request):
    """Slurm lifecycle scripts; saving them triggers a live Slurm reconfigure."""

    controller_prolog: str | None = None
    controller_epilog: str | None = None
    worker_prolog: str | None = None
    worker_epilog: str | None = None
    login_init_script: str | None = None
    nodeset_init_script: str | None = None
    extra_slurm_conf: str | None = None


class ClusterConfig(Request):
    """Cluster software configuration."""

    load_balancer: LoadBalancer
    gpu_operator_version: str | None = None
    network_operator_version: str | None = None
    jumphost_enabled: bool | None = None
    kubernetes_dashboard_enabled: bool | None = None
    ssh_ca_enabled: bool | None = None
    ingress: EnabledFlag | None = None
    observability: EnabledFlag | None = None
    slurm_startup_scripts: SlurmStartupScripts | None = None


class OidcConfig(Request):
    """OIDC authentication for the cluster's Kubernetes API; fixed at create time."""

    issuer_url: str
    client_id: str
    username_claim: str
    username_prefix: str
    group_claim: str
    group_prefix: str
    ca_cert: str | None = None


class AcceptanceTestsParams(Request):
    """GPU acceptance tests run during bring-up."""

    enabled: bool | None = None
    dcgm_diag_level: DcgmDiagLevel | None = None
    dcgm_diag_skipped: bool | None = None
    gpu_burn_skipped: bool | None = None
    gpu_burn_duration: int | None = None
    nccl_single_node_skipped: bool | None = None
    nccl_multi_node_skipped: bool | None = None
    storage_skipped: bool | None = None


#: A volume created together with the cluster: the same body as a volume's own create.
SharedVolumeCreate = VolumeCreateRequest


class ClusterCreateRequest(Request):
    """Body of ``POST /v1/compute/clusters``."""

    cluster_name: str
    region: str
    gpu_type: GpuType
    num_gpus: int
    billing_type: BillingType
    cluster_type: ClusterType | None = None
    nvidia_version_id: str | None = None
    cuda_version: str | None = None
    nvidia_driver_version: str | None = None
    duration_days: int | None = None
    reservation_start_time: datetime | None = None
    reservation_end_time: datetime | None = None
    num_reserved_gpus: int | None = None
    num_preemptible_gpus: int | None = None
    capacity_pool_id: str | None = None
    num_capacity_pool_gpus: int | None = None
    project_id: str | None = None
    volume_id: str | None = None
    shared_volume: SharedVolumeCreate | None = None
    slurm_shm_size_gib: int | None = None
    slurm_image: str | None = None
    install_traefik: bool | None = None
    auto_scale: bool | None = None
    auto_scale_max_gpus: int | None = None
    oidc_config: OidcConfig | None = None
    acceptance_tests_params: AcceptanceTestsParams | None = None
    add_ons: list[AddOn] | None = None
    cluster_config: ClusterConfig | None = None


class ClusterUpdateRequest(Request):
    """Body of ``PUT /v1/compute/clusters/{cluster_id}``: omitted fields are kept by the server."""

    num_gpus: int | None = None
    cluster_type: ClusterType | None = None
    num_reserved_gpus: int | None = None
    num_preemptible_gpus: int | None = None
    num_capacity_pool_gpus: int | None = None
    reservation_end_time: datetime | None = None
    add_ons: list[AddOnUpdate] | None = None
    cluster_config: ClusterConfig | None = None


# --- responses -----------------------------------------------------------------------------------


class PhaseTransition(Response):
    """One entry of a cluster's or node's phase history."""

    phase: str
    transition_time: datetime


class ControlPlaneNode(Response):
    """A control plane node."""

    node_id: str
    host_name: str
    status: str
    num_cpu_cores: int = 0
    memory_gib: float = 0.0
    network: str = ""
    public_ipv4: str | None = None
    phase_transitions: list[PhaseTransition] = Field(default_factory=list)


class GpuWorkerNode(Response):
    """A GPU worker node (8 GPUs on every node type offered today); also a deleted one."""

    node_id: str
    host_name: str
    status: str
    num_gpus: int = 0
    num_cpu_cores: int = 0
    memory_gib: float = 0.0
    networks: list[str] = Field(default_factory=list)
    instance_id: str | None = None
    public_ipv4: str | None = None
    slurm_worker_hostname: str | None = None
    ephemeral_storage: str | None = None
    ib_hca_count: int | None = None
    ib_hca_type: str | None = None
    nvswitch_count: int | None = None
    nvswitch_type: str | None = None
    auto_remediation_enabled: bool | None = None
    marked_for_deletion: bool | None = None
    #: Only on ``deleted_gpu_worker_nodes``: when it left the live data plane.
    deleted_at: datetime | None = None
    latest_remediation: Remediation | None = None
    phase_transitions: list[PhaseTransition] = Field(default_factory=list)


class NodeLifecycleEvent(Response):
    """A node joining, leaving or being preempted or remediated (``TogetherScaledUp``, ...)."""

    node_id: str
    reason: str
    message: str = ""
    timestamp: datetime | None = None


class VolumeRef(Response):
    """A volume as listed on a cluster."""

    volume_id: str
    volume_name: str
    size_tib: int
    status: str


class Cluster(Response):
    """A GPU cluster as the server reports it."""

    cluster_id: str
    cluster_name: str
    cluster_type: str
    region: str
    gpu_type: str
    num_gpus: int
    status: str
    #: Required in SDK 3.1.1, but answered only since 2026-05-14 (Go SDK history): a
    #: response without it is unknown (None), never guessed (a reserved cluster is not on demand).
    billing_type: str | None = None
    cuda_version: str = ""
    nvidia_driver_version: str = ""
    nvidia_driver_version_id: str | None = None
    kube_config: str = ""
    project_id: str = ""
    num_reserved_gpus: int = 0
    num_capacity_pool_gpus: int = 0
    desired_preemptible_gpus: int = 0
    allocated_preemptible_gpus: int = 0
    num_cpu_workers: int = 0
    control_plane_nodes: list[ControlPlaneNode] = Field(default_factory=list)
    gpu_worker_nodes: list[GpuWorkerNode] = Field(default_factory=list)
    #: Nodes that left the live data plane; not live capacity.
    deleted_gpu_worker_nodes: list[GpuWorkerNode] = Field(default_factory=list)
    node_lifecycle_events: list[NodeLifecycleEvent] = Field(default_factory=list)
    volumes: list[VolumeRef] = Field(default_factory=list)
    add_ons: list[dict[str, Any]] = Field(default_factory=list)
    phase_transitions: list[PhaseTransition] = Field(default_factory=list)
    capacity_pool_id: str | None = None
    cluster_config: dict[str, Any] | None = None
    oidc_config: dict[str, Any] | None = None
    control_plane_ready: bool | None = None
    created_at: datetime | None = None
    first_ready_at: datetime | None = None
    reservation_start_time: datetime | None = None
    reservation_end_time: datetime | None = None
    slurm_shm_size_gib: int | None = None
    install_traefik: bool | None = None
    duration_hours: int | None = None
    os_image: str | None = None
    machine_cluster_id: str | None = None
    is_in_substrate: bool | None = None
    ums_org_id: str | None = None
    ums_project_id: str | None = None
