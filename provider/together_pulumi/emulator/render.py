"""Records → the JSON the API returns (``Cluster`` and ``ClusterStorage`` of the SDK)."""

from __future__ import annotations

import copy
from typing import Any

from .records import ClusterRecord, VolumeRecord
from .state import State

__all__ = ["add_on_enabled", "render_cluster", "render_volume", "volume_status"]


def volume_status(state: State, volume: VolumeRecord, now: float) -> str:
    """``provisioning`` until available, then ``bound`` while attached, else ``available``."""
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
    return out
