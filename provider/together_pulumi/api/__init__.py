"""Wire layer for Together's Instant Clusters API: a typed httpx client, pydantic models, errors.

Knows nothing of Pulumi. Start with :class:`TogetherClient`; errors are in :mod:`.errors`.
"""

from . import errors
from .client import DEFAULT_BASE_URL, RetryPolicy, TogetherClient, normalize_base_url
from .models import (
    BillingType,
    Cluster,
    ClusterCreateRequest,
    ClusterStatus,
    ClusterType,
    ClusterUpdateRequest,
    GpuType,
    Identity,
    Project,
    Region,
    Remediation,
    RemediationApproveRequest,
    RemediationCreateRequest,
    RemediationListQuery,
    RemediationMode,
    RemediationPage,
    RemediationRejectRequest,
    RemediationState,
    RemediationTrigger,
    Volume,
    VolumeCreateRequest,
    VolumeStatus,
    VolumeUpdateRequest,
)
from .remediations import ALL_INSTANCES

__all__ = [
    "ALL_INSTANCES",
    "DEFAULT_BASE_URL",
    "BillingType",
    "Cluster",
    "ClusterCreateRequest",
    "ClusterStatus",
    "ClusterType",
    "ClusterUpdateRequest",
    "GpuType",
    "Identity",
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
    "RetryPolicy",
    "TogetherClient",
    "Volume",
    "VolumeCreateRequest",
    "VolumeStatus",
    "VolumeUpdateRequest",
    "errors",
    "normalize_base_url",
]
