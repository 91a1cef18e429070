"""``/v1/compute/regions``: the fixed catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..catalog import regions_payload

router = APIRouter()


@router.get("/v1/compute/regions")
def list_regions() -> dict[str, Any]:
    return regions_payload()
