"""Lookups (data sources): clusters and shared volumes made in the console, by the CLI or another stack.

``get_cluster`` (by id, or by name within a project), ``list_clusters``, ``get_shared_volume`` (by id
or name), ``list_shared_volumes``, each with an ``_output`` form; see :mod:`.functions` for how
functions run, find their settings and fail. Without ``project_id`` a lookup by name or a list
looks in the default project (``together:projectId`` / ``TOGETHER_PROJECT_ID``), else in every
project the key can see. A cluster being deleted is never found by its name.

A looked-up cluster reports what a ``GpuCluster`` reports (:func:`.cluster.report.cluster_report`):
nodes with their health, the Kubernetes endpoint and CA, Slurm host names; its ``kubeconfig`` is a
secret ``pulumi.Output``, in both forms. The API does not report a volume's region or project, so a
looked-up volume does not either.

```python
other = together.get_cluster_output(cluster_name="train", project_id="proj-research")
k8s = kubernetes.Provider("train", kubeconfig=other.kubeconfig)          # stays secret
data = together.SharedVolume("data", region=other.region, size_tib=4, instance_cluster_id=other.cluster_id)
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi

from ..api import errors
from ..api.enums import ClusterStatus
from . import session
from .cluster.report import cluster_report
from .cluster.types import CLUSTER_VOLUME, CONTROL_PLANE_NODE, GPU_WORKER_NODE
from .fields import Field, ListOf, ObjectType
from .functions import FunctionError, FunctionSpec, api_client, listing, output_of, project_for, where

if TYPE_CHECKING:
    from ..api.client import TogetherClient
    from ..api.models import Cluster, Volume

__all__ = [
    "CLUSTER_INFO",
    "FUNCTIONS",
    "SHARED_VOLUME_INFO",
    "ClusterInfo",
    "ClusterVolumeInfo",
    "ControlPlaneNodeInfo",
    "GpuWorkerNodeInfo",
    "NodeRemediationInfo",
    "SharedVolumeInfo",
    "get_cluster",
    "get_cluster_output",
    "get_shared_volume",
    "get_shared_volume_output",
    "list_clusters",
    "list_clusters_output",
    "list_shared_volumes",
    "list_shared_volumes_output",
]

# --- what they return: the schema's tables, and their typed Python form ---------------------------

CLUSTER_INFO = ObjectType(
    "ClusterInfo",
    "A cluster as a lookup reports it: what it is, its nodes and their health, and how to reach it.",
    (
        Field("cluster_id", str, "ID of the cluster.", required=True),
        Field("cluster_name", str, "Name of the cluster.", required=True),
        Field("region", str, "Region.", required=True),
        Field("gpu_type", str, "GPU type of every node.", required=True),
        Field("cluster_type", str, "KUBERNETES or SLURM.", required=True),
        Field("num_gpus", int, "Number of GPUs (8 per node).", required=True),
        Field("status", str, "Status, e.g. Ready.", required=True),
        Field("billing_type", str, "ON_DEMAND, RESERVED or SCHEDULED_CAPACITY; null when the API did not say."),
        Field("project_id", str, "Project that owns the cluster."),
        Field("nvidia_version_id", str, "Driver catalogue entry."),
        Field("cuda_version", str, "CUDA version."),
        Field("nvidia_driver_version", str, "NVIDIA driver version."),
        Field("num_nodes", int, "Number of GPU worker nodes.", required=True),
        Field("control_plane_nodes", ListOf(CONTROL_PLANE_NODE), "Control plane nodes.", required=True),
        Field("gpu_worker_nodes", ListOf(GPU_WORKER_NODE), "GPU worker nodes with their health.", required=True),
        Field("volumes", ListOf(CLUSTER_VOLUME), "Attached shared volumes.", required=True),
        Field("kubernetes_endpoint", str, "URL of the Kubernetes API server (from the kubeconfig)."),
        Field("kubernetes_ca_certificate", str, "PEM CA certificate of the Kubernetes API server."),
        Field("slurm_worker_hostnames", ListOf(str), "SLURM only: the workers' host names in Slurm.", required=True),
        Field("created_at", str, "Creation time (RFC 3339)."),
        Field("first_ready_at", str, "When it first became Ready (RFC 3339)."),
        Field(
            "kubeconfig",
            str,
            "Admin kubeconfig (YAML); empty until the control plane is up. Always secret.",
            required=True,
            secret=True,
        ),
    ),
)

SHARED_VOLUME_INFO = ObjectType(
    "SharedVolumeInfo",
    "A shared volume as a lookup reports it (the API reports no region or project for a volume).",
    (
        Field("volume_id", str, "ID of the volume.", required=True),
        Field("volume_name", str, "Name of the volume.", required=True),
        Field("size_tib", int, "Size in TiB.", required=True),
        Field("status", str, "Status: available, bound, provisioning, ...", required=True),
    ),
)


@dataclass(frozen=True)
class NodeRemediationInfo:
    """The latest remediation of a node (the whole of it: :func:`get_remediation`)."""

    id: str | None
    mode: str | None
    state: str | None
    trigger: str | None


@dataclass(frozen=True)
class ControlPlaneNodeInfo:
    """A control plane node."""

    node_id: str
    host_name: str
    status: str
    network: str | None
    public_ipv4: str | None


@dataclass(frozen=True)
class GpuWorkerNodeInfo:
    """A GPU worker node and its health (``status``, ``latest_remediation``)."""

    node_id: str
    host_name: str
    status: str
    num_gpus: int
    instance_id: str | None
    networks: tuple[str, ...]
    public_ipv4: str | None
    slurm_worker_hostname: str | None
    auto_remediation_enabled: bool | None
    marked_for_deletion: bool | None
    latest_remediation: NodeRemediationInfo | None


@dataclass(frozen=True)
class ClusterVolumeInfo:
    """A volume attached to a cluster."""

    volume_id: str
    volume_name: str
    size_tib: int
    status: str


@dataclass(frozen=True)
class ClusterInfo:
    """A looked-up cluster. ``kubeconfig`` is a secret ``pulumi.Output`` (never plain text)."""

    cluster_id: str
    cluster_name: str
    region: str
    gpu_type: str
    cluster_type: str
    num_gpus: int
    status: str
    billing_type: str | None
    project_id: str | None
    nvidia_version_id: str | None
    cuda_version: str | None
    nvidia_driver_version: str | None
    num_nodes: int
    control_plane_nodes: tuple[ControlPlaneNodeInfo, ...]
    gpu_worker_nodes: tuple[GpuWorkerNodeInfo, ...]
    volumes: tuple[ClusterVolumeInfo, ...]
    kubernetes_endpoint: str | None
    kubernetes_ca_certificate: str | None
    slurm_worker_hostnames: tuple[str, ...]
    created_at: str | None
    first_ready_at: str | None
    kubeconfig: pulumi.Output[str] = field(repr=False)


@dataclass(frozen=True)
class SharedVolumeInfo:
    """A looked-up shared volume."""

    volume_id: str
    volume_name: str
    size_tib: int
    status: str


def cluster_info(cluster: Cluster) -> ClusterInfo:
    """A looked-up cluster from the API's answer (what a GpuCluster would report about it)."""
    report = cluster_report(cluster)
    workers = tuple(
        GpuWorkerNodeInfo(
            **{**n, "networks": tuple(n["networks"]), "latest_remediation": _remediation(n["latest_remediation"])}
        )
        for n in report["gpu_worker_nodes"]
    )
    return ClusterInfo(
        cluster_id=cluster.cluster_id,
        cluster_name=cluster.cluster_name,
        region=cluster.region,
        gpu_type=cluster.gpu_type,
        cluster_type=cluster.cluster_type,
        num_gpus=cluster.num_gpus,
        status=cluster.status,
        billing_type=cluster.billing_type,
        project_id=cluster.project_id or None,
        nvidia_version_id=cluster.nvidia_driver_version_id,
        cuda_version=cluster.cuda_version or None,
        nvidia_driver_version=cluster.nvidia_driver_version or None,
        num_nodes=report["num_nodes"],
        control_plane_nodes=tuple(ControlPlaneNodeInfo(**n) for n in report["control_plane_nodes"]),
        gpu_worker_nodes=workers,
        volumes=tuple(ClusterVolumeInfo(**v) for v in report["volumes"]),
        kubernetes_endpoint=report["kubernetes_endpoint"],
        kubernetes_ca_certificate=report["kubernetes_ca_certificate"],
        slurm_worker_hostnames=tuple(report["slurm_worker_hostnames"]),
        created_at=report["created_at"],
        first_ready_at=report["first_ready_at"],
        kubeconfig=pulumi.Output.secret(report["kubeconfig"]),
    )


def _remediation(value: Any) -> NodeRemediationInfo | None:
    return NodeRemediationInfo(**value) if isinstance(value, Mapping) else None


def volume_info(volume: Volume) -> SharedVolumeInfo:
    """A looked-up volume from the API's answer."""
    return SharedVolumeInfo(volume.volume_id, volume.volume_name, volume.size_tib, volume.status)


# --- clusters --------------------------------------------------------------------------------------


def get_cluster(
    cluster_id: str | None = None,
    *,
    cluster_name: str | None = None,
    project_id: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
) -> ClusterInfo:
    """One cluster, by ``cluster_id`` or by ``cluster_name`` (within ``project_id``, else the default
    project, else every project the key can see). Raises :class:`FunctionError` naming what exists
    when there is none, and when several clusters have the name."""
    name = "get_cluster"
    if (cluster_id is None) == (cluster_name is None):
        raise FunctionError(f"{name}: give cluster_id or cluster_name (one of them)")
    with api_client(name, api_key, base_url) as client:
        if cluster_id is not None:
            found = client.find_cluster(cluster_id)
            if found is None:
                visible = client.list_clusters()
                raise FunctionError(
                    f"{name}: no cluster {cluster_id} is visible to this API key; it sees "
                    f"{listing(visible, _cluster_label)}"
                )
            return cluster_info(found)
        project = project_for(project_id)
        listed = client.list_clusters(project)
        named = [c for c in listed if c.cluster_name == cluster_name]
        live = [c for c in named if c.status != ClusterStatus.DELETING]
        if len(live) == 1:
            return cluster_info(live[0])
        if live:
            raise FunctionError(
                f"{name}: {len(live)} clusters {where(project)} are named {cluster_name!r}: "
                f"{listing(live, _cluster_detail)}; look it up by cluster_id instead"
            )
        deleting = f" ({len(named)} of that name being deleted)" if named else ""
        others = [c for c in listed if c.status != ClusterStatus.DELETING]
        raise FunctionError(
            f"{name}: no cluster named {cluster_name!r} {where(project)}{deleting}; clusters there: "
            f"{listing(others, _cluster_label)}{_project_hint(client, project, listed)}"
        )


def get_cluster_output(
    cluster_id: pulumi.Input[str] | None = None,
    *,
    cluster_name: pulumi.Input[str] | None = None,
    project_id: pulumi.Input[str] | None = None,
    api_key: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
) -> pulumi.Output[ClusterInfo]:
    """:func:`get_cluster` as a ``pulumi.Output``; arguments may be Outputs. Its attributes lift
    (``get_cluster_output(...).cluster_id``); ``.kubeconfig`` is a secret Output."""
    return output_of(
        get_cluster, cluster_id, cluster_name=cluster_name, project_id=project_id, api_key=api_key, base_url=base_url
    )


def list_clusters(
    project_id: str | None = None, *, api_key: str | None = None, base_url: str | None = None
) -> list[ClusterInfo]:
    """Every cluster of ``project_id`` (else the default project, else every project the key can see),
    except those being deleted."""
    with api_client("list_clusters", api_key, base_url) as client:
        listed = client.list_clusters(project_for(project_id))
    return [cluster_info(c) for c in listed if c.status != ClusterStatus.DELETING]


def list_clusters_output(
    project_id: pulumi.Input[str] | None = None,
    *,
    api_key: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
) -> pulumi.Output[list[ClusterInfo]]:
    """:func:`list_clusters` as a ``pulumi.Output``."""
    return output_of(list_clusters, project_id, api_key=api_key, base_url=base_url)


def _cluster_label(cluster: Cluster) -> str:
    return f"{cluster.cluster_name} ({cluster.cluster_id})"


def _cluster_detail(cluster: Cluster) -> str:
    return f"{cluster.cluster_id} ({cluster.region}, {cluster.status}, created {cluster.created_at or '?'})"


def _project_hint(client: TogetherClient, project: str | None, listed: list[Any]) -> str:
    """Nothing found in a project: say so when the key cannot use that project at all."""
    if project is None or listed:
        return ""
    try:
        projects = client.list_projects()
    except errors.TogetherError:
        return ""
    if any(p.id == project for p in projects):
        return ""
    return f". {project} is not a project this API key can use; its projects: {session.describe_projects(projects)}"


# --- shared volumes --------------------------------------------------------------------------------


def get_shared_volume(
    volume_id: str | None = None,
    *,
    volume_name: str | None = None,
    project_id: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
) -> SharedVolumeInfo:
    """One shared volume, by ``volume_id`` or by ``volume_name`` (within ``project_id``, else the
    default project, else every project the key can see)."""
    name = "get_shared_volume"
    if (volume_id is None) == (volume_name is None):
        raise FunctionError(f"{name}: give volume_id or volume_name (one of them)")
    with api_client(name, api_key, base_url) as client:
        if volume_id is not None:
            found = client.find_volume(volume_id)
            if found is None:
                visible = client.list_volumes()
                raise FunctionError(
                    f"{name}: no volume {volume_id} is visible to this API key; it sees "
                    f"{listing(visible, _volume_label)}"
                )
            return volume_info(found)
        project = project_for(project_id)
        listed = client.list_volumes(project)
        named = [v for v in listed if v.volume_name == volume_name]
        if len(named) == 1:
            return volume_info(named[0])
        if named:
            raise FunctionError(
                f"{name}: {len(named)} volumes {where(project)} are named {volume_name!r}: "
                f"{listing(named, _volume_label)}; look it up by volume_id instead"
            )
        raise FunctionError(
            f"{name}: no volume named {volume_name!r} {where(project)}; volumes there: "
            f"{listing(listed, _volume_label)}{_project_hint(client, project, listed)}"
        )


def get_shared_volume_output(
    volume_id: pulumi.Input[str] | None = None,
    *,
    volume_name: pulumi.Input[str] | None = None,
    project_id: pulumi.Input[str] | None = None,
    api_key: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
) -> pulumi.Output[SharedVolumeInfo]:
    """:func:`get_shared_volume` as a ``pulumi.Output``; arguments may be Outputs."""
    return output_of(
        get_shared_volume, volume_id, volume_name=volume_name, project_id=project_id, api_key=api_key, base_url=base_url
    )


def list_shared_volumes(
    project_id: str | None = None, *, api_key: str | None = None, base_url: str | None = None
) -> list[SharedVolumeInfo]:
    """Every shared volume of ``project_id`` (else the default project, else every project the key can see)."""
    with api_client("list_shared_volumes", api_key, base_url) as client:
        listed = client.list_volumes(project_for(project_id))
    return [volume_info(v) for v in listed]


def list_shared_volumes_output(
    project_id: pulumi.Input[str] | None = None,
    *,
    api_key: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
) -> pulumi.Output[list[SharedVolumeInfo]]:
    """:func:`list_shared_volumes` as a ``pulumi.Output``."""
    return output_of(list_shared_volumes, project_id, api_key=api_key, base_url=base_url)


def _volume_label(volume: Volume) -> str:
    return f"{volume.volume_name} ({volume.volume_id})"


# --- the schema ------------------------------------------------------------------------------------

_PROJECT = Field(
    "project_id",
    str,
    "Project to look in (by name) or list; default: together:projectId, else every project the key can see.",
)

FUNCTIONS = (
    FunctionSpec(
        "getCluster",
        "A cluster made anywhere (the console, the CLI, another stack), by `clusterId` or by `clusterName` "
        "within a project. Fails naming what exists when there is none, or when several have the name. "
        "In Python: `together_pulumi.get_cluster(...)` or `get_cluster_output(...)`.",
        (Field("cluster_id", str, "ID of the cluster."), Field("cluster_name", str, "Name of the cluster."), _PROJECT),
        CLUSTER_INFO.fields,
    ),
    FunctionSpec(
        "listClusters",
        "Every cluster of a project (not those being deleted). In Python: `together_pulumi.list_clusters()` or "
        "`list_clusters_output()`.",
        (_PROJECT,),
        (Field("clusters", ListOf(CLUSTER_INFO), "The clusters.", required=True),),
    ),
    FunctionSpec(
        "getSharedVolume",
        "A shared volume made anywhere, by `volumeId` or by `volumeName` within a project. In Python: "
        "`together_pulumi.get_shared_volume(...)` or `get_shared_volume_output(...)`.",
        (Field("volume_id", str, "ID of the volume."), Field("volume_name", str, "Name of the volume."), _PROJECT),
        SHARED_VOLUME_INFO.fields,
    ),
    FunctionSpec(
        "listSharedVolumes",
        "Every shared volume of a project. In Python: `together_pulumi.list_shared_volumes()` or "
        "`list_shared_volumes_output()`.",
        (_PROJECT,),
        (Field("volumes", ListOf(SHARED_VOLUME_INFO), "The volumes.", required=True),),
    ),
)
