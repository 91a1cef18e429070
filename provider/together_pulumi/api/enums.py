"""The API's enumerations, as string enums (members compare equal to their strings).

Response models hold plain strings; compare them with these. Kept apart from the pydantic models so
that a Pulumi program, which needs only these names, does not load the wire layer.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AddOnType",
    "BillingType",
    "ClusterStatus",
    "ClusterType",
    "DcgmDiagLevel",
    "GpuType",
    "LoadBalancer",
    "RemediationMode",
    "RemediationState",
    "RemediationTrigger",
    "VolumeStatus",
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
    """Add-on types known today. ``add_on_type`` itself is a free string (SDK 3.1.1 ``AddOn``), so
    the server may take others; these are the config keys of the 3.1.1 SDK plus ``torchpass``, which
    the Go and TypeScript SDKs still list."""

    DASHBOARD = "dashboard"
    INGRESS = "ingress"
    HEADLAMP = "headlamp"
    SLURM_WEB = "slurm_web"
    TORCHPASS = "torchpass"


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


class RemediationMode(StrEnum):
    """How a node remediation is carried out."""

    #: Delete the VM and provision a new one on any available host.
    VM_ONLY = "REMEDIATION_MODE_VM_ONLY"
    #: Cordon the host, delete the VM, provision a new one on a different host.
    HOST_AWARE = "REMEDIATION_MODE_HOST_AWARE"
    #: Evict the VM without a replacement.
    EVICT_WITHOUT_REPLACEMENT = "REMEDIATION_MODE_EVICT_WITHOUT_REPLACEMENT"
    #: Reboot the VM in place.
    REBOOT_VM = "REMEDIATION_MODE_REBOOT_VM"
    #: Cordon and power-cycle the bare-metal host, keeping host and node identity (not an approval override).
    HOST_POWER_CYCLE = "REMEDIATION_MODE_HOST_POWER_CYCLE"


class RemediationState(StrEnum):
    """Where a remediation is in its lifecycle; the server may send others."""

    PENDING_APPROVAL = "PENDING_APPROVAL"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    AUTO_RESOLVED = "AUTO_RESOLVED"
    QUARANTINING = "QUARANTINING"
    QUARANTINED = "QUARANTINED"


class RemediationTrigger(StrEnum):
    """Who started a remediation: a user (manual) or the system (automated, needs approval)."""

    MANUAL = "REMEDIATION_TRIGGER_MANUAL"
    AUTOMATED = "REMEDIATION_TRIGGER_AUTOMATED"
