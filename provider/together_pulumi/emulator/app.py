"""FastAPI application: the ``/v1`` API routes, the ``/_emulator`` admin routes and the middleware
that authenticates, logs and injects faults into ``/v1`` requests.

Request bodies are read as raw JSON and validated by hand (:mod:`.validation`), so every error
has the service's ``{"code", "message", "details"}`` shape rather than FastAPI's 422.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .catalog import regions_payload
from .config import EmulatorConfig
from .errors import ApiError, GrpcCode
from .faults import FaultConfig, FaultDecision, FaultInjector
from .store import Store

__all__ = ["Emulator", "RequestLog", "create_app"]

API_PREFIX = "/v1"


@dataclass
class RequestLog:
    """Every ``/v1`` request with its final status (injected faults included)."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, method: str, path: str, route: str, status: int, fault: str | None, after_commit: bool) -> None:
        self.entries.append(
            {
                "method": method,
                "path": path,
                "route": route,
                "status": status,
                "fault": fault,
                "after_commit": after_commit,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        counts = Counter(f"{e['method']} {e['route']}" for e in self.entries)
        return {"requests": list(self.entries), "counts": dict(counts)}

    def clear(self) -> None:
        self.entries.clear()


@dataclass
class Emulator:
    """Everything one running emulator owns; reachable as ``app.state.emulator``."""

    config: EmulatorConfig
    store: Store
    faults: FaultInjector
    log: RequestLog = field(default_factory=RequestLog)

    @classmethod
    def from_config(cls, config: EmulatorConfig) -> Emulator:
        return cls(config=config, store=Store(config), faults=FaultInjector(config.faults))

    def reset(self) -> None:
        self.store.reset()
        self.faults.configure(FaultConfig(seed=self.config.seed), reseed=True)
        self.log.clear()


def _json_message(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[Message, Message]:
    payload = json.dumps(body, separators=(",", ":")).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    start: Message = {"type": "http.response.start", "status": status, "headers": raw_headers}
    return start, {"type": "http.response.body", "body": payload, "more_body": False}


async def _drain(receive: Receive) -> None:
    """Read the unread request body so closing the socket does not reset the client's connection."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now and replay it later, even if the client has gone by then."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            break

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replay


class ApiMiddleware:
    """Pure ASGI (not BaseHTTPMiddleware) so that a fault can abort a connection mid-response."""

    def __init__(self, app: ASGIApp, emulator: Emulator, routes: Callable[[], list[Any]]) -> None:
        self.app = app
        self.emulator = emulator
        self.routes = routes

    def route_template(self, scope: Scope) -> str:
        for route in self.routes():
            match, _ = route.matches(scope)
            if match in (Match.FULL, Match.PARTIAL):
                return str(route.path)
        return str(scope["path"])

    def authorized(self, scope: Scope) -> bool:
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        expected = self.emulator.config.api_key
        return expected is None or hmac.compare_digest(token.encode(), expected.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        route = self.route_template(scope)
        decision = self.emulator.faults.decide(method, path)
        if decision.latency_seconds > 0:
            # Read the request first: a slow server still applies a request whose client gave up
            # waiting, which is the case a client must survive without sending a duplicate create.
            receive = await _buffered(receive)
            await asyncio.sleep(decision.latency_seconds)

        def log(status: int, after_commit: bool = False) -> None:
            fault = None if decision.kind == "none" else decision.kind
            self.emulator.log.add(method, path, route, status, fault, after_commit)

        if decision.before_commit:
            await _drain(receive)
            log(await self._send_fault(decision, send))
            return
        if not self.authorized(scope):
            await _drain(receive)
            error = ApiError(
                GrpcCode.UNAUTHENTICATED,
                "missing or invalid API key: send the header 'Authorization: Bearer <TOGETHER_API_KEY>'",
            )
            for message in _json_message(401, error.body(), {"www-authenticate": "Bearer"}):
                await send(message)
            log(401)
            return

        statuses: list[int] = []
        held: list[Message] = []
        forward = decision.kind == "none"

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(int(message["status"]))
            if forward:
                await send(message)
            else:
                held.append(message)

        await self.app(scope, receive, capture)
        status = statuses[0] if statuses else 500
        if forward:
            log(status)
            return
        if not 200 <= status < 300:
            # Nothing was applied, so there is nothing to hide: the real answer goes out.
            for message in held:
                await send(message)
            self.emulator.log.add(method, path, route, status, None, False)
            return
        # The work is done (and persisted); the client is told it failed.
        log(await self._send_fault(decision, send), after_commit=True)

    async def _send_fault(self, decision: FaultDecision, send: Send) -> int:
        """Send the injected answer; returns the logged status (0 for a dropped connection)."""
        retry = decision.retry_after_seconds
        retry_headers = {"retry-after": f"{retry:g}", "retry-after-ms": str(round(retry * 1000))}
        if decision.kind == "drop":
            # Promise a body, send part of it and return: uvicorn closes the connection, and the
            # client sees a protocol error / reset instead of any response.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"cluster', "more_body": True})
            return 0
        if decision.kind == "429":
            error = ApiError(GrpcCode.RESOURCE_EXHAUSTED, "rate limit exceeded (injected by the emulator)")
            status, headers = 429, retry_headers
        elif decision.kind == "503":
            error = ApiError(GrpcCode.UNAVAILABLE, "service temporarily unavailable (injected by the emulator)")
            status, headers = 503, retry_headers
        else:
            error = ApiError(GrpcCode.INTERNAL, "internal error (injected by the emulator)")
            status, headers = 500, {}
        for message in _json_message(status, error.body(), headers):
            await send(message)
        return status


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ApiError.field("body", f"the request body is not valid JSON: {exc}") from exc


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
    store = emulator.store

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.http_status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = GrpcCode.NOT_FOUND if exc.status_code == 404 else GrpcCode.UNIMPLEMENTED
        message = (
            f"no route for {request.method} {request.url.path}" if exc.status_code in (404, 405) else str(exc.detail)
        )
        return JSONResponse({"code": int(code), "message": message, "details": []}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # A bug in the emulator still answers in the service's error shape (and is logged).
        body = ApiError(GrpcCode.INTERNAL, f"emulator error: {type(exc).__name__}: {exc}").body()
        return JSONResponse(body, status_code=500)

    @app.exception_handler(ValueError)
    async def value_error(_: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse(ApiError(GrpcCode.INVALID_ARGUMENT, str(exc)).body(), status_code=400)

    # ---------------------------------------------------------------- /v1 API

    @app.post("/v1/compute/clusters")
    async def create_cluster(request: Request) -> dict[str, Any]:
        return store.create_cluster(await _json_body(request))

    @app.get("/v1/compute/clusters")
    async def list_clusters(request: Request) -> dict[str, Any]:
        return store.list_clusters(request.query_params.get("projectId") or None)

    @app.post("/v1/compute/clusters/storage/volumes")
    async def create_volume(request: Request) -> dict[str, Any]:
        return store.create_volume(await _json_body(request))

    @app.get("/v1/compute/clusters/storage/volumes")
    async def list_volumes(request: Request) -> dict[str, Any]:
        return store.list_volumes(request.query_params.get("projectId") or None)

    @app.put("/v1/compute/clusters/storage/volumes")
    async def update_volume(request: Request) -> dict[str, Any]:
        return store.update_volume(await _json_body(request))

    @app.get("/v1/compute/clusters/storage/volumes/{volume_id}")
    async def get_volume(volume_id: str) -> dict[str, Any]:
        return store.get_volume(volume_id)

    @app.delete("/v1/compute/clusters/storage/volumes/{volume_id}")
    async def delete_volume(volume_id: str) -> dict[str, Any]:
        return store.delete_volume(volume_id)

    @app.get("/v1/compute/clusters/{cluster_id}")
    async def get_cluster(cluster_id: str) -> dict[str, Any]:
        return store.get_cluster(cluster_id)

    @app.put("/v1/compute/clusters/{cluster_id}")
    async def update_cluster(cluster_id: str, request: Request) -> dict[str, Any]:
        return store.update_cluster(cluster_id, await _json_body(request))

    @app.delete("/v1/compute/clusters/{cluster_id}")
    async def delete_cluster(cluster_id: str) -> dict[str, Any]:
        return store.delete_cluster(cluster_id)

    @app.get("/v1/compute/regions")
    async def list_regions() -> dict[str, Any]:
        return regions_payload()

    # ---------------------------------------------------------------- /_emulator admin API (no auth)

    @app.get("/_emulator/health")
    async def health() -> dict[str, Any]:
        return {"ok": True}

    @app.post("/_emulator/reset")
    async def reset() -> dict[str, Any]:
        emulator.reset()
        return {"ok": True}

    @app.get("/_emulator/faults")
    async def get_faults() -> dict[str, Any]:
        return emulator.faults.config.to_dict()

    @app.put("/_emulator/faults")
    async def put_faults(request: Request) -> dict[str, Any]:
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise ApiError.field("body", "the request body must be a JSON object")
        return emulator.faults.update(body).to_dict()

    @app.get("/_emulator/clock")
    async def get_clock() -> dict[str, Any]:
        return store.clock.to_dict()

    @app.post("/_emulator/clock/advance")
    async def advance_clock(request: Request) -> dict[str, Any]:
        seconds = _number(await _json_body(request), "seconds")
        with store.lock:
            store.clock.advance(seconds)
        store.sync()
        return store.clock.to_dict()

    @app.put("/_emulator/clock")
    async def put_clock(request: Request) -> dict[str, Any]:
        scale = _number(await _json_body(request), "scale")
        with store.lock:
            store.clock.set_scale(scale)
        return store.clock.to_dict()

    @app.get("/_emulator/requests")
    async def get_requests() -> dict[str, Any]:
        return emulator.log.to_dict()

    @app.delete("/_emulator/requests")
    async def clear_requests() -> dict[str, Any]:
        emulator.log.clear()
        return {"ok": True}

    @app.post("/_emulator/clusters/{cluster_id}/scale")
    async def admin_scale(cluster_id: str, request: Request) -> dict[str, Any]:
        return store.admin_scale(cluster_id, await _json_body(request))

    @app.post("/_emulator/clusters/{cluster_id}/status")
    async def admin_status(cluster_id: str, request: Request) -> dict[str, Any]:
        return store.admin_force_status(cluster_id, await _json_body(request))

    @app.delete("/_emulator/clusters/{cluster_id}")
    async def admin_delete(cluster_id: str) -> dict[str, Any]:
        return store.admin_remove(cluster_id)

    @app.get("/_emulator/state")
    async def state() -> dict[str, Any]:
        return store.dump()

    @app.put("/_emulator/capacity")
    async def capacity(request: Request) -> dict[str, Any]:
        return store.set_capacity(await _json_body(request))

    app.add_middleware(ApiMiddleware, emulator=emulator, routes=lambda: app.router.routes)
    return app


def _number(body: Any, key: str) -> float:
    value = body.get(key) if isinstance(body, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError.field(key, f"{key} must be a number; got {value!r}")
    return float(value)
