"""Wire layer for Together's Instant Clusters API: a typed httpx client, pydantic models, errors.

Knows nothing of Pulumi. Start with :class:`TogetherClient`; errors are in :mod:`.errors`. The names
below load on first use, so that importing a light module of this package (``api.enums``,
``api.errors``, as a Pulumi program does) does not load httpx and pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


#: Where each name lives (everything not listed is in .models).
_MODULES = {
    "errors": ".errors",
    "DEFAULT_BASE_URL": ".client",
    "RetryPolicy": ".client",
    "TogetherClient": ".client",
    "normalize_base_url": ".client",
    "ALL_INSTANCES": ".remediations",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_MODULES.get(name, ".models"), __name__)
    return module if name == "errors" else getattr(module, name)
