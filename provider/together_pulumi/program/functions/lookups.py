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

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any

import pulumi

from ...api import errors
from ...api.enums import ClusterStatus
from ...model import credentials
from ...model.cluster.fields import CLUSTER_FIELDS
from ...model.cluster.report import cluster_report, reported
from ...model.fields import Field, ListOf, ObjectType, field_map
from ..args import (
    RESULT_CLASSES,
    ClusterInfo,
    ClusterVolumeInfo,
    ControlPlaneNodeInfo,
    GpuWorkerNodeInfo,
    NodeRemediationInfo,
    SharedVolumeInfo,
)
from .common import FunctionError, FunctionSpec, api_client, listing, output_of, project_for, where

if TYPE_CHECKING:
    from ...api.client import TogetherClient
    from ...api.models import Cluster, Volume

__all__ = [
    "CLUSTER_INFO",
    "FUNCTIONS",
    "RESULTS",
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

# --- what they return: tables (the schema's and the generated ...Info classes' source) -----------


def _as_looked_up(f: Field, description: str, *, required: bool = False) -> Field:
    """A cluster input as a lookup reports it: read back from the API, so enums are plain strings
    (the service may report values newer than this package)."""
    kind = str if isinstance(f.type, type) and issubclass(f.type, Enum) else f.type
    return dataclasses.replace(
        f, type=kind, description=description, required=required, default=None, input=False, computed=False
    )


_INPUT = field_map(CLUSTER_FIELDS)

CLUSTER_INFO = ObjectType(
    "ClusterInfo",
    "A cluster as a lookup reports it: what it is, its nodes and their health, and how to reach it.",
    (
        # The inputs a lookup reads back; every output of the GpuCluster table follows.
        _as_looked_up(_INPUT["cluster_name"], "Name of the cluster.", required=True),
        _as_looked_up(_INPUT["region"], "Region.", required=True),
        _as_looked_up(_INPUT["gpu_type"], "GPU type of every node.", required=True),
        _as_looked_up(_INPUT["cluster_type"], "KUBERNETES or SLURM.", required=True),
        _as_looked_up(_INPUT["num_gpus"], "Number of GPUs (8 per node).", required=True),
        _as_looked_up(
            _INPUT["billing_type"], "ON_DEMAND, RESERVED or SCHEDULED_CAPACITY; null when the API did not say."
        ),
        _as_looked_up(_INPUT["project_id"], "Project that owns the cluster."),
        _as_looked_up(_INPUT["nvidia_version_id"], "Driver catalogue entry."),
        _as_looked_up(_INPUT["cuda_version"], "CUDA version."),
        _as_looked_up(_INPUT["nvidia_driver_version"], "NVIDIA driver version."),
        *(f for f in CLUSTER_FIELDS if not f.input),
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

#: The tables of what lookups return; ``make schema`` generates their classes into ``args.py``.
RESULTS = (CLUSTER_INFO, SHARED_VOLUME_INFO)


def _result(kind: ObjectType, values: Mapping[str, Any]) -> Any:
    """The generated ``...Info`` object of ``kind`` from reported values (nested dicts and lists)."""
    return RESULT_CLASSES[kind.name](**{f.name: _attribute(f, values.get(f.name)) for f in kind.fields})


def _attribute(f: Field, value: Any) -> Any:
    if f.secret:
        return pulumi.Output.secret(value)
    kind = f.type
    if value is None:
        return None
    if isinstance(kind, ObjectType):
        return _result(kind, value)
    if isinstance(kind, ListOf):
        item = kind.item
        return tuple(_result(item, v) if isinstance(item, ObjectType) else v for v in value)
    return value


def cluster_info(cluster: Cluster) -> ClusterInfo:
    """A looked-up cluster from the API's answer (what a GpuCluster would report about it)."""
    values = {f.name: reported(cluster, f) for f in CLUSTER_INFO.fields}
    found = _result(CLUSTER_INFO, {**values, **cluster_report(cluster)})
    assert isinstance(found, ClusterInfo)
    return found


def volume_info(volume: Volume) -> SharedVolumeInfo:
    """A looked-up volume from the API's answer."""
    found = _result(SHARED_VOLUME_INFO, {f.name: reported(volume, f) for f in SHARED_VOLUME_INFO.fields})
    assert isinstance(found, SharedVolumeInfo)
    return found


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
    return f". {project} is not a project this API key can use; its projects: {credentials.describe_projects(projects)}"


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
        get_cluster,
    ),
    FunctionSpec(
        "listClusters",
        "Every cluster of a project (not those being deleted). In Python: `together_pulumi.list_clusters()` or "
        "`list_clusters_output()`.",
        (_PROJECT,),
        (Field("clusters", ListOf(CLUSTER_INFO), "The clusters.", required=True),),
        list_clusters,
    ),
    FunctionSpec(
        "getSharedVolume",
        "A shared volume made anywhere, by `volumeId` or by `volumeName` within a project. In Python: "
        "`together_pulumi.get_shared_volume(...)` or `get_shared_volume_output(...)`.",
        (Field("volume_id", str, "ID of the volume."), Field("volume_name", str, "Name of the volume."), _PROJECT),
        SHARED_VOLUME_INFO.fields,
        get_shared_volume,
    ),
    FunctionSpec(
        "listSharedVolumes",
        "Every shared volume of a project. In Python: `together_pulumi.list_shared_volumes()` or "
        "`list_shared_volumes_output()`.",
        (_PROJECT,),
        (Field("volumes", ListOf(SHARED_VOLUME_INFO), "The volumes.", required=True),),
        list_shared_volumes,
    ),
)
