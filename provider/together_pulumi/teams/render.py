"""Tables for a terminal and JSON for CI, of a teardown plan (or its outcome) and of orphans."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..review.ratecard import Cost, RateCard
from .orphans import AccountObject
from .teardown import Entry, describe
from .times import format_age

__all__ = ["orphans_json", "orphans_table", "teardown_json", "teardown_table"]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]
    ]
    return "\n".join(lines) + "\n"


def _what(entry: Entry, dry_run: bool) -> str:
    if entry.action == "destroy":
        text = ("would destroy " if dry_run and not entry.outcome else "destroy ") + describe(entry.state)
        if entry.outcome:
            text = f"{entry.outcome}: {entry.detail}"
        return text + (f"; {entry.note}" if entry.note else "")
    if entry.action == "skip":
        return f"skipped: {entry.note}"
    if entry.action == "error":
        return f"ERROR: {entry.note}"
    return "keep"


def teardown_table(entries: Sequence[Entry], now: dt.datetime, dry_run: bool) -> str:
    """One row per candidate stack: stack, age, clusters, GPUs, what it would do (or did), why."""
    if not entries:
        return "No stack matches.\n"
    header = ("STACK", "AGE", "CLUSTERS", "GPUS", "ACTION", "WHY")
    rows = [
        (
            e.ref.label,
            format_age(now - e.ref.last_update) if e.ref.last_update else "—",
            str(len(e.state.clusters)),
            str(e.state.gpus),
            _what(e, dry_run),
            e.verdict.reason,
        )
        for e in entries
    ]
    todo = sum(1 for e in entries if e.action == "destroy")
    footer = (
        f"\nDry run: {todo} stack(s) would be destroyed. Run again with --yes to destroy them.\n" if dry_run else ""
    )
    return _table(header, rows) + footer


def _entry_json(entry: Entry, now: dt.datetime) -> dict[str, Any]:
    last = entry.ref.last_update
    return {
        "project": entry.ref.project,
        "stack": entry.ref.name,
        "last_update": last.isoformat() if last else None,
        "age_seconds": int((now - last).total_seconds()) if last else None,
        "clusters": [o.id for o in entry.state.clusters],
        "volumes": [o.id for o in entry.state.volumes],
        "num_gpus": entry.state.gpus,
        "resources": entry.state.resource_count,
        "due": entry.verdict.due,
        "reason": entry.verdict.reason,
        "action": entry.action,
        "note": entry.note,
        "protected": list(entry.state.protected),
        "pending_operations": list(entry.state.pending),
        "outcome": entry.outcome or None,
        "detail": entry.detail or None,
    }


def teardown_json(entries: Sequence[Entry], now: dt.datetime, dry_run: bool) -> str:
    doc = {"dry_run": dry_run, "now": now.isoformat(), "stacks": [_entry_json(e, now) for e in entries]}
    return json.dumps(doc, indent=2) + "\n"


def _cost_text(cost: Cost | None, card: RateCard | None) -> str:
    if cost is None or card is None:
        return "—"
    return "unknown" if cost.amount is None else card.money(cost.amount) + "/h"


def orphans_table(found: Sequence[AccountObject], now: dt.datetime, card: RateCard | None) -> str:
    if not found:
        return "No orphans: every cluster and volume of the account is held by a stack.\n"
    header = ["KIND", "ID", "NAME", "PROJECT", "REGION", "GPUS", "STATUS", "AGE"] + (["COST"] if card else [])
    rows = []
    total = Cost.zero()
    for o in found:
        cost = o.hourly_cost(card) if card else None
        total = total + cost if cost is not None else total
        row = [o.kind, o.id, o.name, o.project_id or "—", o.region or "—", str(o.num_gpus), o.status]
        rows.append([*row, format_age(o.age(now))] + ([_cost_text(cost, card)] if card else []))
    text = _table(header, rows)
    gpus = sum(o.num_gpus for o in found)
    text += f"\n{len(found)} orphan(s), {gpus} GPUs"
    text += f", {_cost_text(total, card)} in total" if card else ""
    return text + ".\n"


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.4f}"


def orphans_json(found: Sequence[AccountObject], now: dt.datetime, card: RateCard | None) -> str:
    items = []
    for o in found:
        age = o.age(now)
        item: dict[str, Any] = {
            "kind": o.kind,
            "id": o.id,
            "name": o.name,
            "project_id": o.project_id,
            "region": o.region,
            "num_gpus": o.num_gpus,
            "created_at": o.created_at.isoformat() if o.created_at else None,
            "age_seconds": int(age.total_seconds()) if age is not None else None,
            "status": o.status,
            "gpu_type": o.gpu_type,
            "size_tib": o.size_tib,
        }
        if card is not None:
            cost = o.hourly_cost(card)
            item.update(cost_per_hour=_money(cost.amount), currency=card.currency, cost_missing=list(cost.missing))
        items.append(item)
    return json.dumps(items, indent=2) + "\n"
