"""What a cluster reports: its status, its nodes and their health, and how to reach it.

One function, :func:`cluster_report`, turns a cluster as the API returns it into the values a
``GpuCluster`` outputs (via its readiness step) and a looked-up cluster carries (``get_cluster``), so
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

from .fields import GPUS_PER_NODE

if TYPE_CHECKING:
    from ...api.models import Cluster, ControlPlaneNode, GpuWorkerNode, Remediation

__all__ = ["KubernetesAccess", "cluster_report", "decode_kubeconfig", "iso_time", "kubernetes_access", "live_gpus"]


@dataclass(frozen=True)
class KubernetesAccess:
    """Where the cluster's Kubernetes API is, and the certificate that signs it (both public)."""

    endpoint: str | None = None
    ca_certificate: str | None = None


def cluster_report(cluster: Cluster) -> dict[str, Any]:
    """The reported (output-only) values of a cluster, keyed like the GpuCluster outputs."""
    kubeconfig = decode_kubeconfig(cluster.kube_config)
    access = kubernetes_access(kubeconfig)
    workers = [_worker(n) for n in cluster.gpu_worker_nodes]
    return {
        "status": cluster.status,
        "kubeconfig": kubeconfig,
        "kubernetes_endpoint": access.endpoint,
        "kubernetes_ca_certificate": access.ca_certificate,
        "num_nodes": len(cluster.gpu_worker_nodes),
        "control_plane_nodes": [_control_plane(n) for n in cluster.control_plane_nodes],
        "gpu_worker_nodes": workers,
        "slurm_worker_hostnames": [w["slurm_worker_hostname"] for w in workers if w["slurm_worker_hostname"]],
        "volumes": [v.model_dump(include={"volume_id", "volume_name", "size_tib", "status"}) for v in cluster.volumes],
        "created_at": iso_time(cluster.created_at),
        "first_ready_at": iso_time(cluster.first_ready_at),
    }


def _control_plane(node: ControlPlaneNode) -> dict[str, Any]:
    return {
        "node_id": node.node_id,
        "host_name": node.host_name,
        "status": node.status,
        "network": node.network or None,
        "public_ipv4": node.public_ipv4,
    }


def _worker(node: GpuWorkerNode) -> dict[str, Any]:
    return {
        "node_id": node.node_id,
        "host_name": node.host_name,
        "status": node.status,
        "num_gpus": node.num_gpus,
        "instance_id": node.instance_id,
        "networks": list(node.networks),
        "public_ipv4": node.public_ipv4,
        "slurm_worker_hostname": node.slurm_worker_hostname,
        "auto_remediation_enabled": node.auto_remediation_enabled,
        "marked_for_deletion": node.marked_for_deletion,
        "latest_remediation": _remediation(node.latest_remediation),
    }


def _remediation(found: Remediation | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"id": found.id, "mode": found.mode, "state": found.state, "trigger": found.trigger}


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
