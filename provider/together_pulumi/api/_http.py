"""HTTP details shared by the client's methods: reading error answers, what may be retried,
path ids, parsing answers into models.

``x-should-retry`` (a header Together's SDKs honour) overrides the status-based rules: ``false``
means never retry, ``true`` retry even a status that is normally final.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from . import errors

__all__ = [
    "error_message_and_field",
    "is_certainly_not_applied",
    "is_retryable",
    "may_still_land",
    "parse",
    "path_id",
    "retry_after_seconds",
    "should_retry_header",
]

M = TypeVar("M", bound=BaseModel)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The server's requested wait, from ``Retry-After-Ms`` or ``Retry-After`` (seconds or a date)."""
    millis = response.headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())  # a wall-clock date, unlike our waits


def error_message_and_field(response: httpx.Response) -> tuple[str, str | None]:
    """Read both error shapes: ``{code, message, details}`` and ``{error: {message, param}}``, or text."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return (text[:500] or response.reason_phrase or "no message"), None
    if not isinstance(body, dict):
        return str(body)[:500], None
    inner = body.get("error")
    if isinstance(inner, dict):
        field = inner.get("param")
        return str(inner.get("message") or inner.get("type") or body), str(field) if field else None
    if isinstance(inner, str):
        return inner, None
    field = None
    for detail in body.get("details") or []:
        if isinstance(detail, dict):
            for violation in detail.get("field_violations") or detail.get("fieldViolations") or []:
                if isinstance(violation, dict) and violation.get("field"):
                    field = str(violation["field"])
                    break
        if field:
            break
    return str(body.get("message") or body), field


def should_retry_header(response: httpx.Response) -> bool | None:
    """The server's ``x-should-retry`` verdict: True, False, or None when it said nothing."""
    value = response.headers.get("x-should-retry", "").strip().lower()
    return {"true": True, "false": False}.get(value)


def is_retryable(exc: BaseException) -> bool:
    """Whether sending the same request again may succeed: ``x-should-retry`` first, then the
    status (408, 429, 5xx) or a transport failure."""
    if isinstance(exc, errors.TransportError):
        return True
    if isinstance(exc, errors.APIStatusError):
        if exc.should_retry is not None:
            return exc.should_retry
        return exc.status_code in (408, 429) or exc.status_code >= 500
    return False


def is_certainly_not_applied(exc: BaseException) -> bool:
    """True when a failed request cannot have reached the service: it is safe to send it again."""
    if isinstance(exc, errors.TransportError):
        return not exc.request_sent
    return isinstance(exc, errors.RateLimitError)


def path_id(name: str, value: str) -> str:
    """A path segment; ``ValueError`` naming ``name`` when it is empty (as the SDK's path guards)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return quote(value, safe="")


def parse(model: type[M], data: Any, method: str, path: str) -> M:
    """An answer as ``model``; an unexpected shape is an :class:`~errors.APIStatusError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise errors.APIStatusError(
            f"unexpected response shape for {model.__name__}: {exc.error_count()} problem(s), first: "
            f"{exc.errors()[0]['loc']} {exc.errors()[0]['msg']}",
            status_code=200,
            method=method,
            path=path,
        ) from None


def may_still_land(exc: BaseException) -> bool:
    """True when a failed request may still be carried out later: no answer came from the service
    itself (a timeout, a cut connection, a gateway's 502/504, 408)."""
    if isinstance(exc, errors.TransportError):
        return exc.request_sent
    return isinstance(exc, errors.APIStatusError) and exc.status_code in (408, 502, 504)
