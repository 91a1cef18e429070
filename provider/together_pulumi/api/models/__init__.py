"""Pydantic models of the wire format (``/v1/compute``, ``/v1/projects``, ``/v3/whoami``).

Shapes follow the official ``together`` SDK 3.1.1, one module per area. Two rules:

* Response models are lenient: unknown fields are kept, and enum-like fields are plain strings, so a
  new GPU type or status from the server never breaks a ``pulumi refresh``. Compare them with the
  enums of :mod:`..enums` (``StrEnum`` members compare equal to their strings).
* Request models are strict: unknown fields and unknown enum values are rejected before anything is
  sent.
"""

from ..enums import (
    AddOnType,
    BillingType,
    ClusterStatus,
    ClusterType,
    DcgmDiagLevel,
    GpuType,
    LoadBalancer,
    RemediationMode,
    RemediationState,
    RemediationTrigger,
    VolumeStatus,
)
from ._base import Request, Response
from .clusters import (
    AcceptanceTestsParams,
    AddOn,
    AddOnConfig,
    AddOnUpdate,
    Cluster,
    ClusterConfig,
    ClusterCreateRequest,
    ClusterUpdateRequest,
    ControlPlaneNode,
    EnabledFlag,
    GpuWorkerNode,
    NodeLifecycleEvent,
    OidcConfig,
    PhaseTransition,
    SharedVolumeCreate,
    SlurmStartupScripts,
    VolumeRef,
)
from .identity import Identity, IdentityApiKey, IdentityOrganization, IdentityProject, IdentityUser, Project
from .regions import DriverVersion, Region
from .remediations import (
    FINAL_REMEDIATION_STATES,
    LinkedAlert,
    LinkedAlertAnnotation,
    LinkedAlertSlurmNodeUnavailable,
    LinkedAlertXid,
    LinkedAlertXidEvent,
    Remediation,
    RemediationApproveRequest,
    RemediationCreateRequest,
    RemediationListQuery,
    RemediationPage,
    RemediationRejectRequest,
)
from .volumes import Volume, VolumeCreateRequest, VolumeUpdateRequest

__all__ = [
    "FINAL_REMEDIATION_STATES",
    "AcceptanceTestsParams",
    "AddOn",
    "AddOnConfig",
    "AddOnType",
    "AddOnUpdate",
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
    "LinkedAlert",
    "LinkedAlertAnnotation",
    "LinkedAlertSlurmNodeUnavailable",
    "LinkedAlertXid",
    "LinkedAlertXidEvent",
    "LoadBalancer",
    "NodeLifecycleEvent",
    "OidcConfig",
    "PhaseTransition",
    "Project",
    "Region",
    "Remediation",
    "RemediationApproveRequest",
    "RemediationCreateRequest",
    "RemediationListQuery",
    "RemediationMode",
    "RemediationPage",
    "RemediationRejectRequest",
    "RemediationState",
    "RemediationTrigger",
    "Request",
    "Response",
    "SharedVolumeCreate",
    "SlurmStartupScripts",
    "Volume",
    "VolumeCreateRequest",
    "VolumeRef",
    "VolumeStatus",
    "VolumeUpdateRequest",
]
