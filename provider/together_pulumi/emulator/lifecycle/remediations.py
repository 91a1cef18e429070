"""The remediation state machine and what it does to the node.

API-created remediations start ``PENDING``; health events open ``PENDING_APPROVAL`` ones that
wait for an approval. Once ``PENDING`` a remediation walks, over ``remediation_seconds``:

- reboot (``REBOOT_VM``), power cycle (``HOST_POWER_CYCLE``, after ``QUARANTINING`` →
  ``QUARANTINED``): the node shows ``Rebooting``/``PowerCycling`` while ``RUNNING`` and comes
  back ``Running`` with the same ids and new ``NODE_PHASE_BOOTING``/``RUNNING`` phases;
- replace (``VM_ONLY``; ``HOST_AWARE`` after quarantining the host): the node shows
  ``Replacing``, then leaves for ``deleted_gpu_worker_nodes`` and a new node (new ``node_id``,
  ``instance_id`` and host name) takes its place;
- evict (``EVICT_WITHOUT_REPLACEMENT``): the node leaves and the cluster's ``num_gpus`` (or
  ``allocated_preemptible_gpus`` for a preemptible node) drops by its 8 GPUs, so the cluster
  describes what it has.

It ends ``SUCCEEDED``, or ``FAILED`` when the admin API planned it so (the node is then
``Unhealthy``). Cancel and reject end it ``CANCELLED`` and give the node its status back.
"""

from __future__ import annotations

from typing import Any

from ..catalog import GPUS_PER_NODE
from ..config import EmulatorConfig
from ..state.clock import format_ts
from ..state.memory import State
from ..state.records import ClusterRecord, RemediationRecord, Step
from .nodes import Nodes, node_event

__all__ = ["RemediationFlow"]

_QUARANTINING_MODES = frozenset({"REMEDIATION_MODE_HOST_AWARE", "REMEDIATION_MODE_HOST_POWER_CYCLE"})
_REPLACING_MODES = frozenset({"REMEDIATION_MODE_VM_ONLY", "REMEDIATION_MODE_HOST_AWARE"})
#: The node's status while a remediation of each mode is ``RUNNING``.
_RUNNING_NODE_STATUS = {
    "REMEDIATION_MODE_VM_ONLY": "Replacing",
    "REMEDIATION_MODE_HOST_AWARE": "Replacing",
    "REMEDIATION_MODE_EVICT_WITHOUT_REPLACEMENT": "Evicting",
    "REMEDIATION_MODE_REBOOT_VM": "Rebooting",
    "REMEDIATION_MODE_HOST_POWER_CYCLE": "PowerCycling",
}


class RemediationFlow:
    """Opens remediations, plans and applies their steps, calls them off."""

    def __init__(self, config: EmulatorConfig, state: State, nodes: Nodes) -> None:
        self.config = config
        self.state = state
        self.nodes = nodes

    def open(
        self,
        cluster: ClusterRecord,
        node: dict[str, Any],
        now: float,
        *,
        mode: str,
        trigger: str,
        requested_by: str,
        reason: str | None = None,
        remediation_id: str | None = None,
    ) -> RemediationRecord:
        """A new remediation of ``node``: ``PENDING`` (manual, planned now) or ``PENDING_APPROVAL``."""
        manual = trigger == "REMEDIATION_TRIGGER_MANUAL"
        record = RemediationRecord(
            id=remediation_id or self.nodes.fabricate.uuid(),
            cluster_id=cluster.cluster_id,
            instance_id=str(node["instance_id"]),
            instance_name=str(node["node_id"]),
            mode=mode,
            state="PENDING" if manual else "PENDING_APPROVAL",
            trigger=trigger,
            requested_by=requested_by,
            create_time=now,
            update_time=now,
            reason=reason,
            node_status_before=str(node["status"]),
        )
        self.state.remediations[record.id] = record
        if manual:
            self.plan(record, now)
        else:
            node["status"] = "Unhealthy"
        return record

    def plan(self, record: RemediationRecord, now: float) -> None:
        """Spread the processing steps of a ``PENDING`` remediation over ``remediation_seconds``."""
        actions = ["quarantining", "quarantined"] if record.mode in _QUARANTINING_MODES else []
        actions += ["running", "done"]
        record.steps = [
            Step(now + self.config.remediation_seconds * k / len(actions), action, now)
            for k, action in enumerate(actions, start=1)
        ]

    def advance(self, record: RemediationRecord, now: float) -> bool:
        """Apply every step due by ``now``; True if anything changed."""
        changed = False
        while record.steps and record.steps[0].due <= now:
            step = record.steps.pop(0)
            self.apply(record, step.action, step.due)
            changed = True
        return changed

    def apply(self, record: RemediationRecord, action: str, at: float) -> None:
        """Enter the state ``action`` leads to, and touch the node."""
        record.update_time = at
        located = self._node(record)
        if located is None:
            self._fail(record, at, f"instance {record.instance_id} is no longer part of cluster {record.cluster_id}")
            return
        cluster, node = located
        if action == "quarantining":
            record.state, record.start_time = "QUARANTINING", at
            node["status"] = "Cordoned"
        elif action == "quarantined":
            record.state = "QUARANTINED"
        elif action == "running":
            record.state = "RUNNING"
            record.start_time = record.start_time or at
            node["status"] = _RUNNING_NODE_STATUS[record.mode]
        elif record.outcome == "FAILED":
            self._fail(record, at, record.planned_error or f"{record.mode} did not bring the node back")
            node["status"] = "Unhealthy"
        else:
            record.state, record.end_time = "SUCCEEDED", at
            self._succeed(record, cluster, node, at)

    def call_off(self, record: RemediationRecord, now: float, state: str) -> None:
        """End a remediation that has not started (``CANCELLED`` or ``AUTO_RESOLVED``)."""
        record.state, record.steps = state, []
        record.update_time = record.end_time = now
        located = self._node(record)
        if located is not None:
            located[1]["status"] = record.node_status_before

    # --- effects ---------------------------------------------------------------------------------

    def _succeed(self, record: RemediationRecord, cluster: ClusterRecord, node: dict[str, Any], at: float) -> None:
        started = record.start_time if record.start_time is not None else at
        if record.mode in _REPLACING_MODES:
            self.nodes.replace(cluster, node, started, at, f"node {node['node_id']} remediated ({record.id})")
        elif record.mode == "REMEDIATION_MODE_EVICT_WITHOUT_REPLACEMENT":
            preemptible = self.nodes.is_preemptible(cluster, node)
            message = f"node {node['node_id']} evicted without replacement ({record.id})"
            self.nodes.retire(cluster, node, at, "TogetherNodeRemediated", message)
            if preemptible:
                cluster.wire["allocated_preemptible_gpus"] -= GPUS_PER_NODE
            else:
                cluster.wire["num_gpus"] = max(0, int(cluster.wire["num_gpus"]) - GPUS_PER_NODE)
        else:  # reboot or power cycle: same node, booted again
            node["status"] = "Running"
            node["phase_transitions"] += [
                {"phase": "NODE_PHASE_BOOTING", "transition_time": format_ts(started)},
                {"phase": "NODE_PHASE_RUNNING", "transition_time": format_ts(at)},
            ]
            node_event(
                cluster.wire, node, "TogetherNodeRemediated", f"node {node['node_id']} rebooted ({record.id})", at
            )

    def _fail(self, record: RemediationRecord, at: float, message: str) -> None:
        record.state, record.steps = "FAILED", []
        record.end_time = record.update_time = at
        record.error_message = message

    def _node(self, record: RemediationRecord) -> tuple[ClusterRecord, dict[str, Any]] | None:
        cluster = self.state.clusters.get(record.cluster_id)
        if cluster is None:
            return None
        node = live_node(cluster, record.instance_id)
        return None if node is None else (cluster, node)


def live_node(cluster: ClusterRecord, instance_id: str) -> dict[str, Any] | None:
    """The worker node of ``cluster`` with this ``instance_id``, if it is still part of it."""
    return next((n for n in cluster.wire["gpu_worker_nodes"] if n.get("instance_id") == instance_id), None)
