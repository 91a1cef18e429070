"""Validation of the remediation requests: create (body + ``remediation_id``), list query, approve,
reject, and the admin API's health events and planned outcomes.

List filters arrive as the SDK sends them (comma-separated, ``state=PENDING,RUNNING``) or
repeated (``state=PENDING&state=RUNNING``); both are accepted. Page tokens are opaque: an offset
bound to the query that issued it, so a token cannot be replayed against other filters.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from ..state.records import REMEDIATION_MODES, REMEDIATION_STATES, REMEDIATION_TRIGGERS
from .checker import Checker, require_object

__all__ = [
    "DEFAULT_REMEDIATION_PAGE",
    "MAX_REMEDIATION_PAGE",
    "ORDER_FIELDS",
    "HealthEvent",
    "RemediationCreate",
    "RemediationQuery",
    "parse_approve",
    "parse_health_event",
    "parse_outcome",
    "parse_reject",
    "parse_remediation_create",
    "parse_remediation_query",
]

DEFAULT_REMEDIATION_PAGE = 50
#: Larger page sizes are coerced down to this (AIP-158), not refused.
MAX_REMEDIATION_PAGE = 100
#: Fields ``order_by`` may name; the default order is ``create_time desc`` (newest first).
ORDER_FIELDS = ("create_time", "update_time", "state", "mode", "trigger", "instance_id", "id")
#: A client-chosen remediation id (AIP-122 style): lower-case letters, digits and hyphens.
_REMEDIATION_ID = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
SEVERITIES = ("PHC_SEVERITY_INFO", "PHC_SEVERITY_WARNING", "PHC_SEVERITY_CRITICAL")
OUTCOMES = ("SUCCEEDED", "FAILED", "AUTO_RESOLVED")


class MultiQuery(Protocol):
    """What Starlette's ``QueryParams`` offers: repeated keys."""

    def getlist(self, key: str) -> list[str]: ...


@dataclass
class RemediationCreate:
    """``POST .../remediations``: the body plus the optional ``?remediation_id=`` idempotency key."""

    mode: str
    reason: str | None
    remediation_id: str | None


def parse_remediation_create(raw: Any, query: MultiQuery) -> RemediationCreate:
    """``{"mode" (required), "reason"?}``; ``remediation_id`` must be a valid id when given."""
    c = Checker(require_object(raw))
    mode = c.enum("mode", REMEDIATION_MODES, required=True)
    reason = c.string("reason")
    ids = query.getlist("remediation_id")
    remediation_id = ids[-1] if ids else None
    if remediation_id is not None and not _REMEDIATION_ID.fullmatch(remediation_id):
        c.fail(
            "remediation_id",
            f"remediation_id {remediation_id!r} must be 1 to 63 lower-case letters, digits or hyphens, "
            "starting and ending with a letter or digit (a UUID works)",
        )
    c.raise_if_failed()
    assert mode is not None
    return RemediationCreate(mode, reason, remediation_id)


def parse_approve(raw: Any) -> tuple[str | None, str | None]:
    """``{"comment"?, "mode"?}``; the mode cannot be HOST_POWER_CYCLE (the SDK says so)."""
    c = Checker(require_object(raw))
    comment = c.string("comment")
    mode = c.enum("mode", REMEDIATION_MODES)
    if mode == "REMEDIATION_MODE_HOST_POWER_CYCLE":
        allowed = ", ".join(m for m in REMEDIATION_MODES if m != mode)
        c.fail("mode", f"mode {mode} cannot be set as an approval override; create it directly. Valid: {allowed}")
    c.raise_if_failed()
    return comment, mode


def parse_reject(raw: Any) -> str | None:
    """``{"comment"?}``."""
    c = Checker(require_object(raw))
    comment = c.string("comment")
    c.raise_if_failed()
    return comment


@dataclass
class RemediationQuery:
    """A validated list query: filters (empty = all), order, and the page to return."""

    states: frozenset[str]
    modes: frozenset[str]
    triggers: frozenset[str]
    order: list[tuple[str, bool]]
    page_size: int
    offset: int
    fingerprint: str

    def token(self, offset: int) -> str:
        """The ``next_page_token`` for a page starting at ``offset``."""
        raw = json.dumps({"o": offset, "q": self.fingerprint}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_remediation_query(query: MultiQuery, instance_id: str) -> RemediationQuery:
    """Filters, ``order_by``, ``page_size`` and ``page_token`` of a list request."""
    c = Checker({})
    states = _values(c, query, "state", REMEDIATION_STATES)
    modes = _values(c, query, "mode", REMEDIATION_MODES)
    triggers = _values(c, query, "trigger", REMEDIATION_TRIGGERS)
    order_by = _last(query, "order_by")
    order = _order(c, order_by)
    page_size = _page_size(c, _last(query, "page_size"))
    canonical = json.dumps([instance_id, sorted(states), sorted(modes), sorted(triggers), order])
    fingerprint = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    offset = _offset(c, _last(query, "page_token"), fingerprint)
    c.raise_if_failed()
    return RemediationQuery(states, modes, triggers, order, page_size, offset, fingerprint)


def _last(query: MultiQuery, key: str) -> str | None:
    values = query.getlist(key)
    return values[-1] if values else None


def _values(c: Checker, query: MultiQuery, key: str, allowed: tuple[str, ...]) -> frozenset[str]:
    values = {v.strip() for raw in query.getlist(key) for v in raw.split(",") if v.strip()}
    unknown = sorted(values - set(allowed))
    if unknown:
        c.fail(key, f"{key} {', '.join(unknown)} is not valid; valid values: {', '.join(allowed)}")
    return frozenset(values & set(allowed))


def _order(c: Checker, order_by: str | None) -> list[tuple[str, bool]]:
    """``"create_time desc, id"`` → ``[("create_time", True), ("id", False)]``."""
    if not order_by or not order_by.strip():
        return [("create_time", True)]
    order: list[tuple[str, bool]] = []
    for part in order_by.split(","):
        words = part.split()
        name = words[0] if words else ""
        direction = words[1].lower() if len(words) > 1 else "asc"
        if name not in ORDER_FIELDS or direction not in ("asc", "desc") or len(words) > 2:
            c.fail(
                "order_by",
                f"order_by {order_by!r} is not valid: use comma-separated '<field> [asc|desc]' with fields "
                f"{', '.join(ORDER_FIELDS)}",
            )
            return [("create_time", True)]
        order.append((name, direction == "desc"))
    return order


def _page_size(c: Checker, raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_REMEDIATION_PAGE
    if not raw.strip().lstrip("-").isdigit():
        c.fail("page_size", f"page_size must be an integer; got {raw!r}")
        return DEFAULT_REMEDIATION_PAGE
    size = int(raw)
    if size < 0:
        c.fail("page_size", f"page_size must be >= 0 (0 = the default of {DEFAULT_REMEDIATION_PAGE}); got {size}")
    if size <= 0:
        return DEFAULT_REMEDIATION_PAGE
    return min(size, MAX_REMEDIATION_PAGE)


def _offset(c: Checker, token: str | None, fingerprint: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, issued_for = int(data["o"]), str(data["q"])
    except (ValueError, KeyError, TypeError):
        c.fail("page_token", "page_token is not a token this API issued; pass next_page_token unchanged")
        return 0
    if issued_for != fingerprint or offset < 0:
        c.fail(
            "page_token",
            "page_token was issued for a different query; keep instance, filters and order_by the same while paging",
        )
        return 0
    return offset


@dataclass
class HealthEvent:
    """``POST /_emulator/clusters/{id}/instances/{instance_id}/health-events``: a failing node."""

    mode: str
    alert_name: str
    severity: str
    summary: str
    xid_code: str | None


def parse_health_event(raw: Any) -> HealthEvent:
    """All optional: the remediation mode proposed, and the alert that fired."""
    c = Checker(require_object(raw))
    mode = c.enum("mode", REMEDIATION_MODES) or "REMEDIATION_MODE_VM_ONLY"
    alert_name = c.string("alert_name") or "DmesgXidError"
    severity = c.enum("severity", SEVERITIES) or "PHC_SEVERITY_CRITICAL"
    xid_code = c.string("xid_code")
    if xid_code is None and alert_name == "DmesgXidError":
        xid_code = "79"
    summary = c.string("summary") or (
        f"Xid {xid_code} reported by the GPU driver" if xid_code else f"{alert_name} fired on the node"
    )
    c.raise_if_failed()
    return HealthEvent(mode, alert_name, severity, summary, xid_code)


def parse_outcome(raw: Any) -> tuple[str, str | None]:
    """``{"outcome": SUCCEEDED|FAILED|AUTO_RESOLVED, "error_message"?}``."""
    c = Checker(require_object(raw))
    outcome = c.enum("outcome", OUTCOMES, required=True)
    message = c.string("error_message")
    if message is not None and outcome != "FAILED":
        c.fail("error_message", "error_message only goes with outcome FAILED")
    c.raise_if_failed()
    assert outcome is not None
    return outcome, message
