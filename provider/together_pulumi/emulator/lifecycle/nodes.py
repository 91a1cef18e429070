"""A cluster's GPU worker nodes: one standard node per 8 of ``num_gpus``, plus preemptible nodes
for ``allocated_preemptible_gpus``, and what happens to them (scale, preemption, retirement).

Preemptible GPUs use what a (region, GPU type) has left after the standard GPUs of every
cluster; they never block a standard request: when standard GPUs need the room, preemptible
nodes are preempted (``TogetherPreemptionNotified`` then ``TogetherPreempted``), newest cluster
first. A cluster's shortfall (``allocated < desired``) is filled at its next reconcile (a scale,
a preemptible update, an out-of-band scale), as capacity allows.
"""

from __future__ import annotations

from typing import Any

from ..catalog import GPUS_PER_NODE
from ..state.clock import format_ts
from ..state.memory import State
from ..state.records import ClusterRecord
from .fabricate import Fabricator

__all__ = ["Nodes", "node_event"]


def node_event(wire: dict[str, Any], node: dict[str, Any], reason: str, message: str, at: float) -> None:
    """Append a ``node_lifecycle_events`` entry (``TogetherScaledUp``, ``TogetherNodeAdded``, ...)."""
    wire["node_lifecycle_events"].append(
        {"message": message, "node_id": node["node_id"], "reason": reason, "timestamp": format_ts(at)}
    )


class Nodes:
    """Adds, removes, preempts and relabels worker nodes."""

    def __init__(self, state: State, fabricate: Fabricator) -> None:
        self.state = state
        self.fabricate = fabricate

    def reconcile(self, record: ClusterRecord, since: float, at: float, *, initial: bool) -> None:
        """Standard nodes to ``num_gpus / 8``, preemptible nodes to what capacity allows of the desired."""
        standard = int(record.wire["num_gpus"]) // GPUS_PER_NODE
        self._resize(record, standard, preemptible=False, since=since, at=at, initial=initial)
        self.reconcile_preemptible(record, since, at, initial=initial)

    def reconcile_preemptible(self, record: ClusterRecord, since: float, at: float, *, initial: bool = False) -> None:
        """Preemptible nodes to ``desired_preemptible_gpus``, as far as capacity allows."""
        w = record.wire
        allocated = min(int(w["desired_preemptible_gpus"]), self._room_for_preemptible(record))
        self._resize(record, allocated // GPUS_PER_NODE, preemptible=True, since=since, at=at, initial=initial)
        w["allocated_preemptible_gpus"] = self._count(record, preemptible=True) * GPUS_PER_NODE

    def preempt(self, record: ClusterRecord, gpus: int, at: float) -> int:
        """Take back up to ``gpus`` preemptible GPUs of ``record``; returns how many were taken."""
        taken = 0
        while taken < gpus and record.preemptible_node_ids:
            node = self._find(record, record.preemptible_node_ids[-1])
            node_event(record.wire, node, "TogetherPreemptionNotified", f"node {node['node_id']} will be preempted", at)
            self.retire(record, node, at, "TogetherPreempted", f"node {node['node_id']} preempted")
            taken += GPUS_PER_NODE
        record.wire["allocated_preemptible_gpus"] = self._count(record, preemptible=True) * GPUS_PER_NODE
        return taken

    def make_room(self, region: str, gpu_type: str, at: float) -> None:
        """Preempt preemptible nodes (newest cluster first) until standard + preemptible GPUs fit."""
        excess = self._preemptible_in_use(region, gpu_type) - self._room(region, gpu_type)
        for record in reversed(list(self.state.clusters.values())):
            if excess <= 0:
                return
            if (record.wire["region"], record.wire["gpu_type"]) == (region, gpu_type):
                excess -= self.preempt(record, excess, at)

    def retire(self, record: ClusterRecord, node: dict[str, Any], at: float, reason: str, message: str) -> None:
        """The node leaves the live data plane for ``deleted_gpu_worker_nodes``."""
        record.wire["gpu_worker_nodes"].remove(node)
        if node["node_id"] in record.preemptible_node_ids:
            record.preemptible_node_ids.remove(node["node_id"])
        node["status"] = "Deleted"
        node["deleted_at"] = format_ts(at)
        record.wire["deleted_gpu_worker_nodes"].append(node)
        node_event(record.wire, node, reason, message, at)

    def replace(self, record: ClusterRecord, node: dict[str, Any], since: float, at: float, message: str) -> None:
        """A new node (new ids and host name) takes ``node``'s place and pool."""
        workers: list[dict[str, Any]] = record.wire["gpu_worker_nodes"]
        index = workers.index(node)
        preemptible = node["node_id"] in record.preemptible_node_ids
        replacement = self.fabricate.worker_node(record, since, at)
        self.retire(record, node, at, "TogetherNodeRemediated", f"{message}; replaced by {replacement['node_id']}")
        workers.insert(index, replacement)
        if preemptible:
            record.preemptible_node_ids.append(replacement["node_id"])
        node_event(
            record.wire, replacement, "TogetherNodeAdded", f"node {replacement['node_id']} joined the cluster", at
        )

    def is_preemptible(self, record: ClusterRecord, node: dict[str, Any]) -> bool:
        return node["node_id"] in record.preemptible_node_ids

    @staticmethod
    def relabel(record: ClusterRecord) -> None:
        """Slurm host names on every node of a SLURM cluster, none on a Kubernetes one."""
        for node in record.wire["gpu_worker_nodes"]:
            if record.wire["cluster_type"] == "SLURM":
                node["slurm_worker_hostname"] = f"{str(node['host_name']).split('.')[0]}.slurm-compute.slurm"
            else:
                node.pop("slurm_worker_hostname", None)

    # --- internals -------------------------------------------------------------------------------

    def _resize(
        self, record: ClusterRecord, target: int, *, preemptible: bool, since: float, at: float, initial: bool
    ) -> None:
        w = record.wire
        while self._count(record, preemptible=preemptible) < target:
            node = self.fabricate.worker_node(record, since, at)
            w["gpu_worker_nodes"].append(node)
            if preemptible:
                record.preemptible_node_ids.append(node["node_id"])
            reason = "TogetherNodeAdded" if initial else "TogetherScaledUp"
            node_event(w, node, reason, f"node {node['node_id']} joined the cluster", at)
        while self._count(record, preemptible=preemptible) > target:
            # newest nodes leave first
            node = next(n for n in reversed(w["gpu_worker_nodes"]) if self.is_preemptible(record, n) == preemptible)
            self.retire(record, node, at, "TogetherScaledDown", f"node {node['node_id']} removed by scale-down")

    def _count(self, record: ClusterRecord, *, preemptible: bool) -> int:
        return sum(1 for n in record.wire["gpu_worker_nodes"] if self.is_preemptible(record, n) == preemptible)

    @staticmethod
    def _find(record: ClusterRecord, node_id: str) -> dict[str, Any]:
        return next(n for n in record.wire["gpu_worker_nodes"] if n["node_id"] == node_id)

    def _room(self, region: str, gpu_type: str) -> int:
        """GPUs left for preemptible nodes after every cluster's standard GPUs."""
        return max(0, self.state.capacity_of(region, gpu_type) - self.state.used_gpus(region, gpu_type))

    def _preemptible_in_use(self, region: str, gpu_type: str, *, excluding: str | None = None) -> int:
        return sum(
            int(c.wire["allocated_preemptible_gpus"])
            for c in self.state.clusters.values()
            if (c.wire["region"], c.wire["gpu_type"]) == (region, gpu_type) and c.cluster_id != excluding
        )

    def _room_for_preemptible(self, record: ClusterRecord) -> int:
        region, gpu_type = record.wire["region"], record.wire["gpu_type"]
        free = self._room(region, gpu_type) - self._preemptible_in_use(region, gpu_type, excluding=record.cluster_id)
        return max(0, free) // GPUS_PER_NODE * GPUS_PER_NODE
