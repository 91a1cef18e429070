"""``/v1/compute/clusters`` and ``/v1/compute/clusters/{cluster_id}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ._common import Body, Emu

router = APIRouter(prefix="/v1/compute/clusters")


@router.post("")
def create_cluster(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.clusters.create(body)


@router.get("")
def list_clusters(emu: Emu, request: Request) -> dict[str, Any]:
    return emu.clusters.list(request.query_params.get("projectId") or None)


@router.get("/{cluster_id}")
def get_cluster(emu: Emu, cluster_id: str) -> dict[str, Any]:
    return emu.clusters.get(cluster_id)


@router.put("/{cluster_id}")
def update_cluster(emu: Emu, cluster_id: str, body: Body) -> dict[str, Any]:
    return emu.clusters.update(cluster_id, body)


@router.delete("/{cluster_id}")
def delete_cluster(emu: Emu, cluster_id: str) -> dict[str, Any]:
    return emu.clusters.delete(cluster_id)
