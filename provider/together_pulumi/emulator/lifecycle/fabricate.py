"""Made-up but plausible things the service would return: ids, nodes and kubeconfigs.

Everything random comes from one seeded stream, which :mod:`.persistence` saves with the state,
so a restarted emulator with the same seed never hands out an id twice.
"""

from __future__ import annotations

import base64
import random
import uuid
from typing import Any

from ..catalog import GPUS_PER_NODE
from ..state.clock import format_ts
from ..state.records import ClusterRecord

__all__ = ["Fabricator", "node_phases"]

# Per-node hardware by GPU type: (CPU cores, memory GiB, IB HCAs). Plausible, not authoritative.
_NODE_SHAPES: dict[str, tuple[int, float, int]] = {
    "H100_SXM": (208, 1843.2, 8),
    "H200_SXM": (208, 2048.0, 8),
    "H100_SXM_INF": (208, 1843.2, 4),
    "B200_SXM": (224, 2867.2, 8),
    "B300_SXM": (224, 3072.0, 8),
    "GB200_SXM": (144, 1740.8, 4),
    "RTX_6000_PCI": (96, 512.0, 0),
    "L40_PCIE": (96, 768.0, 0),
}


def node_phases(since: float, at: float) -> list[dict[str, str]]:
    """A node's history: pending at ``since``, booting halfway, running at ``at``."""
    mid = since + (at - since) / 2
    return [
        {"phase": "NODE_PHASE_PENDING", "transition_time": format_ts(since)},
        {"phase": "NODE_PHASE_BOOTING", "transition_time": format_ts(mid)},
        {"phase": "NODE_PHASE_RUNNING", "transition_time": format_ts(at)},
    ]


class Fabricator:
    """Ids, node descriptions and kubeconfigs, drawn from one seeded random stream."""

    def __init__(self, seed: int | None) -> None:
        self.seed = seed
        self.rng = random.Random(seed)

    def reset(self) -> None:
        """Restart the stream (a reset emulator hands out the same ids again)."""
        self.rng = random.Random(self.seed)

    def uuid(self) -> str:
        """A random UUID4 string from the stream."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, n: int) -> str:
        """``n`` random hex digits."""
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def control_plane_node(self, record: ClusterRecord, since: float, at: float) -> dict[str, Any]:
        """The cluster's control plane node, up at ``at``."""
        w = record.wire
        return {
            "node_id": f"cp-{self.hex(8)}",
            "host_name": f"cp-0.{w['cluster_id']}.{w['region']}.cloud.together.ai",
            "status": "Running",
            "num_cpu_cores": 16,
            "memory_gib": 64.0,
            "network": "10.0.0.0/24",
            "public_ipv4": f"203.0.113.{self.rng.randrange(1, 255)}",
            "phase_transitions": node_phases(since, at),
        }

    def worker_node(self, record: ClusterRecord, since: float, at: float) -> dict[str, Any]:
        """The next GPU worker node of ``record`` (8 GPUs), up at ``at``."""
        w = record.wire
        index = record.next_node_index
        record.next_node_index += 1
        cores, memory, hcas = _NODE_SHAPES.get(w["gpu_type"], (128, 1024.0, 0))
        name = f"gpu-{index:03d}"
        node: dict[str, Any] = {
            "node_id": f"{name}-{self.hex(6)}",
            "host_name": f"{name}.{w['cluster_id']}.{w['region']}.cloud.together.ai",
            "status": "Running",
            "num_cpu_cores": cores,
            "num_gpus": GPUS_PER_NODE,
            "memory_gib": memory,
            "networks": [f"10.1.{index % 256}.0/24", f"ib-{w['region']}"],
            "instance_id": f"i-{self.hex(16)}",
            "public_ipv4": f"198.51.100.{self.rng.randrange(1, 255)}",
            "ephemeral_storage": "1Ti",
            "ib_hca_count": hcas,
            "ib_hca_type": "ConnectX-7" if hcas else "",
            "nvswitch_count": 4 if hcas else 0,
            "nvswitch_type": "NVSwitch" if hcas else "",
            "auto_remediation_enabled": False,
            "marked_for_deletion": False,
            "phase_transitions": node_phases(since, at),
        }
        if w["cluster_type"] == "SLURM":
            node["slurm_worker_hostname"] = f"{name}.slurm-compute.slurm"
        return node

    def kube_config(self, record: ClusterRecord) -> str:
        """Base64 of an admin kubeconfig; context ``t-<uuid>-admin`` like the real one."""
        w = record.wire
        cid = w["cluster_id"]
        ca = base64.b64encode(f"emulator CA for {cid}".encode()).decode()
        text = (
            "apiVersion: v1\n"
            "kind: Config\n"
            "clusters:\n"
            f"- name: {cid}\n"
            "  cluster:\n"
            f"    server: https://api.{cid}.{w['region']}.cloud.together.ai:6443\n"
            f'    certificate-authority-data: "{ca}"\n'
            "users:\n"
            f"- name: {cid}-admin\n"
            "  user:\n"
            f'    token: "{self.hex(48)}"\n'
            "contexts:\n"
            f"- name: {cid}-admin\n"
            "  context:\n"
            f"    cluster: {cid}\n"
            f"    user: {cid}-admin\n"
            f"current-context: {cid}-admin\n"
            "preferences: {}\n"
        )
        return base64.b64encode(text.encode()).decode()
