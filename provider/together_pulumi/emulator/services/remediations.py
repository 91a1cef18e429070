"""Node remediations of ``/v1/compute/clusters/{cluster_id}/instances/{instance_id}/remediations``.

Create (``?remediation_id=`` is an idempotency key that becomes the id), list (``-`` for every
instance, filters, order, pages), get, approve, reject, cancel; and the admin API's health
events (which open a remediation awaiting approval) and planned outcomes.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from ..errors import ApiError, GrpcCode
from ..lifecycle.remediations import live_node
from ..state.clock import format_ts
from ..state.records import ClusterRecord, RemediationRecord
from ..state.render import render_remediation
from ..state.store import Service, reads, writes
from ..validation.remediations import (
    HealthEvent,
    RemediationQuery,
    parse_approve,
    parse_health_event,
    parse_outcome,
    parse_reject,
    parse_remediation_create,
    parse_remediation_query,
)
from ..validation.remediations import MultiQuery as Query
from .identity import api_key_id

__all__ = ["ALL_INSTANCES", "RemediationService"]

#: The instance id that lists the remediations of every node of a cluster.
ALL_INSTANCES = "-"
#: Driver mnemonics of a few common Xid codes ("" where the emulator has no metadata, as the API allows).
_XID_MNEMONICS = {
    "48": "DBE (Double Bit ECC Error)",
    "74": "NVLINK Error",
    "79": "GPU has fallen off the bus",
    "94": "Contained ECC error",
    "95": "Uncontained ECC error",
}
#: Who opens the remediations of health events.
HEALTH_CHECKER = "system:passive-health-check"


class RemediationService(Service):
    """The remediation endpoints; every method returns the JSON answer or raises :class:`ApiError`."""

    @writes
    def create(
        self, now: float, token: str, cluster_id: str, instance_id: str, body: Any, query: Query
    ) -> dict[str, Any]:
        """A ``PENDING`` remediation of a live node; replaying a ``remediation_id`` returns the first."""
        cluster = self._open_cluster(cluster_id)
        node = self._live_node(cluster, instance_id)
        request = parse_remediation_create(body, query)
        if request.remediation_id is not None and request.remediation_id in self.state.remediations:
            return self._replay(request.remediation_id, cluster_id, instance_id, request.mode, request.reason)
        self._check_no_active(cluster_id, instance_id)
        if request.mode == "REMEDIATION_MODE_EVICT_WITHOUT_REPLACEMENT" and len(cluster.wire["gpu_worker_nodes"]) == 1:
            raise ApiError.field(
                "mode",
                f"mode {request.mode} would leave cluster {cluster_id} without GPU nodes; "
                "use REMEDIATION_MODE_VM_ONLY or REMEDIATION_MODE_REBOOT_VM, or delete the cluster",
            )
        record = self.store.remediation_flow.open(
            cluster,
            node,
            now,
            mode=request.mode,
            trigger="REMEDIATION_TRIGGER_MANUAL",
            requested_by=api_key_id(token),
            reason=request.reason,
            remediation_id=request.remediation_id,
        )
        return render_remediation(record)

    @reads
    def list(self, now: float, cluster_id: str, instance_id: str, query: Query) -> dict[str, Any]:
        """One page of ``{"remediations", "has_next", "next_page_token"}`` ("" on the last page)."""
        self.state.cluster(cluster_id)
        if instance_id != ALL_INSTANCES:
            self._known_instance(cluster_id, instance_id)
        q = parse_remediation_query(query, instance_id)
        selected = [
            r
            for r in self.state.remediations_of(cluster_id, None if instance_id == ALL_INSTANCES else instance_id)
            if _matches(r, q)
        ]
        for name, descending in reversed(q.order):  # stable sorts: the last key first
            selected.sort(key=attrgetter(name), reverse=descending)
        page = selected[q.offset : q.offset + q.page_size]
        has_next = q.offset + q.page_size < len(selected)
        return {
            "remediations": [render_remediation(r) for r in page],
            "has_next": has_next,
            "next_page_token": q.token(q.offset + q.page_size) if has_next else "",
        }

    @reads
    def get(self, now: float, cluster_id: str, instance_id: str, remediation_id: str) -> dict[str, Any]:
        """One remediation of this cluster and instance, or 404."""
        return render_remediation(self._find(cluster_id, instance_id, remediation_id))

    @writes
    def approve(
        self, now: float, token: str, cluster_id: str, instance_id: str, remediation_id: str, body: Any
    ) -> dict[str, Any]:
        """``PENDING_APPROVAL`` → ``PENDING``, with review fields and an optional mode override."""
        record = self._find(cluster_id, instance_id, remediation_id)
        comment, mode = parse_approve(body)
        self._expect(record, ("PENDING_APPROVAL",), "approved")
        self._review(record, now, token, comment)
        record.mode = mode or record.mode
        record.state = "PENDING"
        self.store.remediation_flow.plan(record, now)
        return render_remediation(record)

    @writes
    def reject(
        self, now: float, token: str, cluster_id: str, instance_id: str, remediation_id: str, body: Any
    ) -> dict[str, Any]:
        """``PENDING_APPROVAL`` → ``CANCELLED``, with review fields."""
        record = self._find(cluster_id, instance_id, remediation_id)
        comment = parse_reject(body)
        self._expect(record, ("PENDING_APPROVAL",), "rejected")
        self._review(record, now, token, comment)
        self.store.remediation_flow.call_off(record, now, "CANCELLED")
        return render_remediation(record)

    @writes
    def cancel(self, now: float, cluster_id: str, instance_id: str, remediation_id: str) -> dict[str, Any]:
        """``PENDING_APPROVAL`` or ``PENDING`` → ``CANCELLED``."""
        record = self._find(cluster_id, instance_id, remediation_id)
        self._expect(record, ("PENDING_APPROVAL", "PENDING"), "cancelled")
        self.store.remediation_flow.call_off(record, now, "CANCELLED")
        return render_remediation(record)

    # --- admin API -------------------------------------------------------------------------------

    @writes
    def health_event(self, now: float, cluster_id: str, instance_id: str, body: Any) -> dict[str, Any]:
        """A failing node: an automated remediation awaiting approval, with the alert linked."""
        cluster = self._open_cluster(cluster_id)
        node = self._live_node(cluster, instance_id)
        event = parse_health_event(body)
        self._check_no_active(cluster_id, instance_id)
        record = self.store.remediation_flow.open(
            cluster, node, now, mode=event.mode, trigger="REMEDIATION_TRIGGER_AUTOMATED", requested_by=HEALTH_CHECKER
        )
        record.passive_health_check_event_id = f"phc-{self.store.fabricate.uuid()}"
        record.linked_alerts = [self._alert(event, record, node, now)]
        record.reason = event.summary
        return render_remediation(record)

    @writes
    def set_outcome(self, now: float, remediation_id: str, body: Any) -> dict[str, Any]:
        """Plan how an unfinished remediation ends, or resolve a pending one at once (AUTO_RESOLVED)."""
        record = self.state.remediation(remediation_id)
        outcome, message = parse_outcome(body)
        if outcome == "AUTO_RESOLVED":
            self._expect(record, ("PENDING_APPROVAL", "PENDING"), "auto-resolved")
            self.store.remediation_flow.call_off(record, now, "AUTO_RESOLVED")
            for alert in record.linked_alerts:
                alert["resolved_at"] = format_ts(now)
        else:
            if record.final:
                raise ApiError.field("outcome", f"remediation {record.id} has already ended {record.state}")
            record.outcome, record.planned_error = outcome, message
        return render_remediation(record)

    # --- helpers ---------------------------------------------------------------------------------

    def _open_cluster(self, cluster_id: str) -> ClusterRecord:
        cluster = self.state.cluster(cluster_id)
        if cluster.wire["status"] == "Deleting":
            raise ApiError(GrpcCode.ABORTED, f"cluster {cluster_id} is being deleted; its nodes cannot be remediated")
        return cluster

    def _live_node(self, cluster: ClusterRecord, instance_id: str) -> dict[str, Any]:
        node = live_node(cluster, instance_id)
        if node is None:
            live = ", ".join(str(n["instance_id"]) for n in cluster.wire["gpu_worker_nodes"]) or "none yet"
            raise ApiError.not_found(
                f"instance {instance_id} not found in cluster {cluster.cluster_id}; its GPU node instances: {live}"
            )
        return node

    def _known_instance(self, cluster_id: str, instance_id: str) -> None:
        """Listing an instance that left the cluster is fine while it has remediations."""
        cluster = self.state.clusters[cluster_id]
        nodes = [*cluster.wire["gpu_worker_nodes"], *cluster.wire["deleted_gpu_worker_nodes"]]
        if any(n.get("instance_id") == instance_id for n in nodes) or self.state.remediations_of(
            cluster_id, instance_id
        ):
            return
        raise ApiError.not_found(f"instance {instance_id} not found in cluster {cluster_id}; use '-' for all instances")

    def _find(self, cluster_id: str, instance_id: str, remediation_id: str) -> RemediationRecord:
        self.state.cluster(cluster_id)
        record = self.state.remediations.get(remediation_id)
        if record is None or record.cluster_id != cluster_id or record.instance_id != instance_id:
            raise ApiError.not_found(
                f"remediation {remediation_id} not found for instance {instance_id} of cluster {cluster_id}"
            )
        return record

    def _check_no_active(self, cluster_id: str, instance_id: str) -> None:
        active = [r for r in self.state.remediations_of(cluster_id, instance_id) if not r.final]
        if active:
            raise ApiError(
                GrpcCode.ABORTED,
                f"instance {instance_id} already has remediation {active[0].id} in state {active[0].state}; "
                "cancel it or wait until it ends",
            )

    def _replay(
        self, remediation_id: str, cluster_id: str, instance_id: str, mode: str, reason: str | None
    ) -> dict[str, Any]:
        existing = self.state.remediations[remediation_id]
        same = (existing.cluster_id, existing.instance_id, existing.mode, existing.reason)
        if same != (cluster_id, instance_id, mode, reason):
            raise ApiError(
                GrpcCode.ALREADY_EXISTS,
                f"remediation_id {remediation_id} is already used by a different remediation "
                f"(instance {existing.instance_id}, {existing.mode}); choose a new remediation_id",
            )
        return render_remediation(existing)

    @staticmethod
    def _expect(record: RemediationRecord, states: tuple[str, ...], verb: str) -> None:
        if record.state not in states:
            raise ApiError(
                GrpcCode.FAILED_PRECONDITION,
                f"remediation {record.id} is {record.state}; only a remediation in state "
                f"{' or '.join(states)} can be {verb}",
            )

    @staticmethod
    def _review(record: RemediationRecord, now: float, token: str, comment: str | None) -> None:
        record.reviewed_by = api_key_id(token)
        record.review_time = record.update_time = now
        record.review_comment = comment

    def _alert(self, event: HealthEvent, record: RemediationRecord, node: dict[str, Any], now: float) -> dict[str, Any]:
        annotation: dict[str, Any] = {
            "title": event.alert_name,
            "description": f"Passive health check {event.alert_name} fired on {node['node_id']}",
            "summary_line": event.summary,
        }
        if event.xid_code is not None:
            annotation["xid"] = {
                "events": [{"count": 1, "mnemonic": _XID_MNEMONICS.get(event.xid_code, ""), "xid_code": event.xid_code}]
            }
        return {
            "alert_name": event.alert_name,
            "annotation": annotation,
            "annotations": {"summary": annotation["title"], "evidence": event.summary},
            "cluster_id": record.cluster_id,
            "passive_health_check_alert_id": self.store.fabricate.uuid(),
            "severity": event.severity,
            "started_at": format_ts(now),
            "target_vm": str(node["node_id"]),
            "instance_id": record.instance_id,
            "node_remediation_intent_id": record.id,
        }


def _matches(record: RemediationRecord, q: RemediationQuery) -> bool:
    return (
        (not q.states or record.state in q.states)
        and (not q.modes or record.mode in q.modes)
        and (not q.triggers or record.trigger in q.triggers)
    )
