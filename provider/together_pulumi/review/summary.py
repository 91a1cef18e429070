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

The steps are read in :mod:`.steps`, each row made in :mod:`.rows` and its findings in
:mod:`.findings`; the records are in :mod:`.results`, and re-exported here, where callers have
always imported them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .ratecard import RateCard
from .results import (
    BILLING_TERMS,
    FINDING_KINDS,
    Change,
    Finding,
    FindingKind,
    Operation,
    PolicyViolation,
    Row,
    Summary,
)
from .rows import cluster_row, volume_row
from .steps import PreviewError, load_preview, operation_of, preview_resources
from .tokens import CLUSTER_COMPONENT_TYPE, READINESS_TYPE, VOLUME_READINESS_TYPE, kind_of

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


def summarize(preview: str | bytes | Mapping[str, Any], rate_card: RateCard | None = None) -> Summary:
    """The :class:`Summary` of one ``pulumi preview --json`` output (text or parsed)."""
    data = load_preview(preview)
    rows: list[Row] = []
    others: dict[str, int] = {}
    same_steps = 0
    for resource in preview_resources(data.get("steps") or []):
        same_steps += resource.ops.count("same")
        kind = kind_of(resource.type)
        op = operation_of(resource.ops)
        name = resource.urn.rsplit("::", 1)[-1]
        if kind == "GpuCluster":
            rows.append(cluster_row(resource, name, op, rate_card))
        elif kind == "SharedVolume":
            rows.append(volume_row(resource, name, op, rate_card))
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
