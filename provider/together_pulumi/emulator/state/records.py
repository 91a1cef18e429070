"""What the emulator stores: one record per cluster, volume and remediation, with pending steps.

Records are plain dataclasses so that :mod:`.persistence` can write them with ``asdict`` and read
them back with ``Record(**raw)``; a field added with a default keeps old state files loadable.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from .clock import format_ts

__all__ = [
    "FINAL_REMEDIATION_STATES",
    "PROVISIONING_ACTIONS",
    "REMEDIATION_MODES",
    "REMEDIATION_STATES",
    "REMEDIATION_TRIGGERS",
    "STATUS_PHASES",
    "ClusterRecord",
    "RemediationRecord",
    "Step",
    "VolumeRecord",
]

#: Cluster status → the phase appended to ``phase_transitions`` when the status is entered.
STATUS_PHASES: dict[str, str] = {
    "WaitingForControlPlaneNodes": "CLUSTER_PHASE_WAITING_FOR_CONTROL_PLANE_NODES",
    "WaitingForDataPlaneNodes": "CLUSTER_PHASE_WAITING_FOR_DATA_PLANE_NODES",
    "WaitingForSubnet": "CLUSTER_PHASE_WAITING_FOR_SUBNET",
    "WaitingForSharedVolume": "CLUSTER_PHASE_WAITING_FOR_SHARED_VOLUME",
    "InstallingDrivers": "CLUSTER_PHASE_INSTALLING_DRIVERS",
    "RunningAcceptanceTests": "CLUSTER_PHASE_RUNNING_ACCEPTANCE_TESTS",
    "Paused": "CLUSTER_PHASE_PAUSED",
    "OnDemandComputePaused": "CLUSTER_PHASE_ON_DEMAND_COMPUTE_PAUSED",
    "Ready": "CLUSTER_PHASE_READY",
    "Degraded": "CLUSTER_PHASE_DEGRADED",
    "Deleting": "CLUSTER_PHASE_DELETING",
}

#: Steps of the initial bring-up (a scale uses ``scale_done``, a delete ``gone``).
PROVISIONING_ACTIONS = frozenset(
    {"start", "control_plane_up", "data_plane_up", "volume_ready", "drivers_installed", "ready"}
)


@dataclass
class Step:
    """A transition due at ``due``; ``since`` is when the phase it ends began (for node histories)."""

    due: float
    action: str
    since: float


@dataclass
class ClusterRecord:
    """A cluster: ``wire`` holds the API fields except the derived ``volumes`` and ``add_ons``."""

    wire: dict[str, Any]
    add_ons: list[dict[str, Any]] = field(default_factory=list)
    volume_ids: list[str] = field(default_factory=list)
    inline_volume_id: str | None = None
    steps: list[Step] = field(default_factory=list)
    next_node_index: int = 0
    #: Whether bring-up runs the GPU acceptance tests (``acceptance_tests_params``).
    acceptance_tests: bool = True
    #: Worker nodes serving preemptible GPUs (the API does not mark them; preemption removes these).
    preemptible_node_ids: list[str] = field(default_factory=list)

    @property
    def cluster_id(self) -> str:
        return str(self.wire["cluster_id"])

    def schedule(self, step: Step) -> None:
        """Add a step, keeping ``steps`` in due order (steps are applied from the front)."""
        bisect.insort(self.steps, step, key=lambda s: s.due)

    def transition(self, status: str, at: float) -> None:
        """Enter ``status`` at ``at`` and record its phase."""
        self.wire["status"] = status
        self.wire["phase_transitions"].append({"phase": STATUS_PHASES[status], "transition_time": format_ts(at)})


@dataclass
class VolumeRecord:
    """A shared volume. ``region`` and friends are kept although the API never returns them."""

    volume_id: str
    volume_name: str
    size_tib: int
    region: str
    project_id: str
    is_lifecycle_independent: bool
    created_at: float
    available_at: float
    #: Cluster that created it inline; such a volume dies with it unless lifecycle-independent.
    inline_for: str | None = None
    #: Cluster it was placed next to (``instance_cluster_id``, the SDK's co-location field).
    instance_cluster_id: str | None = None
    #: When an accepted DELETE takes effect (the volume shows ``deleting`` until then).
    deleting_until: float | None = None
    #: A status set through the admin API; it sticks, and ``failed`` stops a deletion.
    forced_status: str | None = None


#: Remediation modes of the SDK, in its order.
REMEDIATION_MODES = (
    "REMEDIATION_MODE_VM_ONLY",
    "REMEDIATION_MODE_HOST_AWARE",
    "REMEDIATION_MODE_EVICT_WITHOUT_REPLACEMENT",
    "REMEDIATION_MODE_REBOOT_VM",
    "REMEDIATION_MODE_HOST_POWER_CYCLE",
)
REMEDIATION_STATES = (
    "PENDING_APPROVAL",
    "PENDING",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "CANCELLED",
    "AUTO_RESOLVED",
    "QUARANTINING",
    "QUARANTINED",
)
REMEDIATION_TRIGGERS = ("REMEDIATION_TRIGGER_MANUAL", "REMEDIATION_TRIGGER_AUTOMATED")
#: States a remediation never leaves.
FINAL_REMEDIATION_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "AUTO_RESOLVED"})


@dataclass
class RemediationRecord:
    """A node remediation; ``steps`` are its clock-driven transitions (see :mod:`.remediation_flow`)."""

    id: str
    cluster_id: str
    instance_id: str
    instance_name: str
    mode: str
    state: str
    trigger: str
    requested_by: str
    create_time: float
    update_time: float
    reason: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    review_time: float | None = None
    reviewed_by: str | None = None
    review_comment: str | None = None
    error_message: str | None = None
    passive_health_check_event_id: str | None = None
    linked_alerts: list[dict[str, Any]] = field(default_factory=list)
    #: How it ends when its time comes: SUCCEEDED, or FAILED with ``planned_error`` (admin API).
    outcome: str = "SUCCEEDED"
    planned_error: str | None = None
    #: The node's status before the remediation touched it, restored if it is called off.
    node_status_before: str = "Running"
    steps: list[Step] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.state in FINAL_REMEDIATION_STATES
