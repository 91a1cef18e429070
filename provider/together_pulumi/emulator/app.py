"""The FastAPI application: routers for the API and the admin API, error handlers, middleware.

Request bodies are read as raw JSON and validated by hand (:mod:`.validation`), so every error
has the service's ``{"code", "message", "details"}`` shape rather than FastAPI's 422.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .config import EmulatorConfig
from .errors import ApiError, GrpcCode
from .instance import Emulator
from .middleware import ApiMiddleware, RequestLog
from .routes import ROUTERS

__all__ = ["Emulator", "RequestLog", "create_app"]


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    """Build the emulator application for ``config`` (defaults: no API key, 6 s provisioning)."""
    emulator = Emulator.from_config(config or EmulatorConfig())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        emulator.store.save()  # state is written after every mutation; this is belt and braces

    app = FastAPI(
        title="together-emulator", docs_url="/_emulator/docs", openapi_url="/_emulator/openapi.json", lifespan=lifespan
    )
    app.state.emulator = emulator
    _add_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(
        ApiMiddleware,
        faults=emulator.faults,
        log=emulator.log,
        api_key=emulator.config.api_key,
        routes=[route for router in ROUTERS for route in router.routes],
    )
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Every failure answers in the service's error shape, bugs included."""

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.http_status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = GrpcCode.NOT_FOUND if exc.status_code == 404 else GrpcCode.UNIMPLEMENTED
        message = (
            f"no route for {request.method} {request.url.path}" if exc.status_code in (404, 405) else str(exc.detail)
        )
        return JSONResponse(ApiError(code, message).body(), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        body = ApiError(GrpcCode.INTERNAL, f"emulator error: {type(exc).__name__}: {exc}").body()
        return JSONResponse(body, status_code=500)

    @app.exception_handler(ValueError)
    async def value_error(_: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse(ApiError(GrpcCode.INVALID_ARGUMENT, str(exc)).body(), status_code=400)
