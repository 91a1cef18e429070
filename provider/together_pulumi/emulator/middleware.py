"""The ASGI middleware in front of the API routes: authentication, the request log, faults.

It is pure ASGI (not ``BaseHTTPMiddleware``) so that a fault can cut a connection mid-response,
and so that an after-commit fault can hold back a response the routes already produced.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError, GrpcCode
from .faults import FaultDecision, FaultInjector

__all__ = ["API_PREFIXES", "ApiMiddleware", "RequestLog"]

#: Paths the middleware guards (authenticates, logs, may fault); ``/_emulator`` is left alone.
API_PREFIXES = ("/v1/", "/v3/")


@dataclass
class RequestLog:
    """Every API (``/v1``, ``/v3``) request with its final status (injected faults included) and when it
    was answered (``answered_at``, Unix seconds of the wall clock: benchmarks time polls with it)."""

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
                "answered_at": time.time(),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        counts = Counter(f"{e['method']} {e['route']}" for e in self.entries)
        return {"requests": list(self.entries), "counts": dict(counts)}

    def clear(self) -> None:
        self.entries.clear()


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

    def __init__(
        self, app: ASGIApp, *, faults: FaultInjector, log: RequestLog, api_key: str | None, routes: Sequence[BaseRoute]
    ) -> None:
        self.app = app
        self.faults = faults
        self.log = log
        self.api_key = api_key
        self.routes = routes

    def route_template(self, scope: Scope) -> str:
        """The matching route's path template (``/v1/compute/clusters/{cluster_id}``), for the log."""
        for route in self.routes:
            match, _ = route.matches(scope)
            if match in (Match.FULL, Match.PARTIAL):
                return str(getattr(route, "path", scope["path"]))
        return str(scope["path"])

    def authorized(self, scope: Scope) -> bool:
        """A non-empty bearer token, equal to ``--api-key`` when one is set."""
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        return self.api_key is None or hmac.compare_digest(token.encode(), self.api_key.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        route = self.route_template(scope)
        decision = self.faults.decide(method, path)
        fault = None if decision.kind == "none" else decision.kind
        if decision.latency_seconds > 0:
            # Read the request first: a slow server still applies a request whose client gave up
            # waiting, which is the case a client must survive without sending a duplicate create.
            receive = await _buffered(receive)
            await asyncio.sleep(decision.latency_seconds)
        if decision.before_commit:
            await _drain(receive)
            self.log.add(method, path, route, await self._send_fault(decision, send), fault, False)
        elif not self.authorized(scope):
            await _drain(receive)
            await _send_unauthenticated(send)
            self.log.add(method, path, route, 401, fault, False)
        elif decision.kind == "none":
            status = await self._serve(scope, receive, send)
            self.log.add(method, path, route, status, None, False)
        else:
            await self._serve_then_fault(scope, receive, send, decision, route)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> int:
        """Run the routes, passing the answer through; returns its status."""
        statuses: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(int(message["status"]))
            await send(message)

        await self.app(scope, receive, watch)
        return statuses[0] if statuses else 500

    async def _serve_then_fault(
        self, scope: Scope, receive: Receive, send: Send, decision: FaultDecision, route: str
    ) -> None:
        """An after-commit fault: do the work, then tell the client it failed."""
        statuses: list[int] = []
        held: list[Message] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(int(message["status"]))
            held.append(message)

        await self.app(scope, receive, hold)
        status = statuses[0] if statuses else 500
        method, path = scope["method"], scope["path"]
        if not 200 <= status < 300:
            # Nothing was applied, so there is nothing to hide: the real answer goes out.
            for message in held:
                await send(message)
            self.log.add(method, path, route, status, None, False)
            return
        # The work is done (and persisted); the client is told it failed.
        self.log.add(method, path, route, await self._send_fault(decision, send), decision.kind, True)

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


async def _send_unauthenticated(send: Send) -> None:
    error = ApiError(
        GrpcCode.UNAUTHENTICATED,
        "missing or invalid API key: send the header 'Authorization: Bearer <TOGETHER_API_KEY>'",
    )
    for message in _json_message(401, error.body(), {"www-authenticate": "Bearer"}):
        await send(message)
