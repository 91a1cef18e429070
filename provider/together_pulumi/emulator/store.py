"""State of the emulator: clusters, volumes, capacity, the virtual clock and persistence.

The lifecycle is evaluated lazily: each object stores *when* its next phases are due, and every
request first applies the transitions whose time has come (:meth:`Store.sync`). No background
thread runs, so tests drive time with the virtual clock instead of sleeping. Transition times in
``phase_transitions`` are the due times, not the time somebody happened to look.

Mutating responses (create, update, delete) show the object as it is right after the mutation,
as the real service does (a new cluster answers ``WaitingForControlPlaneNodes``); transitions
that are already due (e.g. with ``--provisioning-seconds 0``) appear from the next request on.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import random
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .catalog import DEFAULT_CAPACITY_GPUS, GPU_TYPES, find_region
from .config import EmulatorConfig
from .errors import ApiError, GrpcCode
from .validation import (
    GPUS_PER_NODE,
    Checker,
    ClusterSpec,
    parse_cluster_create,
    parse_cluster_update,
    parse_volume_create,
    require_object,
)

__all__ = ["STATUS_PHASES", "Clock", "Store", "format_ts"]

STATE_FORMAT = 1

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


def format_ts(ts: float) -> str:
    """RFC 3339 UTC with milliseconds and a ``Z``, e.g. ``2026-07-01T12:00:00.250Z``."""
    dt = datetime.fromtimestamp(ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


class Clock:
    """Virtual time: ``now = base + real elapsed * scale + offset`` (seconds since the epoch).

    Changing the scale re-anchors so time never jumps; ``advance`` only moves forward, so lazily
    evaluated lifecycles never run backwards.
    """

    def __init__(self, start: float | None = None) -> None:
        self.reset(start)

    def reset(self, start: float | None = None) -> None:
        self._anchor_real = time.monotonic()
        self._anchor_virtual = start if start is not None else time.time()
        self.scale = 1.0
        self.offset_seconds = 0.0

    def now(self) -> float:
        return self._anchor_virtual + (time.monotonic() - self._anchor_real) * self.scale + self.offset_seconds

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0 (the clock never goes back); got {seconds}")
        self.offset_seconds += seconds

    def set_scale(self, scale: float) -> None:
        if scale < 0:
            raise ValueError(f"scale must be >= 0; got {scale}")
        self._anchor_virtual = self.now() - self.offset_seconds
        self._anchor_real = time.monotonic()
        self.scale = scale

    def to_dict(self) -> dict[str, Any]:
        return {"now": format_ts(self.now()), "scale": self.scale, "offset_seconds": self.offset_seconds}


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

    @property
    def cluster_id(self) -> str:
        return str(self.wire["cluster_id"])

    def transition(self, status: str, at: float) -> None:
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


class Store:
    """All mutable state behind one lock. Methods return wire dicts or raise :class:`ApiError`."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = Clock()
        self.lock = threading.RLock()
        self._ids = random.Random(config.seed)
        self.clusters: dict[str, ClusterRecord] = {}
        self.volumes: dict[str, VolumeRecord] = {}
        self.capacity: dict[tuple[str, str], int] = {}
        if config.state_file is not None:
            self._load(config.state_file)

    # ------------------------------------------------------------------ housekeeping

    def reset(self) -> None:
        with self.lock:
            self.clusters.clear()
            self.volumes.clear()
            self.capacity.clear()
            self._ids = random.Random(self.config.seed)
            self.clock.reset()
            self._save()

    def _new_uuid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def _hex(self, n: int) -> str:
        return f"{self._ids.getrandbits(4 * n):0{n}x}"

    def sync(self) -> float:
        """Apply every due transition; returns the virtual now. Persists if anything changed."""
        with self.lock:
            now = self.clock.now()
            changed = False
            for record in list(self.clusters.values()):
                changed |= self._advance(record, now)
            if changed:
                self._save()
            return now

    def _advance(self, record: ClusterRecord, now: float) -> bool:
        changed = False
        while record.steps and record.steps[0].due <= now:
            step = record.steps.pop(0)
            self._apply(record, step, step.due)
            changed = True
            if step.action == "gone":
                break
        return changed

    # ------------------------------------------------------------------ rendering

    def volume_status(self, volume: VolumeRecord, now: float) -> str:
        if now < volume.available_at:
            return "provisioning"
        if any(volume.volume_id in c.volume_ids for c in self.clusters.values()):
            return "bound"
        return "available"

    def render_volume(self, volume: VolumeRecord, now: float) -> dict[str, Any]:
        return {
            "volume_id": volume.volume_id,
            "volume_name": volume.volume_name,
            "size_tib": volume.size_tib,
            "status": self.volume_status(volume, now),
        }

    @staticmethod
    def _add_on_enabled(add_on: dict[str, Any]) -> bool:
        # The service returns "only add-ons with enabled=true"; an add-on without config counts as on.
        own = (add_on.get("config") or {}).get(add_on["add_on_type"]) or {}
        return own.get("enabled", True) is not False

    def render_cluster(self, record: ClusterRecord, now: float) -> dict[str, Any]:
        out = copy.deepcopy(record.wire)
        out["volumes"] = [self.render_volume(self.volumes[v], now) for v in record.volume_ids if v in self.volumes]
        out["add_ons"] = [
            {
                "add_on_type": a["add_on_type"],
                "name": a["name"],
                "config": copy.deepcopy(a.get("config") or {a["add_on_type"]: {"enabled": True}}),
                "state": {a["add_on_type"]: {}},
            }
            for a in record.add_ons
            if self._add_on_enabled(a)
        ]
        return out

    # ------------------------------------------------------------------ lookups

    def _cluster(self, cluster_id: str) -> ClusterRecord:
        record = self.clusters.get(cluster_id)
        if record is None:
            raise ApiError.not_found(f"cluster {cluster_id} not found")
        return record

    def _volume(self, volume_id: str) -> VolumeRecord:
        volume = self.volumes.get(volume_id)
        if volume is None:
            raise ApiError.not_found(f"volume {volume_id} not found")
        return volume

    def _bound_to(self, volume_id: str) -> ClusterRecord | None:
        return next((c for c in self.clusters.values() if volume_id in c.volume_ids), None)

    def capacity_of(self, region: str, gpu_type: str) -> int:
        return self.capacity.get((region, gpu_type), DEFAULT_CAPACITY_GPUS)

    def used_gpus(self, region: str, gpu_type: str) -> int:
        """GPUs held by clusters that still exist (a ``Deleting`` cluster holds its GPUs until gone)."""
        return sum(
            int(c.wire["num_gpus"])
            for c in self.clusters.values()
            if c.wire["region"] == region and c.wire["gpu_type"] == gpu_type
        )

    def _check_stock(self, region: str, gpu_type: str, extra: int) -> None:
        capacity = self.capacity_of(region, gpu_type)
        free = capacity - self.used_gpus(region, gpu_type)
        if extra > free:
            raise ApiError(
                GrpcCode.ABORTED,
                f"Out of stock: {extra} more {gpu_type} GPUs requested in {region} but only {max(free, 0)} "
                f"of {capacity} are free; try another region (GET /v1/compute/regions) or fewer GPUs",
                headers={"x-should-retry": "false"},
            )

    # ------------------------------------------------------------------ clusters

    def list_clusters(self, project_id: str | None) -> dict[str, Any]:
        with self.lock:
            now = self.sync()
            return {
                "clusters": [
                    self.render_cluster(c, now)
                    for c in self.clusters.values()
                    if project_id is None or c.wire["project_id"] == project_id
                ]
            }

    def get_cluster(self, cluster_id: str) -> dict[str, Any]:
        with self.lock:
            now = self.sync()
            return self.render_cluster(self._cluster(cluster_id), now)

    def create_cluster(self, body: Any) -> dict[str, Any]:
        with self.lock:
            now = self.sync()
            spec = parse_cluster_create(body)
            self._check_volume_attachment(spec)
            self._check_stock(spec.region.name, spec.gpu_type, spec.num_gpus)
            record = self._build_cluster(spec, now)
            self.clusters[record.cluster_id] = record
            self._save()
            return self.render_cluster(record, now)

    def _check_volume_attachment(self, spec: ClusterSpec) -> None:
        if spec.volume_id is None:
            return
        volume = self.volumes.get(spec.volume_id)
        if volume is None:
            raise ApiError.field(
                "volume_id",
                f"volume_id {spec.volume_id!r} does not exist; create it first "
                "(POST /v1/compute/clusters/storage/volumes) or use shared_volume",
            )
        if volume.region != spec.region.name:
            raise ApiError.field(
                "volume_id",
                f"Shared volume does not exist in the datacenter {spec.region.name}: "
                f"volume {volume.volume_id} is in {volume.region}; use a volume of region {spec.region.name}",
            )
        owner = self._bound_to(volume.volume_id)
        if owner is not None:
            raise ApiError.field(
                "volume_id",
                f"volume_id {volume.volume_id} is already bound to cluster {owner.cluster_id}; "
                "a volume can be attached to one cluster at a time",
            )

    def _build_cluster(self, spec: ClusterSpec, now: float) -> ClusterRecord:
        cluster_id = f"t-{self._new_uuid()}"
        while cluster_id in self.clusters:  # only possible after a restart with the same seed
            cluster_id = f"t-{self._new_uuid()}"
        project_id = spec.project_id or self.config.default_project_id
        created = format_ts(now)
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
            "ums_org_id": "org-emulator",
            "status": "WaitingForControlPlaneNodes",
            "kube_config": "",
            "control_plane_ready": False,
            "control_plane_nodes": [],
            "gpu_worker_nodes": [],
            "deleted_gpu_worker_nodes": [],
            "node_lifecycle_events": [],
            "phase_transitions": [{"phase": "CLUSTER_PHASE_QUEUED", "transition_time": created}],
            "num_cpu_workers": 0,
            "desired_preemptible_gpus": spec.num_preemptible_gpus,
            "allocated_preemptible_gpus": 0,
            "num_reserved_gpus": spec.num_reserved_gpus,
            "num_capacity_pool_gpus": spec.num_capacity_pool_gpus,
            "duration_hours": (spec.duration_days or 0) * 24,
            "created_at": created,
            "is_in_substrate": True,
            "machine_cluster_id": f"mc-{self._hex(12)}",
        }
        if spec.capacity_pool_id is not None:
            wire["capacity_pool_id"] = spec.capacity_pool_id
        if spec.cluster_config is not None:
            wire["cluster_config"] = copy.deepcopy(spec.cluster_config)
        if spec.oidc_config is not None:
            wire["oidc_config"] = spec.oidc_config
        if spec.slurm_shm_size_gib is not None:
            wire["slurm_shm_size_gib"] = spec.slurm_shm_size_gib
        if spec.install_traefik is not None:
            wire["install_traefik"] = spec.install_traefik
        start = spec.reservation_start_time.timestamp() if spec.reservation_start_time else now
        end = spec.reservation_end_time.timestamp() if spec.reservation_end_time else None
        if spec.billing_type == "RESERVED" and end is None:
            end = max(start, now) + (spec.duration_days or 0) * 86400.0
        if spec.reservation_start_time is not None or spec.billing_type == "RESERVED":
            wire["reservation_start_time"] = format_ts(start)
        if end is not None:
            wire["reservation_end_time"] = format_ts(end)

        record = ClusterRecord(wire=wire)
        record.add_ons = [copy.deepcopy(a) for a in spec.add_ons]
        volume_ready_at = now
        if spec.volume_id is not None:
            record.volume_ids.append(spec.volume_id)
            volume_ready_at = self.volumes[spec.volume_id].available_at
        elif spec.shared_volume is not None:
            sv = spec.shared_volume
            volume = VolumeRecord(
                volume_id=f"vol-{self._new_uuid()}",
                volume_name=sv.volume_name,
                size_tib=sv.size_tib,
                region=sv.region,
                project_id=sv.project_id or project_id,
                is_lifecycle_independent=sv.is_lifecycle_independent,
                created_at=now,
                available_at=now + self.config.volume_provisioning_seconds,
                inline_for=cluster_id,
            )
            self.volumes[volume.volume_id] = volume
            record.volume_ids.append(volume.volume_id)
            record.inline_volume_id = volume.volume_id
            volume_ready_at = volume.available_at

        # Bring-up plan: phases spread evenly over provisioning_seconds, starting at the
        # reservation start for scheduled capacity, never before the volume is available.
        t0 = max(now, start)
        if t0 > now:
            wire["phase_transitions"].append({"phase": "CLUSTER_PHASE_SCHEDULED", "transition_time": created})
            record.steps.append(Step(t0, "start", now))
        else:
            record.transition("WaitingForControlPlaneNodes", now)
        actions = ["control_plane_up", "data_plane_up"]
        actions += ["volume_ready"] if record.volume_ids else []
        actions += ["drivers_installed", "ready"]
        previous = t0
        for k, action in enumerate(actions, start=1):
            due = max(previous, t0 + self.config.provisioning_seconds * k / len(actions))
            if action == "volume_ready":
                due = max(due, volume_ready_at)
            record.steps.append(Step(due, action, previous))
            previous = due
        return record

    def _apply(self, record: ClusterRecord, step: Step, at: float) -> None:
        """Enter the state a due step leads to."""
        w = record.wire
        action = step.action
        if action == "start":
            record.transition("WaitingForControlPlaneNodes", at)
        elif action == "control_plane_up":
            w["control_plane_nodes"] = [self._control_plane_node(record, step.since, at)]
            w["control_plane_ready"] = True
            w["kube_config"] = self._kube_config(record)
            record.transition("WaitingForDataPlaneNodes", at)
        elif action == "data_plane_up":
            self._reconcile_workers(record, step.since, at, initial=True)
            record.transition("WaitingForSharedVolume" if record.volume_ids else "InstallingDrivers", at)
        elif action == "volume_ready":
            record.transition("InstallingDrivers", at)
        elif action == "drivers_installed":
            record.transition("RunningAcceptanceTests", at)
        elif action in ("ready", "scale_done"):
            if action == "scale_done":
                self._reconcile_workers(record, step.since, at, initial=False)
            record.transition("Ready", at)
            w.setdefault("first_ready_at", format_ts(at))
        elif action == "gone":
            self._remove_cluster(record.cluster_id)
        else:  # pragma: no cover - steps are only created in this module
            raise AssertionError(f"unknown step {action}")

    def _control_plane_node(self, record: ClusterRecord, since: float, at: float) -> dict[str, Any]:
        w = record.wire
        return {
            "node_id": f"cp-{self._hex(8)}",
            "host_name": f"cp-0.{w['cluster_id']}.{w['region']}.cloud.together.ai",
            "status": "Running",
            "num_cpu_cores": 16,
            "memory_gib": 64.0,
            "network": "10.0.0.0/24",
            "public_ipv4": f"203.0.113.{self._ids.randrange(1, 255)}",
            "phase_transitions": _node_phases(since, at),
        }

    def _worker_node(self, record: ClusterRecord, since: float, at: float) -> dict[str, Any]:
        w = record.wire
        index = record.next_node_index
        record.next_node_index += 1
        cores, memory, hcas = _NODE_SHAPES.get(w["gpu_type"], (128, 1024.0, 0))
        name = f"gpu-{index:03d}"
        node: dict[str, Any] = {
            "node_id": f"{name}-{self._hex(6)}",
            "host_name": f"{name}.{w['cluster_id']}.{w['region']}.cloud.together.ai",
            "status": "Running",
            "num_cpu_cores": cores,
            "num_gpus": GPUS_PER_NODE,
            "memory_gib": memory,
            "networks": [f"10.1.{index % 256}.0/24", f"ib-{w['region']}"],
            "instance_id": f"i-{self._hex(16)}",
            "public_ipv4": f"198.51.100.{self._ids.randrange(1, 255)}",
            "ephemeral_storage": "1Ti",
            "ib_hca_count": hcas,
            "ib_hca_type": "ConnectX-7" if hcas else "",
            "nvswitch_count": 4 if hcas else 0,
            "nvswitch_type": "NVSwitch" if hcas else "",
            "auto_remediation_enabled": False,
            "marked_for_deletion": False,
            "phase_transitions": _node_phases(since, at),
        }
        if w["cluster_type"] == "SLURM":
            node["slurm_worker_hostname"] = f"{name}.slurm-compute.slurm"
        return node

    def _reconcile_workers(self, record: ClusterRecord, since: float, at: float, *, initial: bool) -> None:
        """Add or remove worker nodes until there is one per 8 GPUs; newest nodes leave first."""
        w = record.wire
        workers: list[dict[str, Any]] = w["gpu_worker_nodes"]
        target = int(w["num_gpus"]) // GPUS_PER_NODE
        stamp = format_ts(at)
        while len(workers) < target:
            node = self._worker_node(record, since, at)
            workers.append(node)
            reason = "TogetherNodeAdded" if initial else "TogetherScaledUp"
            w["node_lifecycle_events"].append(
                {
                    "message": f"node {node['node_id']} joined the cluster",
                    "node_id": node["node_id"],
                    "reason": reason,
                    "timestamp": stamp,
                }
            )
        while len(workers) > target:
            node = workers.pop()
            node["status"] = "Deleted"
            node["deleted_at"] = stamp
            w["deleted_gpu_worker_nodes"].append(node)
            w["node_lifecycle_events"].append(
                {
                    "message": f"node {node['node_id']} removed by scale-down",
                    "node_id": node["node_id"],
                    "reason": "TogetherScaledDown",
                    "timestamp": stamp,
                }
            )
        w["allocated_preemptible_gpus"] = w["desired_preemptible_gpus"]

    def _kube_config(self, record: ClusterRecord) -> str:
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
            f'    token: "{self._hex(48)}"\n'
            "contexts:\n"
            f"- name: {cid}-admin\n"
            "  context:\n"
            f"    cluster: {cid}\n"
            f"    user: {cid}-admin\n"
            f"current-context: {cid}-admin\n"
            "preferences: {}\n"
        )
        return base64.b64encode(text.encode()).decode()

    def update_cluster(self, cluster_id: str, body: Any) -> dict[str, Any]:
        with self.lock:
            now = self.sync()
            record = self._cluster(cluster_id)
            w = record.wire
            if w["status"] == "Deleting":
                raise ApiError(GrpcCode.ABORTED, f"cluster {cluster_id} is being deleted; it can no longer be updated")
            up = parse_cluster_update(body, w, [a["name"] for a in record.add_ons])
            if up.num_gpus is not None and up.num_gpus > w["num_gpus"]:
                self._check_stock(w["region"], w["gpu_type"], up.num_gpus - int(w["num_gpus"]))
            if up.cluster_type is not None:
                w["cluster_type"] = up.cluster_type
            if up.num_reserved_gpus is not None:
                w["num_reserved_gpus"] = up.num_reserved_gpus
            if up.num_capacity_pool_gpus is not None:
                w["num_capacity_pool_gpus"] = up.num_capacity_pool_gpus
            if up.reservation_end_time is not None and w["billing_type"] != "ON_DEMAND":
                w["reservation_end_time"] = format_ts(up.reservation_end_time.timestamp())
            if up.cluster_config is not None:
                w["cluster_config"] = copy.deepcopy(up.cluster_config)
            for patch in up.add_ons or []:
                target = next(a for a in record.add_ons if a["name"] == patch["name"])
                if patch["config"] is not None:
                    target["config"] = _merge(target.get("config") or {}, patch["config"])
            if up.num_preemptible_gpus is not None:
                w["desired_preemptible_gpus"] = up.num_preemptible_gpus
                if w["status"] == "Ready":
                    w["allocated_preemptible_gpus"] = up.num_preemptible_gpus
            if up.num_gpus is not None and up.num_gpus != w["num_gpus"]:
                self._scale(record, up.num_gpus, now)
            self._save()
            return self.render_cluster(record, now)

    def _scale(self, record: ClusterRecord, num_gpus: int, now: float) -> None:
        w = record.wire
        w["num_gpus"] = num_gpus
        provisioning = any(s.action in PROVISIONING_ACTIONS for s in record.steps)
        if provisioning:
            # Still coming up: the bring-up creates the right number of nodes, or fixes it now.
            if w["gpu_worker_nodes"]:
                self._reconcile_workers(record, now, now, initial=False)
            return
        record.steps = [s for s in record.steps if s.action != "scale_done"]
        if w["status"] != "WaitingForDataPlaneNodes":
            record.transition("WaitingForDataPlaneNodes", now)
        record.steps.append(Step(now + self.config.provisioning_seconds / 3, "scale_done", now))

    def delete_cluster(self, cluster_id: str) -> dict[str, Any]:
        with self.lock:
            now = self.sync()
            record = self._cluster(cluster_id)
            if record.wire["status"] != "Deleting":  # a repeated DELETE is a no-op
                record.transition("Deleting", now)
                record.steps = [Step(now + self.config.deletion_seconds, "gone", now)]
                self._save()
            return {"cluster_id": cluster_id}

    def _remove_cluster(self, cluster_id: str) -> None:
        """The cluster is gone: its GPUs are free; its inline volume dies unless lifecycle-independent."""
        record = self.clusters.pop(cluster_id, None)
        if record is None:
            return
        for volume_id in record.volume_ids:
            volume = self.volumes.get(volume_id)
            if volume is not None and volume.inline_for == cluster_id and not volume.is_lifecycle_independent:
                del self.volumes[volume_id]

    # ------------------------------------------------------------------ volumes

    def list_volumes(self, project_id: str | None) -> dict[str, Any]:
        with self.lock:
            now = self.sync()
            return {
                "volumes": [
                    self.render_volume(v, now)
                    for v in self.volumes.values()
                    if project_id is None or v.project_id == project_id
                ]
            }

    def get_volume(self, volume_id: str) -> dict[str, Any]:
        with self.lock:
            now = self.sync()
            return self.render_volume(self._volume(volume_id), now)

    def create_volume(self, body: Any) -> dict[str, Any]:
        with self.lock:
            now = self.sync()
            spec = parse_volume_create(body)
            volume = VolumeRecord(
                volume_id=f"vol-{self._new_uuid()}",
                volume_name=spec.volume_name,
                size_tib=spec.size_tib,
                region=spec.region,
                project_id=spec.project_id or self.config.default_project_id,
                is_lifecycle_independent=spec.is_lifecycle_independent,
                created_at=now,
                available_at=now + self.config.volume_provisioning_seconds,
            )
            self.volumes[volume.volume_id] = volume
            self._save()
            return self.render_volume(volume, now)

    def update_volume(self, body: Any) -> dict[str, Any]:
        """Resize. Other keys (region, volume_name, ...) are ignored: Terraform sends whole models."""
        with self.lock:
            now = self.sync()
            c = Checker(require_object(body))
            volume_id = c.string("volume_id", required=True)
            size = c.integer("size_tib")
            c.raise_if_failed()
            assert volume_id is not None
            volume = self._volume(volume_id)
            if size is not None and size != volume.size_tib:
                if size < 1:
                    raise ApiError.field("size_tib", f"size_tib must be a whole number of TiB >= 1; got {size}")
                if size < volume.size_tib:
                    raise ApiError.field(
                        "size_tib",
                        f"shrinking a volume is not supported: {volume.size_tib} TiB -> {size} TiB; contact support",
                    )
                volume.size_tib = size
                self._save()
            return self.render_volume(volume, now)

    def delete_volume(self, volume_id: str) -> dict[str, Any]:
        with self.lock:
            self.sync()
            volume = self._volume(volume_id)
            owner = self._bound_to(volume_id)
            if owner is not None:
                raise ApiError(
                    GrpcCode.ABORTED,
                    f"volume {volume_id} is bound to cluster {owner.cluster_id}; delete or detach the cluster first",
                )
            del self.volumes[volume.volume_id]
            self._save()
            return {"success": True}

    # ------------------------------------------------------------------ out-of-band (admin) changes

    def _finish_bring_up(self, record: ClusterRecord, now: float) -> None:
        for step in [s for s in record.steps if s.action != "gone"]:
            record.steps.remove(step)
            self._apply(record, step, min(step.due, now))

    def admin_scale(self, cluster_id: str, body: Any) -> dict[str, Any]:
        """As if scaled in the web console: nodes change at once, no stock check, status Ready."""
        with self.lock:
            now = self.sync()
            record = self._cluster(cluster_id)
            c = Checker(require_object(body))
            num_gpus = c.integer("num_gpus", required=True)
            c.multiple_of_8("num_gpus", num_gpus, positive=True)
            c.raise_if_failed()
            assert num_gpus is not None
            if record.wire["status"] == "Deleting":
                raise ApiError(GrpcCode.ABORTED, f"cluster {cluster_id} is being deleted")
            self._finish_bring_up(record, now)
            record.wire["num_gpus"] = num_gpus
            self._reconcile_workers(record, now, now, initial=False)
            if record.wire["status"] != "Ready":
                record.transition("Ready", now)
            record.wire.setdefault("first_ready_at", format_ts(now))
            self._save()
            return self.render_cluster(record, now)

    def admin_remove(self, cluster_id: str) -> dict[str, Any]:
        with self.lock:
            self.sync()
            self._cluster(cluster_id)
            self._remove_cluster(cluster_id)
            self._save()
            return {"cluster_id": cluster_id}

    def admin_force_status(self, cluster_id: str, body: Any) -> dict[str, Any]:
        """Force a status; pending bring-up/scale steps are dropped so it sticks (Deleting still ends)."""
        with self.lock:
            now = self.sync()
            record = self._cluster(cluster_id)
            c = Checker(require_object(body))
            status = c.enum("status", tuple(STATUS_PHASES), required=True)
            c.raise_if_failed()
            assert status is not None
            record.steps = []
            record.transition(status, now)
            if status == "Deleting":
                record.steps = [Step(now + self.config.deletion_seconds, "gone", now)]
            if status == "Ready":
                record.wire.setdefault("first_ready_at", format_ts(now))
            self._save()
            return self.render_cluster(record, now)

    def set_capacity(self, body: Any) -> dict[str, Any]:
        with self.lock:
            c = Checker(require_object(body))
            region = c.string("region", required=True)
            gpu_type = c.enum("gpu_type", GPU_TYPES, required=True)
            gpus = c.integer("gpus", required=True)
            if region is not None and find_region(region) is None:
                c.fail("region", f"region {region!r} is not a known region")
            if gpus is not None and gpus < 0:
                c.fail("gpus", "gpus must be >= 0")
            c.raise_if_failed()
            assert region is not None and gpu_type is not None and gpus is not None
            self.capacity[(region, gpu_type)] = gpus
            self._save()
            return self._capacity_entry(region, gpu_type)

    def _capacity_entry(self, region: str, gpu_type: str) -> dict[str, Any]:
        return {
            "region": region,
            "gpu_type": gpu_type,
            "gpus": self.capacity_of(region, gpu_type),
            "used": self.used_gpus(region, gpu_type),
        }

    def dump(self) -> dict[str, Any]:
        """Everything, internal fields included (``GET /_emulator/state``)."""
        with self.lock:
            now = self.sync()
            clusters = []
            for record in self.clusters.values():
                item = self.render_cluster(record, now)
                item["_internal"] = {
                    "all_add_ons": copy.deepcopy(record.add_ons),
                    "volume_ids": list(record.volume_ids),
                    "inline_volume_id": record.inline_volume_id,
                    "pending_steps": [{"due": format_ts(s.due), "action": s.action} for s in record.steps],
                }
                clusters.append(item)
            volumes = []
            for volume in self.volumes.values():
                item = asdict(volume)
                item["status"] = self.volume_status(volume, now)
                item["created_at"] = format_ts(volume.created_at)
                item["available_at"] = format_ts(volume.available_at)
                bound = self._bound_to(volume.volume_id)
                item["bound_to"] = bound.cluster_id if bound else None
                volumes.append(item)
            pairs = {(c.wire["region"], c.wire["gpu_type"]) for c in self.clusters.values()} | set(self.capacity)
            return {
                "clusters": clusters,
                "volumes": volumes,
                "capacity": [self._capacity_entry(r, g) for r, g in sorted(pairs)],
                "clock": self.clock.to_dict(),
            }

    # ------------------------------------------------------------------ persistence

    def _save(self) -> None:
        """Write the state file atomically (temp file in the same directory + os.replace)."""
        path = self.config.state_file
        if path is None:
            return
        version, internal, gauss = self._ids.getstate()
        data = {
            "format": STATE_FORMAT,
            "saved_at": self.clock.now(),
            "id_rng": [version, list(internal), gauss],
            "clusters": [asdict(c) for c in self.clusters.values()],
            "volumes": [asdict(v) for v in self.volumes.values()],
            "capacity": [{"region": r, "gpu_type": g, "gpus": n} for (r, g), n in self.capacity.items()],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def save(self) -> None:
        with self.lock:
            self._save()

    def _load(self, path: Path) -> None:
        if not path.exists() or path.stat().st_size == 0:
            return
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"{path}: unsupported state format {data.get('format')!r}; expected {STATE_FORMAT}")
        # Virtual time continues from where the last run stopped, so nothing runs backwards.
        self.clock.reset(max(time.time(), float(data["saved_at"])))
        version, internal, gauss = data["id_rng"]
        self._ids.setstate((version, tuple(internal), gauss))
        for raw in data["clusters"]:
            raw["steps"] = [Step(**s) for s in raw["steps"]]
            record = ClusterRecord(**raw)
            self.clusters[record.cluster_id] = record
        for raw in data["volumes"]:
            volume = VolumeRecord(**raw)
            self.volumes[volume.volume_id] = volume
        for entry in data.get("capacity", []):
            self.capacity[(entry["region"], entry["gpu_type"])] = int(entry["gpus"])


def _node_phases(since: float, at: float) -> list[dict[str, str]]:
    mid = since + (at - since) / 2
    return [
        {"phase": "NODE_PHASE_PENDING", "transition_time": format_ts(since)},
        {"phase": "NODE_PHASE_BOOTING", "transition_time": format_ts(mid)},
        {"phase": "NODE_PHASE_RUNNING", "transition_time": format_ts(at)},
    ]


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Deep merge for add-on configs (the update "provides the new external config to merge")."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif value is not None:
            out[key] = copy.deepcopy(value)
    return out
