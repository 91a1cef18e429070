"""Errors in the shape a gRPC-gateway backend answers: ``{"code", "message", "details"}``.

``code`` is the gRPC status code, the HTTP status follows the usual gateway mapping. Every 409
carries ``x-should-retry: false``: SDKs retry 409s unless told not to, and no conflict the
emulator reports (out of stock, a bound volume, a cluster being deleted, a remediation already
running) goes away by sending the same request again. Validation
errors carry a ``google.rpc.BadRequest`` detail whose ``field_violations`` name each bad field, so
a client can point at the offending property; every other error carries a ``google.rpc.DebugInfo``
detail. Every detail has a ``detail`` string repeating the message: the official CLI's error printer
reads ``details[].detail`` of each one (a detail without it breaks the printer, which then shows
"Failed" and the raw body). Assumed shape: no source documents the service's error bodies.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

__all__ = ["BAD_REQUEST_TYPE", "DEBUG_INFO_TYPE", "HTTP_STATUS", "ApiError", "GrpcCode", "Violation"]


class GrpcCode(IntEnum):
    INVALID_ARGUMENT = 3
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    UNAUTHENTICATED = 16


#: gRPC-gateway's HTTP status for each code we use.
HTTP_STATUS: dict[GrpcCode, int] = {
    GrpcCode.INVALID_ARGUMENT: 400,
    GrpcCode.FAILED_PRECONDITION: 400,
    GrpcCode.NOT_FOUND: 404,
    GrpcCode.ALREADY_EXISTS: 409,
    GrpcCode.PERMISSION_DENIED: 403,
    GrpcCode.ABORTED: 409,
    GrpcCode.RESOURCE_EXHAUSTED: 429,
    GrpcCode.UNIMPLEMENTED: 501,
    GrpcCode.INTERNAL: 500,
    GrpcCode.UNAVAILABLE: 503,
    GrpcCode.UNAUTHENTICATED: 401,
}

BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
DEBUG_INFO_TYPE = "type.googleapis.com/google.rpc.DebugInfo"

Violation = tuple[str, str]
"""(field path such as ``shared_volume.size_tib``, description)."""


class ApiError(Exception):
    """An error answer; raised anywhere in the store, rendered by the app."""

    def __init__(
        self,
        code: GrpcCode,
        message: str,
        *,
        violations: list[Violation] | None = None,
        headers: dict[str, str] | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.violations = violations or []
        self.http_status = http_status or HTTP_STATUS[code]
        self.headers = dict(headers or {})
        if self.http_status == 409:
            # SDKs retry 409 by default (a "lock timeout"); none of ours goes away by retrying.
            self.headers.setdefault("x-should-retry", "false")

    @classmethod
    def invalid(cls, violations: list[Violation]) -> ApiError:
        """400 INVALID_ARGUMENT; the message lists every violation (each names its field)."""
        return cls(GrpcCode.INVALID_ARGUMENT, "; ".join(d for _, d in violations), violations=violations)

    @classmethod
    def field(cls, field: str, description: str) -> ApiError:
        return cls.invalid([(field, description)])

    @classmethod
    def not_found(cls, message: str) -> ApiError:
        return cls(GrpcCode.NOT_FOUND, message)

    def body(self) -> dict[str, Any]:
        """The JSON answer: ``{"code", "message", "details"}``."""
        if self.violations:
            detail: dict[str, Any] = {
                "@type": BAD_REQUEST_TYPE,
                "field_violations": [{"field": f, "description": d} for f, d in self.violations],
                "detail": self.message,
            }
        else:
            detail = {"@type": DEBUG_INFO_TYPE, "stack_entries": [], "detail": self.message}
        return {"code": int(self.code), "message": self.message, "details": [detail]}
