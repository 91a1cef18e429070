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
    Volume,
    VolumeCreateRequest,
    VolumeStatus,
    VolumeUpdateRequest,
)

__all__ = [
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
    "RetryPolicy",
    "TogetherClient",
    "Volume",
    "VolumeCreateRequest",
    "VolumeStatus",
    "VolumeUpdateRequest",
    "errors",
    "normalize_base_url",
]
