"""Pydantic models of the Instant Clusters wire format (``/v1/compute``).

Shapes follow the official ``together`` SDK 3.1.1. Two rules:

* Response models are lenient: unknown fields are kept, and enum-like fields are plain strings, so a
  new GPU type or status from the server never breaks a ``pulumi refresh``. Compare them with the
  enums below (``StrEnum`` members compare equal to their strings).
* Request models are strict: unknown fields and unknown enum values are rejected before anything is
  sent.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AcceptanceTestsParams",
    "AddOn",
    "AddOnConfig",
    "AddOnType",
    "BillingType",
    "Cluster",
    "ClusterConfig",
    "ClusterCreateRequest",
    "ClusterStatus",
    "ClusterType",
    "ClusterUpdateRequest",
    "ControlPlaneNode",
    "DcgmDiagLevel",
    "DriverVersion",
    "EnabledFlag",
    "GpuType",
    "GpuWorkerNode",
    "Identity",
    "IdentityApiKey",
    "IdentityOrganization",
    "IdentityProject",
    "IdentityUser",
    "LoadBalancer",
    "OidcConfig",
    "PhaseTransition",
    "Project",
    "Region",
    "SharedVolumeCreate",
    "SlurmStartupScripts",
    "Volume",
    "VolumeCreateRequest",
    "VolumeRef",
    "VolumeStatus",
    "VolumeUpdateRequest",
]


class GpuType(StrEnum):
    """GPU types of the API. Every node carries 8 GPUs."""

    H100_SXM = "H100_SXM"
    H200_SXM = "H200_SXM"
    B200_SXM = "B200_SXM"
    B300_SXM = "B300_SXM"
    GB200_SXM = "GB200_SXM"
    H100_SXM_INF = "H100_SXM_INF"
    RTX_6000_PCI = "RTX_6000_PCI"
    L40_PCIE = "L40_PCIE"


class ClusterType(StrEnum):
    """Orchestrator installed on the cluster."""

    KUBERNETES = "KUBERNETES"
    SLURM = "SLURM"


class BillingType(StrEnum):
    """How the cluster is paid for."""

    ON_DEMAND = "ON_DEMAND"
    RESERVED = "RESERVED"
    SCHEDULED_CAPACITY = "SCHEDULED_CAPACITY"


class LoadBalancer(StrEnum):
    """Load balancer installed by ``cluster_config``."""

    NONE = "NONE"
    TRAEFIK = "TRAEFIK"
    NGINX = "NGINX"
    ISTIO = "ISTIO"


class DcgmDiagLevel(StrEnum):
    """Depth of the DCGM diagnostics acceptance test."""

    DCGM_DIAG_LEVEL_SHORT = "DCGM_DIAG_LEVEL_SHORT"
    DCGM_DIAG_LEVEL_MEDIUM = "DCGM_DIAG_LEVEL_MEDIUM"
    DCGM_DIAG_LEVEL_LONG = "DCGM_DIAG_LEVEL_LONG"
    DCGM_DIAG_LEVEL_EXTENDED = "DCGM_DIAG_LEVEL_EXTENDED"


class AddOnType(StrEnum):
    """Add-ons a cluster can carry."""

    DASHBOARD = "dashboard"
    INGRESS = "ingress"
    TORCHPASS = "torchpass"
    HEADLAMP = "headlamp"
    SLURM_WEB = "slurm_web"


class ClusterStatus(StrEnum):
    """Cluster statuses known today; the server may send others."""

    WAITING_FOR_CONTROL_PLANE_NODES = "WaitingForControlPlaneNodes"
    WAITING_FOR_DATA_PLANE_NODES = "WaitingForDataPlaneNodes"
    WAITING_FOR_SUBNET = "WaitingForSubnet"
    WAITING_FOR_SHARED_VOLUME = "WaitingForSharedVolume"
    INSTALLING_DRIVERS = "InstallingDrivers"
    RUNNING_ACCEPTANCE_TESTS = "RunningAcceptanceTests"
    PAUSED = "Paused"
    ON_DEMAND_COMPUTE_PAUSED = "OnDemandComputePaused"
    READY = "Ready"
    DEGRADED = "Degraded"
    DELETING = "Deleting"


class VolumeStatus(StrEnum):
    """Shared volume statuses known today; the server may send others."""

    SCHEDULED = "scheduled"
    PROVISIONING = "provisioning"
    AVAILABLE = "available"
    BOUND = "bound"
    DELETING = "deleting"
    FAILED = "failed"
    ACCESS_REVOKED = "access_revoked"
    UNKNOWN = "unknown"


class _Request(BaseModel):
    """Strict base of what we send: unknown fields and enum values are errors."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON body: only fields that were set, without nulls."""
        return self.model_dump(mode="json", exclude_none=True)


class _Response(BaseModel):
    """Lenient base of what we receive: unknown fields are kept."""

    model_config = ConfigDict(extra="allow")


# --- nested request objects -------------------------------------------------------------------


class EnabledFlag(_Request):
    """``{"enabled": bool}``, the shape of every add-on and feature toggle."""

    enabled: bool | None = None


class AddOnConfig(_Request):
    """Per-type add-on configuration."""

    dashboard: EnabledFlag | None = None
    ingress: EnabledFlag | None = None
    torchpass: EnabledFlag | None = None
    headlamp: EnabledFlag | None = None
    slurm_web: EnabledFlag | None = None


class AddOn(_Request):
    """An add-on enabled at create time, or (without ``add_on_type``) changed by name on update."""

    add_on_type: AddOnType | None = None
    name: str
    config: AddOnConfig | None = None


class SlurmStartupScripts(_Request):
    """Slurm lifecycle scripts; saving them triggers a live Slurm reconfigure."""

    controller_prolog: str | None = None
    controller_epilog: str | None = None
    worker_prolog: str | None = None
    worker_epilog: str | None = None
    login_init_script: str | None = None
    nodeset_init_script: str | None = None
    extra_slurm_conf: str | None = None


class ClusterConfig(_Request):
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


class OidcConfig(_Request):
    """OIDC authentication for the cluster's Kubernetes API; fixed at create time."""

    issuer_url: str
    client_id: str
    username_claim: str
    username_prefix: str
    group_claim: str
    group_prefix: str
    ca_cert: str | None = None


class AcceptanceTestsParams(_Request):
    """GPU acceptance tests run during bring-up."""

    enabled: bool | None = None
    dcgm_diag_level: DcgmDiagLevel | None = None
    dcgm_diag_skipped: bool | None = None
    gpu_burn_skipped: bool | None = None
    gpu_burn_duration: int | None = None
    nccl_single_node_skipped: bool | None = None
    nccl_multi_node_skipped: bool | None = None
    storage_skipped: bool | None = None


class SharedVolumeCreate(_Request):
    """A volume created together with the cluster."""

    volume_name: str
    size_tib: int = Field(ge=1)
    region: str
    is_lifecycle_independent: bool | None = None
    project_id: str | None = None


# --- requests ------------------------------------------------------------------------------------


class ClusterCreateRequest(_Request):
    """Body of ``POST /v1/compute/clusters``."""

    cluster_name: str
    region: str
    gpu_type: GpuType
    num_gpus: int = Field(gt=0)
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


class ClusterUpdateRequest(_Request):
    """Body of ``PUT /v1/compute/clusters/{cluster_id}``: omitted fields are kept by the server."""

    num_gpus: int | None = None
    cluster_type: ClusterType | None = None
    num_reserved_gpus: int | None = None
    num_preemptible_gpus: int | None = None
    num_capacity_pool_gpus: int | None = None
    reservation_end_time: datetime | None = None
    add_ons: list[AddOn] | None = None
    cluster_config: ClusterConfig | None = None


class VolumeCreateRequest(_Request):
    """Body of ``POST /v1/compute/clusters/storage/volumes``."""

    volume_name: str
    size_tib: int = Field(ge=1)
    region: str
    is_lifecycle_independent: bool | None = None
    project_id: str | None = None


class VolumeUpdateRequest(_Request):
    """Body of ``PUT /v1/compute/clusters/storage/volumes`` (the id travels in the body)."""

    volume_id: str
    size_tib: int | None = Field(default=None, ge=1)


# --- responses -----------------------------------------------------------------------------------


class PhaseTransition(_Response):
    """One entry of a cluster's or node's phase history."""

    phase: str
    transition_time: datetime


class ControlPlaneNode(_Response):
    """A control plane node."""

    node_id: str
    host_name: str
    status: str
    num_cpu_cores: int = 0
    memory_gib: float = 0.0
    network: str = ""
    public_ipv4: str | None = None
    phase_transitions: list[PhaseTransition] = Field(default_factory=list)


class GpuWorkerNode(_Response):
    """A GPU worker node (8 GPUs on every node type offered today)."""

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
    phase_transitions: list[PhaseTransition] = Field(default_factory=list)


class VolumeRef(_Response):
    """A volume as listed on a cluster."""

    volume_id: str
    volume_name: str
    size_tib: int
    status: str


class Cluster(_Response):
    """A GPU cluster as the server reports it."""

    cluster_id: str
    cluster_name: str
    cluster_type: str
    region: str
    gpu_type: str
    num_gpus: int
    status: str
    billing_type: str = BillingType.ON_DEMAND.value
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


class Volume(_Response):
    """A shared volume as the server reports it (without region: the API does not return it)."""

    volume_id: str
    volume_name: str
    size_tib: int
    status: str


class DriverVersion(_Response):
    """One NVIDIA driver catalogue entry of a region."""

    id: str = ""
    cuda_version: str
    nvidia_driver_version: str
    os: str = ""


class Region(_Response):
    """A region, the GPU types it offers and its driver catalogue (newest first)."""

    name: str
    supported_instance_types: list[str] = Field(default_factory=list)
    driver_versions: list[DriverVersion] = Field(default_factory=list)


# --- identity ------------------------------------------------------------------------------------


class IdentityApiKey(_Response):
    """The key that made the request (its id, never the key)."""

    id: str


class IdentityOrganization(_Response):
    """The organization a key or user belongs to."""

    id: str
    name: str = ""


class IdentityProject(_Response):
    """The project a key is bound to."""

    id: str
    name: str = ""
    slug: str = ""


class IdentityUser(_Response):
    """The user behind a session token."""

    id: str


class Identity(_Response):
    """``GET /v3/whoami``: who the credentials are.

    ``type`` says which fields are present: ``project_api_key`` (``api_key``, ``organization``,
    ``project``), ``org_api_key`` (``api_key``, ``organization``), or a user session token
    (``user_jwt``, ``user_org_jwt``, ``user_org_project_jwt``: ``user`` and as the name says).
    """

    type: str
    api_key: IdentityApiKey | None = None
    organization: IdentityOrganization | None = None
    project: IdentityProject | None = None
    user: IdentityUser | None = None


class Project(_Response):
    """A project the credentials can use (``GET /v1/projects``); its id is what ``project_id`` takes."""

    id: str
    name: str = ""
    slug: str = ""
    organization_id: str = ""
    organization_name: str = ""
