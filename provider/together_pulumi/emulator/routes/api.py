"""The API's routes, one router per area, each a thin call into its service (``..services``).

* ``/v1/compute/clusters`` and ``/v1/compute/clusters/{cluster_id}``;
* ``/v1/compute/clusters/storage/volumes`` (PUT carries the id in the body);
* ``/v1/compute/clusters/{cluster_id}/instances/{instance_id}/remediations[/{remediation_id}[/verb]]``;
* ``/v1/compute/regions``: the fixed catalogue;
* ``/v3/whoami`` and ``/v1/projects``: identity and projects, as the SDK and CLI read them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import QueryParams

from ..catalog import regions_payload
from ..validation.projects import parse_project_page
from ._common import Body, Emu, bearer_token

__all__ = ["clusters", "identity", "regions", "remediations", "volumes"]


clusters = APIRouter(prefix="/v1/compute/clusters")


@clusters.post("")
def create_cluster(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.clusters.create(body)


@clusters.get("")
def list_clusters(emu: Emu, request: Request) -> dict[str, Any]:
    return emu.clusters.list(request.query_params.get("projectId") or None)


@clusters.get("/{cluster_id}")
def get_cluster(emu: Emu, cluster_id: str) -> dict[str, Any]:
    return emu.clusters.get(cluster_id)


@clusters.put("/{cluster_id}")
def update_cluster(emu: Emu, cluster_id: str, body: Body) -> dict[str, Any]:
    return emu.clusters.update(cluster_id, body)


@clusters.delete("/{cluster_id}")
def delete_cluster(emu: Emu, cluster_id: str) -> dict[str, Any]:
    return emu.clusters.delete(cluster_id)


volumes = APIRouter(prefix="/v1/compute/clusters/storage/volumes")


@volumes.post("")
def create_volume(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.volumes.create(body)


@volumes.get("")
def list_volumes(emu: Emu, request: Request) -> dict[str, Any]:
    return emu.volumes.list(request.query_params.get("projectId") or None)


@volumes.put("")
def update_volume(emu: Emu, body: Body) -> dict[str, Any]:
    return emu.volumes.update(body)


@volumes.get("/{volume_id}")
def get_volume(emu: Emu, volume_id: str) -> dict[str, Any]:
    return emu.volumes.get(volume_id)


@volumes.delete("/{volume_id}")
def delete_volume(emu: Emu, volume_id: str) -> dict[str, Any]:
    return emu.volumes.delete(volume_id)


remediations = APIRouter(prefix="/v1/compute/clusters/{cluster_id}/instances/{instance_id}/remediations")


@remediations.post("")
def create_remediation(emu: Emu, request: Request, cluster_id: str, instance_id: str, body: Body) -> dict[str, Any]:
    query = request.query_params
    if emu.faults.config.ignore_remediation_key:  # as a service without the key would (SDK 3.1.1 has none)
        query = QueryParams([(k, v) for k, v in query.multi_items() if k != "remediation_id"])
    return emu.remediations.create(bearer_token(request), cluster_id, instance_id, body, query)


@remediations.get("")
def list_remediations(emu: Emu, request: Request, cluster_id: str, instance_id: str) -> dict[str, Any]:
    return emu.remediations.list(cluster_id, instance_id, request.query_params)


@remediations.get("/{remediation_id}")
def get_remediation(emu: Emu, cluster_id: str, instance_id: str, remediation_id: str) -> dict[str, Any]:
    return emu.remediations.get(cluster_id, instance_id, remediation_id)


@remediations.post("/{remediation_id}/approve")
def approve_remediation(
    emu: Emu, request: Request, cluster_id: str, instance_id: str, remediation_id: str, body: Body
) -> dict[str, Any]:
    return emu.remediations.approve(bearer_token(request), cluster_id, instance_id, remediation_id, body)


@remediations.post("/{remediation_id}/reject")
def reject_remediation(
    emu: Emu, request: Request, cluster_id: str, instance_id: str, remediation_id: str, body: Body
) -> dict[str, Any]:
    return emu.remediations.reject(bearer_token(request), cluster_id, instance_id, remediation_id, body)


@remediations.post("/{remediation_id}/cancel")
def cancel_remediation(emu: Emu, cluster_id: str, instance_id: str, remediation_id: str) -> dict[str, Any]:
    return emu.remediations.cancel(cluster_id, instance_id, remediation_id)


regions = APIRouter()


@regions.get("/v1/compute/regions")
def list_regions() -> dict[str, Any]:
    return regions_payload()


identity = APIRouter()


@identity.get("/v3/whoami")
def whoami(emu: Emu, request: Request) -> dict[str, Any]:
    return emu.identity.whoami(bearer_token(request))


@identity.get("/v1/projects")
def list_projects(emu: Emu, request: Request) -> dict[str, Any]:
    return emu.identity.list_projects(parse_project_page(request.query_params))
