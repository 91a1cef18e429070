"""The cluster state machine: what a new cluster looks like, its bring-up plan, scaling, a
change of orchestrator, deletion.

Each cluster carries a list of :class:`~.records.Step` (an action due at a virtual time).
:meth:`Lifecycle.advance` applies the steps whose time has come, each stamped with its own due
time, so ``phase_transitions`` show when things happened, not when somebody looked.
"""

from __future__ import annotations

import copy
from typing import Any

from ..config import ORGANIZATION_ID, EmulatorConfig
from ..state.clock import format_ts
from ..state.memory import State
from ..state.records import PROVISIONING_ACTIONS, ClusterRecord, Step, VolumeRecord
from ..validation import ClusterSpec
from .fabricate import Fabricator
from .nodes import Nodes

__all__ = ["DEFAULT_SLURM_SHM_GIB", "Lifecycle"]

#: ``slurm_shm_size_gib`` of a cluster switched to SLURM by an update (which cannot carry it).
DEFAULT_SLURM_SHM_GIB = 64


class Lifecycle:
    """Builds clusters and moves them through their statuses; works on a :class:`State`."""

    def __init__(self, config: EmulatorConfig, state: State, fabricate: Fabricator, nodes: Nodes) -> None:
        self.config = config
        self.state = state
        self.fabricate = fabricate
        self.nodes = nodes

    # --- creation --------------------------------------------------------------------------------

    def build_cluster(self, spec: ClusterSpec, now: float) -> ClusterRecord:
        """A new cluster (inline volume included), in ``WaitingForControlPlaneNodes`` or scheduled."""
        cluster_id = f"t-{self.fabricate.uuid()}"
        while cluster_id in self.state.clusters:  # only possible after a restart with the same seed
            cluster_id = f"t-{self.fabricate.uuid()}"
        record = ClusterRecord(wire=self._wire(cluster_id, spec, now), acceptance_tests=spec.acceptance_tests)
        record.add_ons = [copy.deepcopy(a) for a in spec.add_ons]
        volume_ready_at = self._attach_volume(record, spec, now)
        self._plan_bring_up(record, spec, now, volume_ready_at)
        return record

    def _wire(self, cluster_id: str, spec: ClusterSpec, now: float) -> dict[str, Any]:
        project_id = spec.project_id or self.state.key_project.id
        driver = spec.driver
        wire: dict[str, Any] = {
            "cluster_id": cluster_id,
            "cluster_name": spec.cluster_name,
            "cluster_type": spec.cluster_type,
            "region": spec.region.name,
            "gpu_type": spec.gpu_type,
            "num_gpus": spec.num_gpus,
            "cuda_version": driver.cuda_version,
            "nvidia_driver_version": driver.nvidia_driver_version,
            "nvidia_driver_version_id": driver.id,
            "os_image": f"{driver.os}-cuda{driver.cuda_version}-nvidia{driver.nvidia_driver_version}",
            "billing_type": spec.billing_type,
            "project_id": project_id,
            "ums_project_id": project_id,
            "ums_org_id": ORGANIZATION_ID,
            "status": "WaitingForControlPlaneNodes",
            "kube_config": "",
            "control_plane_ready": False,
            "control_plane_nodes": [],
            "gpu_worker_nodes": [],
            "deleted_gpu_worker_nodes": [],
            "node_lifecycle_events": [],
            "phase_transitions": [{"phase": "CLUSTER_PHASE_QUEUED", "transition_time": format_ts(now)}],
            "num_cpu_workers": 0,
            "desired_preemptible_gpus": spec.num_preemptible_gpus,
            "allocated_preemptible_gpus": 0,
            "num_reserved_gpus": spec.num_reserved_gpus,
            "num_capacity_pool_gpus": spec.num_capacity_pool_gpus,
            "duration_hours": (spec.duration_days or 0) * 24,
            "created_at": format_ts(now),
            "is_in_substrate": True,
            "machine_cluster_id": f"mc-{self.fabricate.hex(12)}",
        }
        wire.update(spec.echoed())
        wire.update(_reservation_window(spec, now))
        return wire

    def _attach_volume(self, record: ClusterRecord, spec: ClusterSpec, now: float) -> float:
        """Attach the existing or inline volume; returns when it is available."""
        if spec.volume_id is not None:
            record.volume_ids.append(spec.volume_id)
            return self.state.volumes[spec.volume_id].available_at
        if spec.shared_volume is None:
            return now
        sv = spec.shared_volume
        volume = VolumeRecord(
            volume_id=f"vol-{self.fabricate.uuid()}",
            volume_name=sv.volume_name,
            size_tib=sv.size_tib,
            region=sv.region,
            project_id=sv.project_id or str(record.wire["project_id"]),
            is_lifecycle_independent=sv.is_lifecycle_independent,
            created_at=now,
            available_at=now + self.config.volume_provisioning_seconds,
            inline_for=record.cluster_id,
            instance_cluster_id=sv.instance_cluster_id,
        )
        self.state.volumes[volume.volume_id] = volume
        record.volume_ids.append(volume.volume_id)
        record.inline_volume_id = volume.volume_id
        return volume.available_at

    def _plan_bring_up(self, record: ClusterRecord, spec: ClusterSpec, now: float, volume_ready_at: float) -> None:
        """Phases spread evenly over provisioning_seconds, from the reservation start (scheduled
        capacity), never finishing the volume step before the volume is available."""
        t0 = max(now, spec.reservation_start_time.timestamp() if spec.reservation_start_time else now)
        if t0 > now:
            record.wire["phase_transitions"].append(
                {"phase": "CLUSTER_PHASE_SCHEDULED", "transition_time": format_ts(now)}
            )
            record.steps.append(Step(t0, "start", now))
        else:
            record.transition("WaitingForControlPlaneNodes", now)
        actions = ["control_plane_up", "data_plane_up"]
        actions += ["volume_ready"] if record.volume_ids else []
        actions += ["drivers_installed"] if record.acceptance_tests else []  # → RunningAcceptanceTests
        actions += ["ready"]
        previous = t0
        for k, action in enumerate(actions, start=1):
            due = max(previous, t0 + self.config.provisioning_seconds * k / len(actions))
            if action == "volume_ready":
                due = max(due, volume_ready_at)
            record.steps.append(Step(due, action, previous))
            previous = due

    # --- time passing ----------------------------------------------------------------------------

    def advance(self, record: ClusterRecord, now: float) -> bool:
        """Apply every step of ``record`` due by ``now``; True if anything changed."""
        changed = False
        while record.steps and record.steps[0].due <= now:
            step = record.steps.pop(0)
            self.apply(record, step, step.due)
            changed = True
            if step.action == "gone":
                break
        return changed

    def apply(self, record: ClusterRecord, step: Step, at: float) -> None:
        """Enter the state a due step leads to."""
        w = record.wire
        action = step.action
        if action == "start":
            record.transition("WaitingForControlPlaneNodes", at)
        elif action == "control_plane_up":
            w["control_plane_nodes"] = [self.fabricate.control_plane_node(record, step.since, at)]
            w["control_plane_ready"] = True
            w["kube_config"] = self.fabricate.kube_config(record)
            record.transition("WaitingForDataPlaneNodes", at)
        elif action == "data_plane_up":
            self.nodes.reconcile(record, step.since, at, initial=True)
            record.transition("WaitingForSharedVolume" if record.volume_ids else "InstallingDrivers", at)
        elif action == "volume_ready":
            record.transition("InstallingDrivers", at)
        elif action == "drivers_installed":
            record.transition("RunningAcceptanceTests", at)
        elif action in ("ready", "scale_done", "type_switched"):
            if action == "scale_done":
                self.nodes.reconcile(record, step.since, at, initial=False)
            if action == "type_switched":
                self.nodes.relabel(record)
            record.transition("Ready", at)
            w.setdefault("first_ready_at", format_ts(at))
        elif action == "gone":
            self.state.remove_cluster(record.cluster_id)
        else:  # pragma: no cover - steps are only created in this module
            raise AssertionError(f"unknown step {action}")

    def finish_bring_up(self, record: ClusterRecord, now: float) -> None:
        """Apply every pending step except the end of a deletion, as if their time had come."""
        for step in [s for s in record.steps if s.action != "gone"]:
            record.steps.remove(step)
            self.apply(record, step, min(step.due, now))

    # --- changes ---------------------------------------------------------------------------------

    def scale(self, record: ClusterRecord, num_gpus: int, now: float) -> None:
        """Start a scale to ``num_gpus``: back to ``WaitingForDataPlaneNodes`` for a third of the bring-up."""
        w = record.wire
        w["num_gpus"] = num_gpus
        if self.provisioning(record):
            # Still coming up: the bring-up creates the right number of nodes, or fixes it now.
            if w["gpu_worker_nodes"]:
                self.nodes.reconcile(record, now, now, initial=False)
            return
        record.steps = [s for s in record.steps if s.action != "scale_done"]
        if w["status"] != "WaitingForDataPlaneNodes":
            record.transition("WaitingForDataPlaneNodes", now)
        record.schedule(Step(now + self.config.provisioning_seconds / 3, "scale_done", now))

    def switch_type(self, record: ClusterRecord, cluster_type: str, now: float) -> None:
        """Reinstall the orchestrator: ``WaitingForControlPlaneNodes`` for a third of the bring-up,
        then the nodes carry (or lose) their Slurm host names and the cluster is ``Ready``."""
        w = record.wire
        w["cluster_type"] = cluster_type
        if cluster_type == "SLURM":
            w.setdefault("slurm_shm_size_gib", DEFAULT_SLURM_SHM_GIB)
        else:
            w.pop("slurm_shm_size_gib", None)
        if self.provisioning(record):  # the bring-up installs the new orchestrator
            self.nodes.relabel(record)
            return
        record.steps = [s for s in record.steps if s.action != "type_switched"]
        record.transition("WaitingForControlPlaneNodes", now)
        record.schedule(Step(now + self.config.provisioning_seconds / 3, "type_switched", now))

    @staticmethod
    def provisioning(record: ClusterRecord) -> bool:
        """True while the initial bring-up has steps left."""
        return any(s.action in PROVISIONING_ACTIONS for s in record.steps)

    def start_deletion(self, record: ClusterRecord, now: float) -> None:
        """``Deleting`` now, gone after ``deletion_seconds``."""
        record.transition("Deleting", now)
        record.steps = [Step(now + self.config.deletion_seconds, "gone", now)]


def _reservation_window(spec: ClusterSpec, now: float) -> dict[str, str]:
    """``reservation_start_time``/``end_time``: RESERVED runs ``duration_days`` from its start."""
    start = spec.reservation_start_time.timestamp() if spec.reservation_start_time else now
    end = spec.reservation_end_time.timestamp() if spec.reservation_end_time else None
    if spec.billing_type == "RESERVED" and end is None:
        end = max(start, now) + (spec.duration_days or 0) * 86400.0
    out: dict[str, str] = {}
    if spec.reservation_start_time is not None or spec.billing_type == "RESERVED":
        out["reservation_start_time"] = format_ts(start)
    if end is not None:
        out["reservation_end_time"] = format_ts(end)
    return out
