"""``/v1/compute/clusters/{cluster_id}/instances/{instance_id}/remediations[/{remediation_id}[/verb]]``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import QueryParams

from ._common import Body, Emu, bearer_token

router = APIRouter(prefix="/v1/compute/clusters/{cluster_id}/instances/{instance_id}/remediations")


@router.post("")
def create_remediation(emu: Emu, request: Request, cluster_id: str, instance_id: str, body: Body) -> dict[str, Any]:
    query = request.query_params
    if emu.faults.config.ignore_remediation_key:  # as a service without the key would (SDK 3.1.1 has none)
        query = QueryParams([(k, v) for k, v in query.multi_items() if k != "remediation_id"])
    return emu.remediations.create(bearer_token(request), cluster_id, instance_id, body, query)


@router.get("")
def list_remediations(emu: Emu, request: Request, cluster_id: str, instance_id: str) -> dict[str, Any]:
    return emu.remediations.list(cluster_id, instance_id, request.query_params)


@router.get("/{remediation_id}")
def get_remediation(emu: Emu, cluster_id: str, instance_id: str, remediation_id: str) -> dict[str, Any]:
    return emu.remediations.get(cluster_id, instance_id, remediation_id)


@router.post("/{remediation_id}/approve")
def approve_remediation(
    emu: Emu, request: Request, cluster_id: str, instance_id: str, remediation_id: str, body: Body
) -> dict[str, Any]:
    return emu.remediations.approve(bearer_token(request), cluster_id, instance_id, remediation_id, body)


@router.post("/{remediation_id}/reject")
def reject_remediation(
    emu: Emu, request: Request, cluster_id: str, instance_id: str, remediation_id: str, body: Body
) -> dict[str, Any]:
    return emu.remediations.reject(bearer_token(request), cluster_id, instance_id, remediation_id, body)


@router.post("/{remediation_id}/cancel")
def cancel_remediation(emu: Emu, cluster_id: str, instance_id: str, remediation_id: str) -> dict[str, Any]:
    return emu.remediations.cancel(cluster_id, instance_id, remediation_id)
