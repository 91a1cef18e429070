"""What a reviewer must stop at, per GpuCluster and SharedVolume: the :class:`~.results.Finding` s.

Replacements, deletions, scale-downs, changes of billing terms and data an inline volume takes with
its cluster are loud; creates and updates are quiet findings, there so ``--fail-on`` can gate on
them too.
"""

from __future__ import annotations

from .facts import ClusterFacts, InlineVolumeFacts, display
from .results import BILLING_TERMS, Change, Finding, Operation
from .steps import PreviewResource, is_retained

__all__ = ["cluster_findings", "volume_findings"]


def cluster_findings(
    resource: PreviewResource,
    title: str,
    op: Operation,
    before: ClusterFacts | None,
    after: ClusterFacts | None,
    changes: tuple[Change, ...],
) -> list[Finding]:
    """What a reviewer must stop at: replacement, deletion, scale-down, billing terms, inline data."""
    loud = (
        _cluster_operation_finding(resource, title, op, before, after),
        _billing_terms_finding(title, op, before, changes),
        _inline_data_finding(resource, title, op, before),
    )
    findings = [finding for finding in loud if finding is not None]
    if op in ("create", "update"):
        findings.append(Finding(op, title, f"{title}: {op}"))
    return findings


def _cluster_operation_finding(
    resource: PreviewResource, title: str, op: Operation, before: ClusterFacts | None, after: ClusterFacts | None
) -> Finding | None:
    """A replacement, a deletion (or a retained cluster leaving the stack) or a scale-down."""
    if op == "replace":
        reasons = ", ".join(resource.replace_reasons) or "settings that cannot change in place"
        return Finding(
            "replace",
            title,
            f"{title} is REPLACED (by {reasons}): a new cluster is created and the old one deleted; "
            "every node is recreated and running jobs die.",
        )
    if op == "delete" and before is not None:
        if is_retained(resource):
            message = (
                f"{title} leaves the stack but is NOT deleted (retain_on_delete): it keeps running and billing, "
                "unmanaged."
            )
        else:
            message = f"{title} is DELETED: its {display(before.nodes)} node(s) and every job on them are gone."
        return Finding("delete", title, message)
    if op == "update" and before is not None and after is not None:
        b, a = before.gpus, after.gpus
        if isinstance(b, int) and isinstance(a, int) and a < b:
            removed = before.nodes if isinstance(before.nodes, int) else 0
            kept = after.nodes if isinstance(after.nodes, int) else 0
            return Finding(
                "scale-down",
                title,
                f"{title} scales DOWN {b} → {a} GPUs: {removed - kept} node(s) are removed and "
                "jobs running on them die.",
            )
    return None


def _billing_terms_finding(
    title: str, op: Operation, before: ClusterFacts | None, changes: tuple[Change, ...]
) -> Finding | None:
    """A change of what is paid and on which terms (:data:`~.results.BILLING_TERMS`)."""
    if op in ("update", "replace") and before is not None:
        terms = [c for c in changes if c.prop in BILLING_TERMS]
        if terms:
            what = "; ".join(f"{c.prop} {c.before} → {c.after}" for c in terms)
            return Finding("billing-change", title, f"{title} changes billing terms: {what}.")
    return None


def _inline_data_finding(
    resource: PreviewResource, title: str, op: Operation, before: ClusterFacts | None
) -> Finding | None:
    """Data lost with the cluster: an inline shared_volume that is not lifecycle-independent."""
    if op in ("delete", "replace") and before is not None and not is_retained(resource):
        inline = before.shared_volume
        if isinstance(inline, InlineVolumeFacts) and inline.is_lifecycle_independent is False:
            return Finding(
                op,
                title,
                f"{title}'s inline shared_volume {display(inline.volume_name)} is not lifecycle-independent: "
                "it is deleted with the cluster, and its data is lost.",
            )
    return None


def volume_findings(resource: PreviewResource, title: str, op: Operation) -> list[Finding]:
    """A volume's replacement or deletion loses its data; a retained one keeps its bill."""
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
        if is_retained(resource):
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
    return findings
