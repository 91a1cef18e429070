"""What every route needs: the emulator of the app, and the request body as raw JSON."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from ..errors import ApiError
from ..instance import Emulator

__all__ = ["Body", "Emu", "bearer_token"]


def _emulator(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    return emulator


async def _json_body(request: Request) -> Any:
    # Read by hand rather than as a FastAPI model, so a bad body gets the service's error shape.
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError.field("body", f"the request body is not valid JSON: {exc}") from exc


#: The :class:`Emulator` serving the request.
Emu = Annotated[Emulator, Depends(_emulator)]
#: The request body parsed as JSON (``{}`` when empty); 400 naming ``body`` when it is not JSON.
Body = Annotated[Any, Depends(_json_body)]


def bearer_token(request: Request) -> str:
    """The token of ``Authorization: Bearer <token>`` (the middleware has already checked it)."""
    return request.headers.get("authorization", "").partition(" ")[2].strip()
