"""``/v1/compute/clusters/storage/volumes`` (PUT carries the id in the body)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ._common import Body, Emu

router = APIRouter(prefix="/v1/compute/clusters/storage/volumes")


@router.post("")
def create_volume(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.volumes.create(body)


@router.get("")
def list_volumes(emu: Emu, request: Request) -> dict[str, Any]:
    return emu.volumes.list(request.query_params.get("projectId") or None)


@router.put("")
def update_volume(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.volumes.update(body)


@router.get("/{volume_id}")
def get_volume(emu: Emu, volume_id: str) -> dict[str, Any]:
    return emu.volumes.get(volume_id)


@router.delete("/{volume_id}")
def delete_volume(emu: Emu, volume_id: str) -> dict[str, Any]:
    return emu.volumes.delete(volume_id)
