"""A :class:`~.summary.Summary` as Markdown (a pull-request comment) or plain text (a terminal)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Final

from .gate import GateResult
from .ratecard import Cost, RateCard
from .results import Finding, Row, Summary
from .tokens import Unknown

__all__ = ["render_markdown", "render_text"]

_OPERATION: Final = {
    "create": "create",
    "update": "update in place",
    "replace": "REPLACE",
    "delete": "DELETE",
    "unchanged": "unchanged",
    "read": "read",
    "import": "import",
    "other": "other",
}
_ICON: Final = {
    "error": "⛔",
    "policy": "🚫",
    "replace": "🔴",
    "delete": "🔴",
    "scale-down": "🟠",
    "billing-change": "🟠",
}
_LABEL: Final = {
    "error": "ERROR",
    "policy": "POLICY",
    "replace": "REPLACE",
    "delete": "DELETE",
    "scale-down": "SCALE-DOWN",
    "billing-change": "BILLING",
}
PLACEHOLDER_NOTE: Final = "PLACEHOLDER PRICES from an example card, not Together AI's prices"


def _count(value: int | Unknown | None) -> str:
    if value is None:
        return "—"
    return "?" if isinstance(value, Unknown) else f"{value:,}"


def _signed(value: int | Unknown) -> str:
    return "?" if isinstance(value, Unknown) else f"{value:+,}"


def _gpu_hours(value: int | Unknown | None) -> int | Unknown | None:
    return value * 24 if isinstance(value, int) else value


def _amount(cost: Cost | None, factor: int = 1) -> str:
    if cost is None:
        return "—"
    return "?" if cost.amount is None else f"{cost.amount * factor:,.2f}"


def _signed_amount(amount: Decimal) -> str:
    return f"{amount:+,.2f}"


def _arrow(before: str, after: str) -> str:
    return before if before == after else f"{before} → {after}"


def _loud(summary: Summary) -> list[Finding]:
    return [f for f in summary.findings if f.loud]


def _missing(summary: Summary) -> list[str]:
    found: list[str] = []
    for row in summary.rows:
        for cost in (row.cost_before, row.cost_after, row.commitment[0] if row.commitment else None):
            if cost is not None:
                found += [m for m in cost.missing if m not in found]
    return found


def _advisories(summary: Summary) -> list[str]:
    return [f"[{v.policy}] {v.message}" for v in summary.policy_violations if not v.mandatory]


def _card_note(card: RateCard, source: str | None) -> str:
    where = f" `{source}`" if source else ""
    note = f"Costs from the rate card{where}, in {card.currency}"
    return note + (f" — **{PLACEHOLDER_NOTE}**." if card.placeholder else " (the team's own prices).")


def _totals(summary: Summary) -> list[str]:
    """Stack lines: absolute totals when every resource is listed, deltas always."""
    lines = []
    gpu_delta = summary.gpu_delta
    gpu_hours = gpu_delta * 24 if isinstance(gpu_delta, int) else gpu_delta
    if summary.complete:
        gpus = f"GPUs {_arrow(_count(summary.gpu_total('before')), _count(summary.gpu_total('after')))}"
        gpus += f" ({_signed(gpu_delta)})"
    else:
        gpus = f"GPUs {_signed(gpu_delta)}"
    lines.append(f"{gpus}; GPU-hours/day {_signed(gpu_hours)}")
    card, delta = summary.rate_card, summary.cost_delta
    if card is not None and delta is not None:
        if delta.amount is None:
            lines.append("cost change: unknown (see the notes below)")
        else:
            text = (
                f"cost {_signed_amount(delta.amount)} {card.currency}/hour "
                f"({_signed_amount(delta.amount * 24)} {card.currency}/day)"
            )
            before, after = summary.cost_total("before"), summary.cost_total("after")
            if summary.complete and before is not None and after is not None:
                text += f": {_amount(before)} → {_amount(after)} {card.currency}/hour"
            lines.append(text)
    return lines


def _row_changes(row: Row) -> list[str]:
    if row.operation == "create":
        return [f"new: {row.details}"]
    if row.operation in ("delete", "unchanged", "read", "import", "other"):
        return [row.details]
    found = [f"{c.prop}: {c.before} → {c.after}" + (" (forces replacement)" if c.replaces else "") for c in row.changes]
    return found or [row.details]


def _commitments(summary: Summary) -> list[str]:
    card = summary.rate_card
    if card is None:
        return []
    lines = []
    for row in summary.rows:
        if row.commitment is not None:
            cost, period = row.commitment
            amount = "unknown" if cost.amount is None else card.money(cost.amount)
            lines.append(f"{row.title} commits to {amount} up front ({period})")
    return lines


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def render_markdown(
    summary: Summary, *, gate: GateResult | None = None, rate_card_source: str | None = None, title: str | None = None
) -> str:
    """Markdown for a pull-request comment."""
    out = [f"### {title or 'Together GPU infrastructure review'}", ""]
    out += _md_attention(summary, gate)
    out += _md_table(summary)
    out += _md_notes(summary, rate_card_source)
    return "\n".join(out).rstrip() + "\n"


def _md_attention(summary: Summary, gate: GateResult | None) -> list[str]:
    """What a reviewer reads first: a failed gate, the loud findings, the advisory policy warnings."""
    out: list[str] = []
    loud = _loud(summary)
    changed = len(summary.changed_rows)
    if gate is not None and gate.failed:
        out.append("**❌ Review gate failed:**")
        out += [f"- {_md(reason)}" for reason in gate.reasons]
        out.append("")
    if loud:
        out.append(f"**⚠️ {len(loud)} finding(s) need a reviewer's attention before merging:**")
        out.append("")
        out += [f"- {_ICON[f.kind]} **{_LABEL[f.kind]}** {_md(f.message)}" for f in loud]
        out.append("")
    elif changed:
        out.append(f"No replacement, deletion, scale-down or billing change; {changed} resource(s) change.")
        out.append("")
    advisories = _advisories(summary)
    if advisories:
        out.append(f"**Policy warnings (advisory, {len(advisories)}):**")
        out.append("")
        out += [f"- ⚠️ {_md(a)}" for a in advisories]
        out.append("")
    return out


def _md_table(summary: Summary) -> list[str]:
    """One table row per resource, then the stack's totals and upfront commitments."""
    if not summary.rows:
        return ["No GpuCluster or SharedVolume in this preview."]
    card = summary.rate_card
    header = ["Resource", "Operation", "GPUs", "GPU-hours/day"]
    if card is not None:
        header += [f"Cost/hour ({_md(card.currency)})", f"Cost/day ({_md(card.currency)})"]
    header.append("What changes")
    out = ["| " + " | ".join(header) + " |"]
    out.append("|" + "|".join(["---", "---", "---:", "---:"] + (["---:", "---:"] if card else []) + ["---"]) + "|")
    for row in summary.rows:
        op = _OPERATION[row.operation]
        cells = [
            f"{row.kind} `{_md(row.name)}`",
            f"**{op}**" if row.operation in ("replace", "delete") else op,
            _arrow(_count(row.gpus_before), _count(row.gpus_after)) if row.kind == "GpuCluster" else "—",
            _arrow(_count(_gpu_hours(row.gpus_before)), _count(_gpu_hours(row.gpus_after)))
            if row.kind == "GpuCluster"
            else "—",
        ]
        if card is not None:
            cells.append(_arrow(_amount(row.cost_before), _amount(row.cost_after)))
            cells.append(_arrow(_amount(row.cost_before, 24), _amount(row.cost_after, 24)))
        cells.append("<br>".join(_md(c) for c in _row_changes(row)))
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append("**Stack:** " + "; ".join(_md(t) for t in _totals(summary)) + ".")
    for line in _commitments(summary):
        out.append(f"- 💰 {_md(line)}")
    return out


def _md_notes(summary: Summary, rate_card_source: str | None) -> list[str]:
    """Small print under the table: where prices come from, what could not be priced, what is left out."""
    notes = []
    if summary.rate_card is not None:
        notes.append(_card_note(summary.rate_card, rate_card_source))
        notes += [f"Cost unknown: {m}." for m in _missing(summary)]
    if not summary.complete:
        notes.append(
            "Unchanged resources are not listed: run `pulumi preview --json --show-sames` for the stack's totals."
        )
    if summary.other_changes:
        other = ", ".join(f"{n} {op}" for op, n in sorted(summary.other_changes.items()))
        notes.append(f"Other resources in this preview: {other}.")
    if not notes:
        return []
    # Lines of one paragraph run together in Markdown: a <br> after every note but the last.
    return ["", *(f"<sub>{_md(n)}</sub><br>" for n in notes[:-1]), f"<sub>{_md(notes[-1])}</sub>"]


def _lines(items: Iterable[str], indent: str) -> list[str]:
    return [indent + item for item in items]


def render_text(
    summary: Summary, *, gate: GateResult | None = None, rate_card_source: str | None = None, title: str | None = None
) -> str:
    """Plain text for a terminal."""
    out: list[str] = [title or "Together GPU infrastructure review", ""]
    if gate is not None and gate.failed:
        out.append("REVIEW GATE FAILED:")
        out += _lines(gate.reasons, "  - ")
        out.append("")
    loud = _loud(summary)
    if loud:
        out.append(f"!! {len(loud)} finding(s) need a reviewer's attention:")
        out += [f"  !! {_LABEL[f.kind]:<10} {f.message}" for f in loud]
        out.append("")
    advisories = _advisories(summary)
    if advisories:
        out.append(f"Policy warnings (advisory, {len(advisories)}):")
        out += _lines(advisories, "  ! ")
        out.append("")
    if not summary.rows:
        out.append("No GpuCluster or SharedVolume in this preview.")
    card = summary.rate_card
    for row in summary.rows:
        out.append(f"{row.title}: {_OPERATION[row.operation]}")
        if row.kind == "GpuCluster":
            out.append(f"    GPUs           {_arrow(_count(row.gpus_before), _count(row.gpus_after))}")
            out.append(
                "    GPU-hours/day  " + _arrow(_count(_gpu_hours(row.gpus_before)), _count(_gpu_hours(row.gpus_after)))
            )
        if card is not None:
            hourly = _arrow(_amount(row.cost_before), _amount(row.cost_after))
            daily = _arrow(_amount(row.cost_before, 24), _amount(row.cost_after, 24))
            out.append(f"    cost/hour      {hourly} {card.currency}")
            out.append(f"    cost/day       {daily} {card.currency}")
        changes = _row_changes(row)
        out.append("    " + ("changes:" if row.changes else "what:"))
        out += _lines(changes, "      ")
    if summary.rows:
        out.append("")
        out += _lines(_totals(summary), "Stack: ")
        out += _commitments(summary)
    notes = []
    if card is not None:
        notes.append(_card_note(card, rate_card_source).replace("**", "").replace("`", ""))
        notes += [f"Cost unknown: {m}." for m in _missing(summary)]
    if not summary.complete:
        notes.append("Unchanged resources are not listed: run `pulumi preview --json --show-sames` for stack totals.")
    if summary.other_changes:
        notes.append(
            "Other resources in this preview: "
            + ", ".join(f"{n} {op}" for op, n in sorted(summary.other_changes.items()))
            + "."
        )
    if notes:
        out.append("")
        out += notes
    return "\n".join(out).rstrip() + "\n"
