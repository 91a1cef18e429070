"""The readiness part of a GpuCluster: waits until the cluster is Ready, then reports it.

It waits after the create and after every change of the cluster's size or type (both are among its
inputs, and known during ``pulumi preview``). A wait that fails or times out fails ``pulumi up``
naming the cluster; the cluster stays in state and the next ``up`` creates only this part again,
which resumes waiting. Every status the service can report is handled deliberately (:data:`STATUSES`):
the ones that mean the cluster will not become Ready on its own stop the wait at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pulumi.dynamic import CreateResult, ReadResult

from ...api.enums import BillingType, ClusterStatus
from ...model.cluster.fields import CLUSTER_FIELDS, GPUS_PER_NODE, READINESS_INPUTS
from ...model.cluster.report import cluster_report, live_gpus
from .. import session
from ..errors import ProviderError
from ..provider_base import WaitingProvider, explained, without_provider
from ..shared_reads import SHARED_POLL_SECONDS, shared_poll
from ..waiting import poll_until, progress
from .rules import parse_time

if TYPE_CHECKING:
    from ...api.models import Cluster

__all__ = ["STATUSES", "ClusterReadinessProvider"]

_TIMEOUT_DEFAULT = next(f.default for f in CLUSTER_FIELDS if f.name == "ready_timeout_seconds")

#: Every cluster status, and what it means for a wait: ``None`` keeps waiting (on the way to Ready);
#: a message stops the wait at once, because the cluster will not become Ready by itself.
STATUSES: dict[ClusterStatus, str | None] = {
    ClusterStatus.WAITING_FOR_CONTROL_PLANE_NODES: None,
    ClusterStatus.WAITING_FOR_DATA_PLANE_NODES: None,
    ClusterStatus.WAITING_FOR_SUBNET: None,
    ClusterStatus.WAITING_FOR_SHARED_VOLUME: None,
    ClusterStatus.INSTALLING_DRIVERS: None,
    ClusterStatus.RUNNING_ACCEPTANCE_TESTS: None,
    ClusterStatus.READY: None,
    ClusterStatus.ON_DEMAND_COMPUTE_PAUSED: (
        "is paused because the account ran out of credits (OnDemandComputePaused): it will not become Ready "
        "until credits are added, and Together decommissions it if they are not. Add credits in the Together "
        "console's billing page, then run `pulumi up` again to resume waiting"
    ),
    ClusterStatus.PAUSED: (
        "is Paused: it will not become Ready until it is resumed (from the Together console or by support). "
        "Then run `pulumi up` again to resume waiting"
    ),
    ClusterStatus.DEGRADED: (
        "is Degraded: a node or an acceptance test failed, so it will not become Ready by itself. Look at its "
        "nodes (the gpu_worker_nodes output, or `together clusters get <id>`), repair a node with a node "
        "remediation, or replace the cluster; then run `pulumi up` again"
    ),
    ClusterStatus.DELETING: (
        "was deleted while waiting for Ready (outside Pulumi?). Run `pulumi refresh` and then `pulumi up` to "
        "create it again"
    ),
}


class ClusterReadinessProvider(WaitingProvider):
    """Waits until the cluster is Ready after create and after a change of size or type, then reports it."""

    __module__ = "together_pulumi.pickled"  # the frozen name stacks store: see together_pulumi/pickled.py
    __qualname__ = "ReadinessProvider"  # its frozen pickled name (renamed in 0.3.0): see together_pulumi/pickled.py

    waits_on: ClassVar[tuple[str, ...]] = READINESS_INPUTS

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"{props['cluster_name']}-ready", self.wait(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        label = f"GpuCluster {props.get('cluster_name') or props['cluster_id']} ({props['cluster_id']})"
        with explained(label, "read it", "pulumi refresh"):
            cluster = session.client().find_cluster(props["cluster_id"])
        if cluster is None:
            return ReadResult("", {})
        outs = without_provider(props)
        outs.update(cluster_report(cluster))
        if not props.get("auto_scale"):
            # What the nodes were made for, as observed: after drift, the next up waits for the size
            # it restores (the autoscaler's moves are not drift).
            outs.update(num_gpus=cluster.num_gpus, cluster_type=cluster.cluster_type)
        return ReadResult(id_, outs, self.recorded(outs))

    def wait(self, props: Mapping[str, Any]) -> dict[str, Any]:
        client = session.client()
        w = _Wait(props)
        if not props.get("wait_for_ready", True) or _scheduled_later(props):
            cluster = client.find_cluster(w.cluster_id)
            if cluster is None:
                raise ProviderError(f"{w.label} {STATUSES[ClusterStatus.DELETING]}")
            progress(f"{w.label}: {cluster.status} (not waiting for Ready)")
        else:
            listing = session.clusters_listing(props.get("project_id"), for_polls=True)
            fetch = shared_poll(listing, session.changes(), w.cluster_id, _cluster_id, client.find_cluster)
            cluster = poll_until(
                fetch,
                w.ready,
                describe=w.describe,
                label=w.label,
                timeout_seconds=w.timeout,
                on_timeout=w.timed_out,
                fail=w.stuck,
                on_cancel=w.cancelled,
                clock=session.clock(),
                max_interval=SHARED_POLL_SECONDS / 10,
            )
            assert cluster is not None
        outs = self.recorded(props)
        outs.update(cluster_report(cluster))
        return outs


class _Wait:
    """One wait for Ready: when it is done, how the cluster is described meanwhile, and what a stuck
    cluster, a timeout or a Ctrl-C say."""

    def __init__(self, props: Mapping[str, Any]) -> None:
        self.props = props
        self.cluster_id = props["cluster_id"]
        self.want_gpus = int(props["num_gpus"])
        self.timeout = float(props.get("ready_timeout_seconds") or _TIMEOUT_DEFAULT)
        self.label = f"GpuCluster {props.get('cluster_name') or self.cluster_id} ({self.cluster_id})"

    def ready(self, c: Cluster | None) -> bool:
        if c is None or c.status != ClusterStatus.READY:
            return False
        # Preemptible GPUs run on nodes of their own, beside the ones num_gpus asks for.
        return bool(self.props.get("auto_scale")) or (
            c.num_gpus == self.want_gpus and live_gpus(c) == self.want_gpus + c.allocated_preemptible_gpus
        )

    def describe(self, c: Cluster | None) -> str:
        if c is None:
            return "gone"
        # (Preemptible GPUs run on nodes of their own, beside the ones num_gpus asks for.)
        have, want = len(c.gpu_worker_nodes), (self.want_gpus + c.allocated_preemptible_gpus) // GPUS_PER_NODE
        if have > want:
            return f"{c.status}, {have} GPU nodes, scaling down to {want}"
        return f"{c.status}, {have} of {want} GPU nodes"

    def stuck(self, c: Cluster | None) -> str | None:
        if c is None:
            return f"{self.label} {STATUSES[ClusterStatus.DELETING]}"
        try:
            meaning = STATUSES[ClusterStatus(c.status)]
        except ValueError:
            return None  # a status newer than this package: keep waiting (it is printed)
        return f"{self.label} {meaning}" if meaning else None

    def timed_out(self, c: Cluster | None, elapsed: float) -> str:
        status = c.status if c else "unknown"
        if c is not None and c.status == ClusterStatus.READY:
            status = f"Ready with {live_gpus(c)} of {self.want_gpus} GPUs"
        return (
            f"{self.label} is still {status} after {elapsed:.0f}s waiting for Ready (ready_timeout_seconds="
            f"{self.timeout:.0f}). The cluster exists and is recorded in the stack state: run `pulumi up` "
            "again to resume waiting (no second cluster is created), or raise ready_timeout_seconds."
        )

    def cancelled(self, c: Cluster | None, elapsed: float) -> str:
        return (
            f"{self.label}: stopped waiting for Ready after {elapsed:.0f}s because the update was cancelled "
            f"(Ctrl-C); it is {self.describe(c) if c else 'not answering'}. The cluster {self.cluster_id} exists "
            "and stays in the stack state: run `pulumi up` again to resume waiting (no second cluster is created)."
        )


def _cluster_id(cluster: Cluster) -> str:
    return cluster.cluster_id


def _scheduled_later(props: Mapping[str, Any]) -> bool:
    """SCHEDULED_CAPACITY clusters start at their reservation time: do not wait for that."""
    if props.get("billing_type") != BillingType.SCHEDULED_CAPACITY or not props.get("reservation_start_time"):
        return False
    start = parse_time(str(props["reservation_start_time"]))
    return start is not None and start > datetime.now(UTC)
