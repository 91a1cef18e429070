"""What a cluster reports: its status, its nodes and their health, and how to reach it.

One function, :func:`cluster_report`, turns a cluster as the API returns it into the values a
``GpuCluster`` outputs (via its readiness part) and a looked-up cluster carries (``get_cluster``), so
both report the same things in the same shape.

Node fields are chosen for operating the cluster, not copied wholesale: ids and host names (to
reach a node and to address a remediation), status and the latest remediation (health), networks and
the public address, and the Slurm host name. Hardware constants (CPU cores, memory, InfiniBand and
NVSwitch counts, ephemeral storage) follow from the GPU type, and phase histories grow with every
reboot, so they stay out of the stack state.

The Kubernetes API endpoint and CA certificate are parsed from the kubeconfig, so a user can connect
without parsing it; the CA certificate is public, the kubeconfig (which holds the token) is secret.
The API reports no Slurm login host (the SDK's cluster has no such field), only each worker's Slurm
host name.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import yaml

from ..fields import Field, FieldType, ListOf, ObjectType, field_map
from .fields import CLUSTER_FIELDS, GPUS_PER_NODE, READINESS_OUTPUTS

if TYPE_CHECKING:
    from ...api.models import Cluster

__all__ = [
    "KubernetesAccess",
    "cluster_report",
    "decode_kubeconfig",
    "iso_time",
    "kubernetes_access",
    "live_gpus",
    "reported",
]

_OUTPUTS = field_map(CLUSTER_FIELDS)


@dataclass(frozen=True)
class KubernetesAccess:
    """Where the cluster's Kubernetes API is, and the certificate that signs it (both public)."""

    endpoint: str | None = None
    ca_certificate: str | None = None


def cluster_report(cluster: Cluster) -> dict[str, Any]:
    """The reported (output-only) values of a cluster, keyed like the GpuCluster outputs.

    Each output of the table is read from the API's cluster under its name (:func:`reported`), except
    the few derived here: an output the API reports under the same name needs no line of code.
    """
    kubeconfig = decode_kubeconfig(cluster.kube_config)
    access = kubernetes_access(kubeconfig)
    workers = cluster.gpu_worker_nodes
    derived: dict[str, Any] = {
        "kubeconfig": kubeconfig,
        "kubernetes_endpoint": access.endpoint,
        "kubernetes_ca_certificate": access.ca_certificate,
        "num_nodes": len(workers),
        "slurm_worker_hostnames": [n.slurm_worker_hostname for n in workers if n.slurm_worker_hostname],
    }
    return {name: derived[name] if name in derived else reported(cluster, _OUTPUTS[name]) for name in READINESS_OUTPUTS}


def reported(source: Any, field: Field) -> Any:
    """``field`` read from an API model (or a dict of one) under its name (or ``reported_as``), as
    outputs hold it: nested objects as dicts of their table's fields, lists as lists, times as
    RFC 3339 strings, and an optional string the API leaves empty (proto3's unset) as None."""
    name = field.reported_as or field.name
    value = source.get(name) if isinstance(source, Mapping) else getattr(source, name, None)
    if value == "" and not field.required:
        return None
    return _as_output(value, field.type)


def _as_output(value: Any, kind: FieldType) -> Any:
    if value is None:
        return None
    if isinstance(kind, ObjectType):
        return {f.name: reported(value, f) for f in kind.fields}
    if isinstance(kind, ListOf):
        return [_as_output(item, kind.item) for item in value]
    if isinstance(value, datetime):
        return iso_time(value)
    return value


def decode_kubeconfig(encoded: str) -> str:
    """The kubeconfig YAML from the API's base64 ``kube_config`` ("" while there is none yet)."""
    if not encoded:
        return ""
    try:
        return base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return encoded  # already plain YAML


def kubernetes_access(kubeconfig: str) -> KubernetesAccess:
    """The API server and CA of the kubeconfig's current context (else its first cluster).

    Never raises: a kubeconfig that is missing or not what we expect gives empty values (and its
    text, which holds a token, never reaches an error message).
    """
    if not kubeconfig:
        return KubernetesAccess()
    try:
        document = yaml.safe_load(kubeconfig)
    except yaml.YAMLError:
        return KubernetesAccess()
    if not isinstance(document, Mapping):
        return KubernetesAccess()
    entry = _cluster_entry(document)
    if entry is None:
        return KubernetesAccess()
    server = entry.get("server")
    return KubernetesAccess(
        endpoint=server if isinstance(server, str) and server else None,
        ca_certificate=_certificate(entry.get("certificate-authority-data")),
    )


def _named(items: Any, name: Any) -> Mapping[str, Any] | None:
    """The entry called ``name`` of a kubeconfig list (``clusters``, ``contexts``)."""
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and item.get("name") == name:
            return item
    return None


def _cluster_entry(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    clusters = document.get("clusters")
    context = _named(document.get("contexts"), document.get("current-context"))
    wanted = (context.get("context") or {}).get("cluster") if context else None
    chosen = _named(clusters, wanted) if wanted is not None else None
    if chosen is None and isinstance(clusters, list) and clusters and isinstance(clusters[0], Mapping):
        chosen = clusters[0]
    entry = chosen.get("cluster") if chosen else None
    return entry if isinstance(entry, Mapping) else None


def _certificate(data: Any) -> str | None:
    """``certificate-authority-data`` is base64 of the PEM; the PEM text is what tools take."""
    if not isinstance(data, str) or not data:
        return None
    try:
        return base64.b64decode(data, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return data


def iso_time(value: datetime | None) -> str | None:
    """RFC 3339 in UTC to the second, as the outputs report times."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def live_gpus(cluster: Cluster) -> int:
    """GPUs on the cluster's live worker nodes."""
    return sum(n.num_gpus or GPUS_PER_NODE for n in cluster.gpu_worker_nodes)
