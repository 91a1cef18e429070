"""The CI gate of ``together-pulumi review``: which findings fail the check, and a cap on cost increases."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

from .results import FINDING_KINDS, FindingKind, Summary

__all__ = ["CostCap", "GateResult", "evaluate", "parse_cost_cap", "parse_fail_on"]

_PER: Final = {"h": "hour", "hour": "hour", "d": "day", "day": "day"}


@dataclass(frozen=True)
class CostCap:
    """The largest allowed increase of the stack's cost, per hour or per day."""

    amount: Decimal
    per: Literal["hour", "day"] = "hour"

    @property
    def hourly(self) -> Decimal:
        return self.amount if self.per == "hour" else self.amount / 24


def parse_cost_cap(text: str) -> CostCap:
    """``150``, ``150/h`` or ``3600/day``: an amount in the rate card's currency, per hour by default."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:/\s*([a-z]+))?\s*", text.lower())
    if match is None or (match.group(2) is not None and match.group(2) not in _PER):
        raise ValueError(f"--max-cost-increase {text!r}: expected an amount such as 150, 150/h or 3600/day")
    try:
        amount = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        raise ValueError(f"--max-cost-increase {text!r}: not a number") from None
    per = _PER[match.group(2) or "h"]
    return CostCap(amount, "hour" if per == "hour" else "day")


def parse_fail_on(text: str) -> tuple[FindingKind, ...]:
    """``replace,delete`` → the finding kinds; an unknown name is an error listing the valid ones."""
    kinds: list[FindingKind] = []
    for raw in text.split(","):
        name = raw.strip().lower()
        if not name:
            continue
        match = next((k for k in FINDING_KINDS if k == name), None)
        if match is None:
            raise ValueError(f"--fail-on: unknown kind {name!r}; valid: {', '.join(FINDING_KINDS)}")
        kinds.append(match)
    return tuple(dict.fromkeys(kinds))


@dataclass(frozen=True)
class GateResult:
    """Why the gate fails (empty: it passes)."""

    reasons: tuple[str, ...]

    @property
    def failed(self) -> bool:
        return bool(self.reasons)


def evaluate(summary: Summary, fail_on: Iterable[FindingKind] = (), cost_cap: CostCap | None = None) -> GateResult:
    """Apply ``--fail-on`` and ``--max-cost-increase`` to a summary.

    A cost cap fails closed: if the increase cannot be computed (a price missing from the card, a
    GPU count not known until apply), the gate fails and says why.
    """
    wanted = set(fail_on)
    reasons = [f"{f.kind}: {f.message}" for f in summary.findings if f.kind in wanted]
    if cost_cap is not None:
        card = summary.rate_card
        delta = summary.cost_delta
        if card is None or delta is None:
            reasons.append("cost: --max-cost-increase needs a rate card (--rate-card)")
        elif delta.amount is None:
            reasons.append(f"cost: the cost increase cannot be computed ({'; '.join(delta.missing)})")
        elif delta.amount > cost_cap.hourly:
            per_day = delta.amount * 24
            reasons.append(
                f"cost: the stack's cost rises by {card.money(delta.amount)}/hour ({card.money(per_day)}/day), "
                f"more than the allowed {card.money(cost_cap.amount)}/{cost_cap.per}"
            )
    return GateResult(tuple(reasons))
