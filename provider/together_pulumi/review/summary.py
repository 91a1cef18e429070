"""``pulumi preview --json`` → what a reviewer must know: one row per GpuCluster and SharedVolume.

The engine reports a GpuCluster as internal steps (the component, its ``Cluster`` child that holds
the settings, its ``ClusterReadiness`` child); this module folds them into one row named by the
user's resource name, with the operation, the changed settings (before → after), GPUs, GPU-hours
per day and, with a rate card, the hourly cost before → after. It raises :class:`Finding` s where a
reviewer must stop: replacements, deletions, scale-downs, changes of billing terms.

Only what the preview says is used; secrets stay ``[secret]``, and values the engine does not know
yet are shown as ``(known after apply)``. The input may also be the engine's event stream
(``PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json --policy-pack ...``), which adds the
policy pack's violations (:mod:`.events`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from .events import REPLACE_OPS, from_events, looks_like_events
from .facts import ClusterFacts, InlineVolumeFacts, VolumeFacts, display, settings
from .ratecard import Cost, RateCard, cluster_hourly_cost, commitment, volume_hourly_cost
from .tokens import (
    CLUSTER_COMPONENT_TYPE,
    READINESS_TYPE,
    UNKNOWN,
    VOLUME_READINESS_TYPE,
    Kind,
    Unknown,
    kind_of,
    replacing_settings,
)

__all__ = [
    "BILLING_TERMS",
    "FINDING_KINDS",
    "Change",
    "Finding",
    "FindingKind",
    "Operation",
    "PolicyViolation",
    "PreviewError",
    "Row",
    "Summary",
    "summarize",
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
_OPS: Final[dict[str, Operation]] = {
    "create": "create",
    "update": "update",
    "delete": "delete",
    "discard": "delete",
    "same": "unchanged",
    "read": "read",
    "read-replacement": "read",
    "refresh": "read",
    "import": "import",
    "import-replacement": "import",
}


class PreviewError(ValueError):
    """The input is not the JSON that ``pulumi preview --json`` writes."""


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


# --- reading the preview -------------------------------------------------------------------------


@dataclass
class _Resource:
    urn: str
    type: str
    ops: list[str] = field(default_factory=list)
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    replace_reasons: list[str] = field(default_factory=list)


def _load(preview: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(preview, Mapping):
        return preview
    text = preview.decode("utf-8", "replace") if isinstance(preview, bytes) else preview
    if looks_like_events(text):
        try:
            return from_events(text)
        except ValueError as exc:
            raise PreviewError(f"not a stream of engine events: {exc}") from None
    try:
        data = json.loads(preview)
    except ValueError as exc:
        raise PreviewError(
            f"not the JSON of `pulumi preview --json` ({exc}); run `pulumi preview --json > preview.json`"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("steps", []), list):
        raise PreviewError("not the JSON of `pulumi preview --json`: expected an object with a `steps` list")
    return data


def _type_of(step: Mapping[str, Any]) -> str:
    for state in ("newState", "oldState"):
        value = (step.get(state) or {}).get("type")
        if isinstance(value, str):
            return value
    # urn:pulumi:<stack>::<project>::<parent types $ >type::<name>
    parts = str(step.get("urn", "")).split("::")
    return parts[2].split("$")[-1] if len(parts) >= 4 else ""


def _resources(steps: Sequence[Any]) -> list[_Resource]:
    found: dict[str, _Resource] = {}
    for step in steps:
        if not isinstance(step, Mapping) or not isinstance(step.get("urn"), str):
            raise PreviewError("not the JSON of `pulumi preview --json`: a step has no `urn`")
        urn = step["urn"]
        resource = found.setdefault(urn, _Resource(urn, _type_of(step)))
        op = str(step.get("op", ""))
        resource.ops.append(op)
        # The first old state is the one in the stack; the last new state is what the program declares.
        if resource.old is None and isinstance(step.get("oldState"), Mapping):
            resource.old = dict(step["oldState"])
        if isinstance(step.get("newState"), Mapping) and op not in ("delete", "delete-replaced", "discard"):
            resource.new = dict(step["newState"])
        for reason in step.get("replaceReasons") or ():
            if reason not in resource.replace_reasons:
                resource.replace_reasons.append(str(reason))
    for resource in found.values():
        if not resource.replace_reasons and _operation(resource.ops) == "replace":
            resource.replace_reasons = _replacing_changes(resource)
    return list(found.values())


def _replacing_changes(resource: _Resource) -> list[str]:
    """The replacing settings that change, for a replacement the engine gives no reasons for (one it
    makes because a resource this one depends on is deleted before its replacement)."""
    before, after = settings((resource.old or {}).get("inputs")), settings((resource.new or {}).get("inputs"))
    changed = sorted(p for p in replacing_settings(resource.type) if before.get(p) != after.get(p))
    # An auto-name follows the replacing change: it is a reason only when nothing else changed.
    return [p for p in changed if p not in _NAMES] or changed


def _operation(ops: Sequence[str]) -> Operation:
    if REPLACE_OPS & set(ops):
        return "replace"
    for op in ops:
        if op in _OPS and op != "same":
            return _OPS[op]
    return "unchanged" if "same" in ops else "other"


def _props(state: Mapping[str, Any] | None, *, outputs_first: bool) -> dict[str, Any]:
    """A state's settings: with ``outputs_first`` what the resource really has (its outputs over its inputs)."""
    if not state:
        return {}
    inputs, outputs = settings(state.get("inputs")), settings(state.get("outputs"))
    return {**inputs, **outputs} if outputs_first else {**outputs, **inputs}


#: The names of the objects: a replacement's new auto-name is not one of its causes.
_NAMES = ("cluster_name", "volume_name")


def _changes(resource: _Resource, before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[Change, ...]:
    # Settings a user can declare: those in either side's inputs (outputs also hold status, nodes, ...).
    declared = {*settings((resource.old or {}).get("inputs")), *settings((resource.new or {}).get("inputs"))}
    reasons = set(resource.replace_reasons)
    changes = []
    for prop in sorted(declared):
        old, new = before.get(prop), after.get(prop)
        if old == new and old is not UNKNOWN:
            continue
        if prop in _NAMES and reasons and prop not in reasons:
            continue  # an auto-name that follows the replacing change, not a change of the program
        changes.append(Change(prop, display(old), display(new), replaces=prop in reasons))
    return tuple(changes)


def _retained(resource: _Resource) -> bool:
    return bool((resource.old or {}).get("retainOnDelete"))


def _cluster_row(resource: _Resource, name: str, op: Operation, card: RateCard | None) -> Row:
    before, after, before_props, after_props = _cluster_facts(resource, name, op)
    changes = _changes(resource, before_props, after_props) if op in ("update", "replace") else ()
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
        findings=tuple(_cluster_findings(resource, f'GpuCluster "{name}"', op, before, after, changes)),
    )


def _cluster_facts(
    resource: _Resource, name: str, op: Operation
) -> tuple[ClusterFacts | None, ClusterFacts | None, dict[str, Any], dict[str, Any]]:
    """The cluster before and after the step (None where it does not exist), and their settings."""
    before_props = _props(resource.old, outputs_first=True)
    after_props = _props(resource.new, outputs_first=False)
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


def _cluster_findings(
    resource: _Resource,
    title: str,
    op: Operation,
    before: ClusterFacts | None,
    after: ClusterFacts | None,
    changes: tuple[Change, ...],
) -> list[Finding]:
    """What a reviewer must stop at: replacement, deletion, scale-down, billing terms, inline data."""
    findings: list[Finding] = []
    if op == "replace":
        reasons = ", ".join(resource.replace_reasons) or "settings that cannot change in place"
        findings.append(
            Finding(
                "replace",
                title,
                f"{title} is REPLACED (by {reasons}): a new cluster is created and the old one deleted; "
                "every node is recreated and running jobs die.",
            )
        )
    elif op == "delete" and before is not None:
        if _retained(resource):
            message = (
                f"{title} leaves the stack but is NOT deleted (retain_on_delete): it keeps running and billing, "
                "unmanaged."
            )
        else:
            message = f"{title} is DELETED: its {display(before.nodes)} node(s) and every job on them are gone."
        findings.append(Finding("delete", title, message))
    elif op == "update" and before is not None and after is not None:
        b, a = before.gpus, after.gpus
        if isinstance(b, int) and isinstance(a, int) and a < b:
            removed = before.nodes if isinstance(before.nodes, int) else 0
            kept = after.nodes if isinstance(after.nodes, int) else 0
            findings.append(
                Finding(
                    "scale-down",
                    title,
                    f"{title} scales DOWN {b} → {a} GPUs: {removed - kept} node(s) are removed and "
                    "jobs running on them die.",
                )
            )
    if op in ("update", "replace") and before is not None:
        terms = [c for c in changes if c.prop in BILLING_TERMS]
        if terms:
            what = "; ".join(f"{c.prop} {c.before} → {c.after}" for c in terms)
            findings.append(Finding("billing-change", title, f"{title} changes billing terms: {what}."))
    if op in ("delete", "replace") and before is not None and not _retained(resource):
        inline = before.shared_volume
        if isinstance(inline, InlineVolumeFacts) and inline.is_lifecycle_independent is False:
            findings.append(
                Finding(
                    op,
                    title,
                    f"{title}'s inline shared_volume {display(inline.volume_name)} is not lifecycle-independent: "
                    "it is deleted with the cluster, and its data is lost.",
                )
            )
    if op in ("create", "update"):
        findings.append(Finding(op, title, f"{title}: {op}"))
    return findings


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


def _volume_row(resource: _Resource, name: str, op: Operation, card: RateCard | None) -> Row:
    before_props = _props(resource.old, outputs_first=True)
    after_props = _props(resource.new, outputs_first=False)
    before = VolumeFacts.from_props(name, before_props) if op not in ("create", "import") else None
    after = VolumeFacts.from_props(name, after_props) if op != "delete" else None
    if op == "unchanged":
        after = before
    title = f'SharedVolume "{name}"'
    changes = _changes(resource, before_props, after_props) if op in ("update", "replace") else ()
    findings: list[Finding] = []
    if op == "replace":
        reasons = ", ".join(resource.replace_reasons) or "settings that cannot change in place"
        findings.append(
            Finding(
                "replace",
                title,
                f"{title} is REPLACED (by {reasons}): a new, empty volume is created and the old one "
                "is deleted with its data.",
            )
        )
    elif op == "delete":
        if _retained(resource):
            findings.append(
                Finding(
                    "delete",
                    title,
                    f"{title} leaves the stack but is NOT deleted (retain_on_delete): its data stays, "
                    "and so does its bill.",
                )
            )
        else:
            findings.append(Finding("delete", title, f"{title} is DELETED: the data on it is lost."))
    elif op in ("create", "update"):
        findings.append(Finding(op, title, f"{title}: {op}"))
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


def summarize(preview: str | bytes | Mapping[str, Any], rate_card: RateCard | None = None) -> Summary:
    """The :class:`Summary` of one ``pulumi preview --json`` output (text or parsed)."""
    data = _load(preview)
    rows: list[Row] = []
    others: dict[str, int] = {}
    same_steps = 0
    for resource in _resources(data.get("steps") or []):
        same_steps += resource.ops.count("same")
        kind = kind_of(resource.type)
        op = _operation(resource.ops)
        name = resource.urn.rsplit("::", 1)[-1]
        if kind == "GpuCluster":
            rows.append(_cluster_row(resource, name, op, rate_card))
        elif kind == "SharedVolume":
            rows.append(_volume_row(resource, name, op, rate_card))
        elif op not in ("unchanged", "other") and not _is_ours(resource.type):
            others[op] = others.get(op, 0) + 1
    errors = tuple(
        _error_text(str(d.get("message", "")))
        for d in data.get("diagnostics") or []
        if isinstance(d, Mapping) and d.get("severity") == "error"
    )
    summary_same = (data.get("changeSummary") or {}).get("same", 0)
    complete = not isinstance(summary_same, int) or summary_same <= same_steps
    violations = tuple(_violation(v) for v in data.get("policyViolations") or [] if isinstance(v, Mapping))
    return Summary(tuple(rows), errors, complete, rate_card, others, tuple(dict.fromkeys(violations)))


def _error_text(message: str) -> str:
    """An error diagnostic without the engine's ``error:`` prefix (findings are labelled already)."""
    text = message.strip()
    return text[len("error:") :].strip() if text.lower().startswith("error:") else text


def _resource_title(urn: str) -> str:
    parts = urn.split("::")
    if len(parts) < 4:
        return "the stack"
    type_token, name = parts[2].split("$")[-1], parts[-1]
    if type_token == "pulumi:pulumi:Stack":
        return "the stack"
    kind = kind_of(type_token)
    return f'{kind or type_token} "{name}"'


def _violation(event: Mapping[str, Any]) -> PolicyViolation:
    lines = [line for line in str(event.get("message", "")).strip().splitlines() if line.strip()]
    # Pulumi puts the policy's description first; the rest is what the policy reported.
    message = " ".join(lines[1:]) if len(lines) > 1 else " ".join(lines)
    return PolicyViolation(
        policy=str(event.get("policyName", "")),
        level=str(event.get("enforcementLevel", "advisory")),
        resource=_resource_title(str(event.get("resourceUrn") or "")),
        message=message,
    )


def _is_ours(type_token: str) -> bool:
    """Steps of our own machinery (the component, the readiness child, the stack) that rows stand for."""
    ours = (CLUSTER_COMPONENT_TYPE, READINESS_TYPE, VOLUME_READINESS_TYPE, "pulumi:pulumi:Stack")
    return type_token in ours or type_token.startswith("pulumi:providers:")
