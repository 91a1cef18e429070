"""The two children of a :class:`~.component.GpuCluster`, as the program registers them.

Each is a dynamic resource: the program builds it with its provider object, which the engine pickles
into the state and runs in the provider host (``together_pulumi.host.cluster``). Their engine type
names (``Cluster``, ``ClusterReadiness``) are stored in every stack: see ``together_pulumi.contract``.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from ...contract import CLUSTER_PART_NAME, CLUSTER_READINESS_NAME, DYNAMIC_MODULE
from ...host.cluster.provider import ClusterProvider
from ...host.cluster.readiness import ClusterReadinessProvider
from ...model.cluster.fields import READINESS_OUTPUTS

__all__ = ["ClusterPart", "ClusterReadinessPart"]


class ClusterPart(Resource, module=DYNAMIC_MODULE, name=CLUSTER_PART_NAME):
    """Records the cluster: created (or adopted), updated, refreshed and deleted by :class:`ClusterProvider`."""

    cluster_name: pulumi.Output[str]
    num_gpus: pulumi.Output[int]
    cluster_type: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ClusterProvider(), name, props, opts)


class ClusterReadinessPart(Resource, module=DYNAMIC_MODULE, name=CLUSTER_READINESS_NAME):
    """Waits for Ready and reports the cluster (:class:`ClusterReadinessProvider`)."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ClusterReadinessProvider(), name, {**props, **{k: None for k in READINESS_OUTPUTS}}, opts)
