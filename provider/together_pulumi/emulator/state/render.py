"""Records → the JSON the API returns (``Cluster`` and ``ClusterStorage`` of the SDK)."""

from __future__ import annotations

import copy
from typing import Any

from .clock import format_ts
from .memory import State
from .records import ClusterRecord, RemediationRecord, VolumeRecord

__all__ = ["add_on_enabled", "render_cluster", "render_remediation", "render_volume", "volume_status"]

_REMEDIATION_TIMES = ("create_time", "update_time", "start_time", "end_time", "review_time")
_REMEDIATION_TEXTS = (
    "reason",
    "requested_by",
    "reviewed_by",
    "review_comment",
    "error_message",
    "instance_name",
    "passive_health_check_event_id",
)


def volume_status(state: State, volume: VolumeRecord, now: float) -> str:
    """A forced status as set; ``deleting`` after a DELETE; ``provisioning`` until available, then
    ``bound`` while attached, else ``available``."""
    if volume.forced_status is not None:
        return volume.forced_status
    if volume.deleting_until is not None:
        return "deleting"
    if now < volume.available_at:
        return "provisioning"
    if state.bound_to(volume.volume_id) is not None:
        return "bound"
    return "available"


def render_volume(state: State, volume: VolumeRecord, now: float) -> dict[str, Any]:
    """A volume as the API shows it (no region: the API does not return it)."""
    return {
        "volume_id": volume.volume_id,
        "volume_name": volume.volume_name,
        "size_tib": volume.size_tib,
        "status": volume_status(state, volume, now),
    }


def add_on_enabled(add_on: dict[str, Any]) -> bool:
    """The service returns "only add-ons with enabled=true"; an add-on without config counts as on."""
    own = (add_on.get("config") or {}).get(add_on["add_on_type"]) or {}
    return own.get("enabled", True) is not False


def render_cluster(state: State, record: ClusterRecord, now: float) -> dict[str, Any]:
    """A cluster as the API shows it: stored fields plus its volumes and enabled add-ons."""
    out = copy.deepcopy(record.wire)
    out["volumes"] = [render_volume(state, state.volumes[v], now) for v in record.volume_ids if v in state.volumes]
    out["add_ons"] = [
        {
            "add_on_type": a["add_on_type"],
            "name": a["name"],
            "config": copy.deepcopy(a.get("config") or {a["add_on_type"]: {"enabled": True}}),
            "state": {a["add_on_type"]: {}},
        }
        for a in record.add_ons
        if add_on_enabled(a)
    ]
    latest: dict[str, RemediationRecord] = {}
    for remediation in state.remediations_of(record.cluster_id):  # oldest first: the last one wins
        latest[remediation.instance_id] = remediation
    for node in [*out["gpu_worker_nodes"], *out["deleted_gpu_worker_nodes"]]:
        found = latest.get(node.get("instance_id", ""))
        if found is not None:
            node["latest_remediation"] = render_remediation(found)
    return out


def render_remediation(record: RemediationRecord) -> dict[str, Any]:
    """A remediation as the API shows it (the SDK's ``Remediation``); unset optional fields are omitted."""
    out: dict[str, Any] = {
        "id": record.id,
        "cluster_id": record.cluster_id,
        "instance_id": record.instance_id,
        "mode": record.mode,
        "state": record.state,
        "trigger": record.trigger,
    }
    for name in _REMEDIATION_TIMES:
        value = getattr(record, name)
        if value is not None:
            out[name] = format_ts(value)
    for name in _REMEDIATION_TEXTS:
        value = getattr(record, name)
        if value is not None:
            out[name] = value
    if record.linked_alerts:
        out["linked_alerts"] = copy.deepcopy(record.linked_alerts)
    return out
