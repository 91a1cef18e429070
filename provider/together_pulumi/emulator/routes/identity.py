"""``/v3/whoami`` and ``/v1/projects``: identity and projects, as the SDK and CLI read them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ..validation.projects import parse_project_page
from ._common import Emu, bearer_token

router = APIRouter()


@router.get("/v3/whoami")
def whoami(emu: Emu, request: Request) -> dict[str, Any]:
    return emu.identity.whoami(bearer_token(request))


@router.get("/v1/projects")
def list_projects(emu: Emu, request: Request) -> dict[str, Any]:
    return emu.identity.list_projects(parse_project_page(request.query_params))
