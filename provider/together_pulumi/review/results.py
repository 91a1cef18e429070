"""What a review finds: a :class:`Summary` of :class:`Row` s, their :class:`Change` s and :class:`Finding` s.

Plain frozen records and the totals over them; :mod:`.summary` builds them from a preview, and
:mod:`.render` and :mod:`.gate` only read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from .ratecard import Cost, RateCard
from .tokens import UNKNOWN, Kind, Unknown

__all__ = [
    "BILLING_TERMS",
    "FINDING_KINDS",
    "Change",
    "Finding",
    "FindingKind",
    "Operation",
    "PolicyViolation",
    "Row",
    "Summary",
]

Operation = Literal["create", "update", "replace", "delete", "unchanged", "read", "import", "other"]
FindingKind = Literal["create", "update", "replace", "delete", "scale-down", "billing-change", "policy", "error"]
#: Every kind of finding, in the order reports list them; ``--fail-on`` takes these names.
FINDING_KINDS: Final[tuple[FindingKind, ...]] = (
    "error",
    "policy",
    "replace",
    "delete",
    "scale-down",
    "billing-change",
    "create",
    "update",
)
#: Settings that change what is paid and on which terms.
BILLING_TERMS: Final = (
    "billing_type",
    "duration_days",
    "reservation_start_time",
    "reservation_end_time",
    "num_reserved_gpus",
    "capacity_pool_id",
    "num_capacity_pool_gpus",
)


@dataclass(frozen=True)
class Change:
    """One setting that changes: ``num_gpus: 8 → 16``; ``replaces`` when the change forces a replacement."""

    prop: str
    before: str
    after: str
    replaces: bool = False


@dataclass(frozen=True)
class Finding:
    """Something a reviewer must look at (``loud``) or may want to gate on (creates, updates)."""

    kind: FindingKind
    resource: str
    message: str

    @property
    def loud(self) -> bool:
        return self.kind not in ("create", "update")


@dataclass(frozen=True)
class PolicyViolation:
    """A policy pack's verdict on one resource or the stack (only in event-stream input)."""

    policy: str
    level: str
    #: ``GpuCluster "train"``, ``the stack``, or ``<type> "<name>"`` for other resources.
    resource: str
    message: str

    @property
    def mandatory(self) -> bool:
        return self.level in ("mandatory", "remediate")


@dataclass(frozen=True)
class Row:
    """One GpuCluster or SharedVolume and what the preview does to it."""

    kind: Kind
    name: str
    operation: Operation
    #: What it is (after the change; before it for a deletion): ``16 x H100_SXM in us-central-8, ...``.
    details: str
    changes: tuple[Change, ...] = ()
    #: GPUs before and after; None where the resource does not exist (before a create, after a delete).
    gpus_before: int | Unknown | None = None
    gpus_after: int | Unknown | None = None
    cost_before: Cost | None = None
    cost_after: Cost | None = None
    #: What a new RESERVED / SCHEDULED_CAPACITY cluster commits to up front, and for how long.
    commitment: tuple[Cost, str] | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def title(self) -> str:
        return f'{self.kind} "{self.name}"'

    @property
    def gpu_delta(self) -> int | Unknown:
        return _delta(self.gpus_before, self.gpus_after)

    @property
    def cost_delta(self) -> Cost | None:
        if self.cost_before is None and self.cost_after is None:
            return None
        return (self.cost_after or Cost.zero()) - (self.cost_before or Cost.zero())


def _delta(before: int | Unknown | None, after: int | Unknown | None) -> int | Unknown:
    if isinstance(before, Unknown) or isinstance(after, Unknown):
        return UNKNOWN
    return (after or 0) - (before or 0)


@dataclass(frozen=True)
class Summary:
    """Every row of a preview, its findings, the preview's own errors and, with a rate card, costs."""

    rows: tuple[Row, ...]
    errors: tuple[str, ...] = ()
    #: False when unchanged resources were left out (``pulumi preview --json`` without ``--show-sames``):
    #: then only deltas, not stack totals, can be told.
    complete: bool = True
    rate_card: RateCard | None = None
    other_changes: Mapping[str, int] = field(default_factory=dict)
    policy_violations: tuple[PolicyViolation, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        found = [Finding("error", "preview", e) for e in self.errors]
        found += [
            Finding("policy", v.resource, f"[{v.policy}] {v.message}") for v in self.policy_violations if v.mandatory
        ]
        found += [f for row in self.rows for f in row.findings]
        order = {kind: i for i, kind in enumerate(FINDING_KINDS)}
        return tuple(sorted(found, key=lambda f: order[f.kind]))

    @property
    def changed_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.operation != "unchanged")

    def gpu_total(self, when: Literal["before", "after"]) -> int | Unknown:
        total = 0
        for row in self.rows:
            value = row.gpus_before if when == "before" else row.gpus_after
            if isinstance(value, Unknown):
                return UNKNOWN
            total += value or 0
        return total

    @property
    def gpu_delta(self) -> int | Unknown:
        total = 0
        for row in self.rows:
            delta = row.gpu_delta
            if isinstance(delta, Unknown):
                return UNKNOWN
            total += delta
        return total

    def cost_total(self, when: Literal["before", "after"]) -> Cost | None:
        if self.rate_card is None:
            return None
        total = Cost.zero()
        for row in self.rows:
            total += (row.cost_before if when == "before" else row.cost_after) or Cost.zero()
        return total

    @property
    def cost_delta(self) -> Cost | None:
        if self.rate_card is None:
            return None
        total = Cost.zero()
        for row in self.rows:
            total += row.cost_delta or Cost.zero()
        return total
