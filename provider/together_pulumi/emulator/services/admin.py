"""Out-of-band changes and inspection for the ``/_emulator`` admin API.

These are what happens to a cluster outside the API (a console scale, a forced status, an
operator removing it), plus the clock, capacity and a dump of everything.
"""

from __future__ import annotations

import copy
from dataclasses import asdict
from typing import Any

from ..errors import ApiError, GrpcCode
from ..state.clock import format_ts
from ..state.records import Step
from ..state.render import render_cluster, render_remediation, render_volume, volume_status
from ..state.store import Service, reads, writes
from ..validation import (
    parse_admin_scale,
    parse_admin_status,
    parse_admin_volume_status,
    parse_capacity,
    parse_preempt,
    require_number,
)

__all__ = ["AdminService"]


class AdminService(Service):
    """The admin operations; bodies are validated like API bodies (400 naming the field)."""

    @writes
    def scale(self, now: float, cluster_id: str, body: Any) -> dict[str, Any]:
        """As if scaled in the web console: nodes change at once, no stock check, status Ready."""
        record = self.state.cluster(cluster_id)
        num_gpus = parse_admin_scale(body)
        if record.wire["status"] == "Deleting":
            raise ApiError(GrpcCode.ABORTED, f"cluster {cluster_id} is being deleted")
        self.store.lifecycle.finish_bring_up(record, now)
        record.wire["num_gpus"] = num_gpus
        self.store.nodes.make_room(record.wire["region"], record.wire["gpu_type"], now)
        self.store.nodes.reconcile(record, now, now, initial=False)
        if record.wire["status"] != "Ready":
            record.transition("Ready", now)
        record.wire.setdefault("first_ready_at", format_ts(now))
        return render_cluster(self.state, record, now)

    @writes
    def preempt(self, now: float, cluster_id: str, body: Any) -> dict[str, Any]:
        """Reclaim preemptible GPUs now (``{"gpus": N}``, default all), as capacity pressure would."""
        record = self.state.cluster(cluster_id)
        gpus = parse_preempt(body, int(record.wire["allocated_preemptible_gpus"]))
        self.store.nodes.preempt(record, gpus, now)
        return render_cluster(self.state, record, now)

    @writes
    def remove(self, now: float, cluster_id: str) -> dict[str, Any]:
        """Gone at once (404 from now on); attached volumes are released."""
        self.state.cluster(cluster_id)
        self.state.remove_cluster(cluster_id)
        return {"cluster_id": cluster_id}

    @writes
    def force_status(self, now: float, cluster_id: str, body: Any) -> dict[str, Any]:
        """Force a status; pending bring-up/scale steps are dropped so it sticks (Deleting still ends)."""
        record = self.state.cluster(cluster_id)
        status = parse_admin_status(body)
        record.steps = []
        if status == "Deleting":
            self.store.lifecycle.start_deletion(record, now)
        else:
            record.transition(status, now)
        if status == "Ready":
            record.wire.setdefault("first_ready_at", format_ts(now))
        return render_cluster(self.state, record, now)

    @writes
    def force_volume_status(self, now: float, volume_id: str, body: Any) -> dict[str, Any]:
        """Show a volume as ``{"status": S}`` until cleared with null; ``failed`` stops its deletion."""
        volume = self.state.volume(volume_id)
        volume.forced_status = parse_admin_volume_status(body)
        self.store.finish_volume_deletions(now)
        return render_volume(self.state, volume, now)

    @writes
    def set_capacity(self, now: float, body: Any) -> dict[str, Any]:
        """Set the GPUs a (region, GPU type) can hand out."""
        setting = parse_capacity(body)
        self.state.capacity[(setting.region, setting.gpu_type)] = setting.gpus
        return self.state.capacity_entry(setting.region, setting.gpu_type)

    @writes
    def advance_clock(self, now: float, body: Any) -> dict[str, Any]:
        """Move virtual time forward by ``{"seconds": S}`` and apply what became due."""
        seconds = require_number(body, "seconds")
        try:
            self.store.clock.advance(seconds)
        except ValueError as exc:
            raise ApiError.field("seconds", str(exc)) from None
        self.store.sync()
        return self.store.clock.to_dict()

    @writes
    def set_clock_scale(self, now: float, body: Any) -> dict[str, Any]:
        """``{"scale": X}``: X times real time; 0 freezes it."""
        scale = require_number(body, "scale")
        try:
            self.store.clock.set_scale(scale)
        except ValueError as exc:
            raise ApiError.field("scale", str(exc)) from None
        return self.store.clock.to_dict()

    @reads
    def clock(self, now: float) -> dict[str, Any]:
        """The clock as the admin API shows it."""
        return self.store.clock.to_dict()

    @reads
    def dump(self, now: float) -> dict[str, Any]:
        """Everything, internal fields included (``GET /_emulator/state``)."""
        state = self.state
        clusters = []
        for record in state.clusters.values():
            item = render_cluster(state, record, now)
            item["_internal"] = {
                "all_add_ons": copy.deepcopy(record.add_ons),
                "volume_ids": list(record.volume_ids),
                "inline_volume_id": record.inline_volume_id,
                "pending_steps": _steps(record.steps),
            }
            clusters.append(item)
        volumes = []
        for volume in state.volumes.values():
            item = asdict(volume)
            item["status"] = volume_status(state, volume, now)
            item["created_at"] = format_ts(volume.created_at)
            item["available_at"] = format_ts(volume.available_at)
            bound = state.bound_to(volume.volume_id)
            item["bound_to"] = bound.cluster_id if bound else None
            volumes.append(item)
        pairs = {(c.wire["region"], c.wire["gpu_type"]) for c in state.clusters.values()} | set(state.capacity)
        return {
            "clusters": clusters,
            "volumes": volumes,
            "remediations": [
                {**render_remediation(r), "_internal": {"outcome": r.outcome, "pending_steps": _steps(r.steps)}}
                for r in state.remediations.values()
            ],
            "capacity": [state.capacity_entry(r, g) for r, g in sorted(pairs)],
            "clock": self.store.clock.to_dict(),
        }


def _steps(steps: list[Step]) -> list[dict[str, str]]:
    return [{"due": format_ts(s.due), "action": s.action} for s in steps]
