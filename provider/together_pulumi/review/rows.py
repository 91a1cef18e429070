"""One :class:`~.results.Row` per GpuCluster and SharedVolume: what it is before and after the step,
what changes, its GPUs and, with a rate card, its cost and any upfront commitment."""

from __future__ import annotations

from typing import Any

from .facts import ClusterFacts, VolumeFacts, settings
from .findings import cluster_findings, volume_findings
from .ratecard import Cost, RateCard, cluster_hourly_cost, commitment, volume_hourly_cost
from .results import BILLING_TERMS, Change, Operation, Row
from .steps import PreviewResource, setting_changes, state_settings

__all__ = ["cluster_row", "volume_row"]


def cluster_row(resource: PreviewResource, name: str, op: Operation, card: RateCard | None) -> Row:
    before, after, before_props, after_props = _cluster_facts(resource, name, op)
    changes = setting_changes(resource, before_props, after_props) if op in ("update", "replace") else ()
    cost_before, cost_after, pledge = _cluster_costs(card, op, before, after, changes)
    shown = after or before
    assert shown is not None
    return Row(
        kind="GpuCluster",
        name=name,
        operation=op,
        details=shown.describe(),
        changes=changes,
        gpus_before=before.gpus if before is not None else None,
        gpus_after=after.gpus if after is not None else None,
        cost_before=cost_before,
        cost_after=cost_after,
        commitment=pledge,
        findings=tuple(cluster_findings(resource, f'GpuCluster "{name}"', op, before, after, changes)),
    )


def _cluster_facts(
    resource: PreviewResource, name: str, op: Operation
) -> tuple[ClusterFacts | None, ClusterFacts | None, dict[str, Any], dict[str, Any]]:
    """The cluster before and after the step (None where it does not exist), and their settings."""
    before_props = state_settings(resource.old, outputs_first=True)
    after_props = state_settings(resource.new, outputs_first=False)
    if op == "update":
        # Settings the service chose (not in the old inputs) carry over an in-place update.
        old_inputs = settings((resource.old or {}).get("inputs"))
        for key, value in before_props.items():
            if key not in old_inputs:
                after_props.setdefault(key, value)
    before = ClusterFacts.from_props(name, before_props) if op not in ("create", "import") else None
    after = ClusterFacts.from_props(name, after_props) if op != "delete" else None
    if op == "unchanged":
        after = before
    return before, after, before_props, after_props


def _cluster_costs(
    card: RateCard | None,
    op: Operation,
    before: ClusterFacts | None,
    after: ClusterFacts | None,
    changes: tuple[Change, ...],
) -> tuple[Cost | None, Cost | None, tuple[Cost, str] | None]:
    """Hourly cost before and after, and the upfront commitment a new or re-termed cluster makes."""
    if card is None:
        return None, None, None
    cost_before = cluster_hourly_cost(card, before) if before is not None else None
    cost_after = cluster_hourly_cost(card, after) if after is not None else None
    new_terms = op in ("create", "replace") or (op == "update" and any(c.prop in BILLING_TERMS for c in changes))
    pledge = commitment(card, after) if after is not None and new_terms else None
    return cost_before, cost_after, pledge


def volume_row(resource: PreviewResource, name: str, op: Operation, card: RateCard | None) -> Row:
    before_props = state_settings(resource.old, outputs_first=True)
    after_props = state_settings(resource.new, outputs_first=False)
    before = VolumeFacts.from_props(name, before_props) if op not in ("create", "import") else None
    after = VolumeFacts.from_props(name, after_props) if op != "delete" else None
    if op == "unchanged":
        after = before
    title = f'SharedVolume "{name}"'
    changes = setting_changes(resource, before_props, after_props) if op in ("update", "replace") else ()
    findings = volume_findings(resource, title, op)
    cost_before = cost_after = None
    if card is not None:
        cost_before = volume_hourly_cost(card, before) if before is not None else None
        cost_after = volume_hourly_cost(card, after) if after is not None else None
    shown = after or before
    assert shown is not None
    return Row(
        kind="SharedVolume",
        name=name,
        operation=op,
        details=shown.describe(),
        changes=changes,
        cost_before=cost_before,
        cost_after=cost_after,
        findings=tuple(findings),
    )
