"""``/_emulator``: the admin API for tests (no auth, never faulted, not in the request log)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..errors import ApiError
from ._common import Body, Emu

router = APIRouter(prefix="/_emulator")


@router.get("/health")
def health() -> dict[str, Any]:
    return {"ok": True}


@router.post("/reset")
def reset(emu: Emu) -> dict[str, Any]:
    emu.reset()
    return {"ok": True}


@router.get("/faults")
def get_faults(emu: Emu) -> dict[str, Any]:
    return emu.faults.config.to_dict()


@router.put("/faults")
def put_faults(emu: Emu, body: Body) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError.field("body", "the request body must be a JSON object")
    return emu.faults.update(body).to_dict()


@router.get("/clock")
def get_clock(emu: Emu) -> dict[str, Any]:
    return emu.admin.clock()


@router.put("/clock")
def put_clock(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.admin.set_clock_scale(body)


@router.post("/clock/advance")
def advance_clock(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.admin.advance_clock(body)


@router.get("/requests")
def get_requests(emu: Emu) -> dict[str, Any]:
    return emu.log.to_dict()


@router.delete("/requests")
def clear_requests(emu: Emu) -> dict[str, Any]:
    emu.log.clear()
    return {"ok": True}


@router.post("/clusters/{cluster_id}/scale")
def scale_cluster(emu: Emu, cluster_id: str, body: Body) -> dict[str, Any]:
    return emu.admin.scale(cluster_id, body)


@router.post("/clusters/{cluster_id}/preempt")
def preempt(emu: Emu, cluster_id: str, body: Body) -> dict[str, Any]:
    return emu.admin.preempt(cluster_id, body)


@router.post("/clusters/{cluster_id}/status")
def force_status(emu: Emu, cluster_id: str, body: Body) -> dict[str, Any]:
    return emu.admin.force_status(cluster_id, body)


@router.delete("/clusters/{cluster_id}")
def remove_cluster(emu: Emu, cluster_id: str) -> dict[str, Any]:
    return emu.admin.remove(cluster_id)


@router.get("/state")
def dump_state(emu: Emu) -> dict[str, Any]:
    return emu.admin.dump()


@router.put("/capacity")
def set_capacity(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.admin.set_capacity(body)


@router.get("/projects")
def get_projects(emu: Emu) -> dict[str, Any]:
    return emu.identity.admin_projects()


@router.put("/volumes/{volume_id}/status")
def force_volume_status(emu: Emu, volume_id: str, body: Body) -> dict[str, Any]:
    return emu.admin.force_volume_status(volume_id, body)


@router.put("/projects")
def set_projects(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.identity.set_projects(body)


@router.post("/clusters/{cluster_id}/instances/{instance_id}/health-events")
def health_event(emu: Emu, cluster_id: str, instance_id: str, body: Body) -> dict[str, Any]:
    return emu.remediations.health_event(cluster_id, instance_id, body)


@router.post("/remediations/{remediation_id}/outcome")
def remediation_outcome(emu: Emu, remediation_id: str, body: Body) -> dict[str, Any]:
    return emu.remediations.set_outcome(remediation_id, body)
