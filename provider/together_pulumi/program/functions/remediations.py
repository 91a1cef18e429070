"""Node remediations as functions: read them from a program (``list_remediations``, ``get_remediation``).

Why functions and not a resource: a remediation is an operational action (reboot, power-cycle or
replace a node) with a lifecycle that ends on its own. Declared in a stack it would mean "reboot this
node" on the first ``up`` and then nothing true: once it has succeeded there is nothing left to keep
converged, ``pulumi destroy`` cannot undo a reboot, a changed input would have to mean a second
reboot (a "replacement"), and after a ``VM_ONLY`` or ``HOST_AWARE`` remediation the node it names no
longer exists. Approving what the health checks opened is a decision per incident, not desired state.
So the program reads them (to report them, or to gate a change on a healthy cluster), and the actions
(create, approve, reject, cancel) are calls of the API client, from a runbook or an automation::

    from together_pulumi.api import TogetherClient
    with TogetherClient() as client:
        for r in client.list_remediations(cluster_id, query=RemediationListQuery(state=["PENDING_APPROVAL"])):
            client.approve_remediation(cluster_id, r.instance_id, r.id)

Functions also run during ``pulumi preview``, which must never change anything: one more reason the
actions are not functions. Every node's latest remediation is also in ``GpuCluster.gpu_worker_nodes``
and in a looked-up cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from ...api import errors
from ...api.enums import RemediationMode, RemediationState, RemediationTrigger
from ...model.cluster.report import iso_time
from ...model.fields import Field, ListOf, ObjectType
from .common import FunctionError, FunctionSpec, api_client, listing, output_of

if TYPE_CHECKING:
    from ...api.client import TogetherClient
    from ...api.models import LinkedAlert, Remediation, RemediationListQuery

__all__ = [
    "FUNCTIONS",
    "REMEDIATION_INFO",
    "RemediationAlertInfo",
    "RemediationInfo",
    "get_remediation",
    "get_remediation_output",
    "list_remediations",
    "list_remediations_output",
]

REMEDIATION_ALERT = ObjectType(
    "RemediationAlert",
    "A health-check alert linked to a remediation.",
    (
        Field("alert_name", str, "Alert, e.g. DmesgXidError.", required=True),
        Field("severity", str, "PHC_SEVERITY_INFO, _WARNING or _CRITICAL."),
        Field("summary", str, "What the alert says, in one line."),
        Field("started_at", str, "When it fired (RFC 3339)."),
        Field("resolved_at", str, "When it resolved (RFC 3339), if it did."),
    ),
)

REMEDIATION_INFO = ObjectType(
    "RemediationInfo",
    "A node remediation: what it does to which node, where it is, who asked and who reviewed it.",
    (
        Field("id", str, "Remediation ID.", required=True),
        Field("cluster_id", str, "Cluster of the node.", required=True),
        Field("instance_id", str, "Instance (node) it repairs.", required=True),
        Field("instance_name", str, "Name of the instance."),
        Field("mode", str, "How: REMEDIATION_MODE_REBOOT_VM, _VM_ONLY, _HOST_AWARE, ...", required=True),
        Field("state", str, "PENDING_APPROVAL, PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, ...", required=True),
        Field("trigger", str, "REMEDIATION_TRIGGER_MANUAL or REMEDIATION_TRIGGER_AUTOMATED.", required=True),
        Field("reason", str, "Why it was asked for."),
        Field("requested_by", str, "Who asked for it."),
        Field("error_message", str, "Why it failed, when it did."),
        Field("create_time", str, "When it was opened (RFC 3339)."),
        Field("update_time", str, "When it last changed (RFC 3339)."),
        Field("start_time", str, "When it started running (RFC 3339)."),
        Field("end_time", str, "When it ended (RFC 3339)."),
        Field("reviewed_by", str, "Who approved or rejected it."),
        Field("review_time", str, "When it was reviewed (RFC 3339)."),
        Field("review_comment", str, "The reviewer's comment."),
        Field("alerts", ListOf(REMEDIATION_ALERT), "Health-check alerts linked to it.", required=True),
    ),
)


@dataclass(frozen=True)
class RemediationAlertInfo:
    """A health-check alert linked to a remediation."""

    alert_name: str
    severity: str | None
    summary: str | None
    started_at: str | None
    resolved_at: str | None


@dataclass(frozen=True)
class RemediationInfo:
    """A node remediation (see the module docstring for why a program only reads them)."""

    id: str
    cluster_id: str
    instance_id: str
    instance_name: str | None
    mode: str
    state: str
    trigger: str
    reason: str | None
    requested_by: str | None
    error_message: str | None
    create_time: str | None
    update_time: str | None
    start_time: str | None
    end_time: str | None
    reviewed_by: str | None
    review_time: str | None
    review_comment: str | None
    alerts: tuple[RemediationAlertInfo, ...]


def remediation_info(found: Remediation) -> RemediationInfo:
    """A remediation as a function reports it."""
    return RemediationInfo(
        id=found.id,
        cluster_id=found.cluster_id,
        instance_id=found.instance_id,
        instance_name=found.instance_name,
        mode=found.mode,
        state=found.state,
        trigger=found.trigger,
        reason=found.reason,
        requested_by=found.requested_by,
        error_message=found.error_message,
        create_time=iso_time(found.create_time),
        update_time=iso_time(found.update_time),
        start_time=iso_time(found.start_time),
        end_time=iso_time(found.end_time),
        reviewed_by=found.reviewed_by,
        review_time=iso_time(found.review_time),
        review_comment=found.review_comment,
        alerts=tuple(_alert(a) for a in found.linked_alerts),
    )


def _alert(alert: LinkedAlert) -> RemediationAlertInfo:
    note = alert.annotation
    summary = (note.summary_line or note.title) if note else alert.annotations.get("summary")
    return RemediationAlertInfo(
        alert_name=alert.alert_name,
        severity=alert.severity or None,
        summary=summary or None,
        started_at=iso_time(alert.started_at),
        resolved_at=iso_time(alert.resolved_at),
    )


def list_remediations(
    cluster_id: str,
    *,
    instance_id: str | None = None,
    states: Sequence[str] | None = None,
    modes: Sequence[str] | None = None,
    triggers: Sequence[str] | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
) -> list[RemediationInfo]:
    """The remediations of a cluster (or of one node, ``instance_id``), newest first; the filters keep
    those in any of the given ``states`` / ``modes`` / ``triggers`` (``RemediationState`` etc., or their
    strings). E.g. what waits for approval: ``states=["PENDING_APPROVAL"]``."""
    from pydantic import ValidationError  # (imported here: a program that never calls this skips pydantic)

    from ...api.models import RemediationListQuery

    name = "list_remediations"
    try:
        query = RemediationListQuery(
            state=_values(states), mode=_values(modes), trigger=_values(triggers)
        )  # validates the filters against the enums
    except ValidationError:
        raise FunctionError(
            f"{name}: states must be among {', '.join(RemediationState)}; modes among {', '.join(RemediationMode)}; "
            f"triggers among {', '.join(RemediationTrigger)}"
        ) from None
    with api_client(name, api_key, base_url) as client:
        found = _listed(client, name, cluster_id, instance_id or "-", query)
    return [remediation_info(r) for r in found]


def list_remediations_output(
    cluster_id: pulumi.Input[str],
    *,
    instance_id: pulumi.Input[str] | None = None,
    states: pulumi.Input[Sequence[str]] | None = None,
    modes: pulumi.Input[Sequence[str]] | None = None,
    triggers: pulumi.Input[Sequence[str]] | None = None,
    api_key: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
) -> pulumi.Output[list[RemediationInfo]]:
    """:func:`list_remediations` as a ``pulumi.Output`` (e.g. of a ``GpuCluster``'s ``cluster_id``)."""
    return output_of(
        list_remediations,
        cluster_id,
        instance_id=instance_id,
        states=states,
        modes=modes,
        triggers=triggers,
        api_key=api_key,
        base_url=base_url,
    )


def get_remediation(
    cluster_id: str,
    remediation_id: str,
    *,
    instance_id: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
) -> RemediationInfo:
    """One remediation of a cluster; without ``instance_id`` it is looked for on every node."""
    name = "get_remediation"
    with api_client(name, api_key, base_url) as client:
        if instance_id is not None:
            found = client.find_remediation(cluster_id, instance_id, remediation_id)
            if found is not None:
                return remediation_info(found)
        every = _listed(client, name, cluster_id, "-", None)
        match = next((r for r in every if r.id == remediation_id), None)
        if match is None:
            node = f" of instance {instance_id}" if instance_id is not None else ""
            raise FunctionError(
                f"{name}: cluster {cluster_id} has no remediation {remediation_id}{node}; its remediations: "
                f"{listing(every, _label)}"
            )
        if instance_id is not None:  # it exists, on another node
            raise FunctionError(
                f"{name}: remediation {remediation_id} is of instance {match.instance_id}, not {instance_id}"
            )
        return remediation_info(match)


def get_remediation_output(
    cluster_id: pulumi.Input[str],
    remediation_id: pulumi.Input[str],
    *,
    instance_id: pulumi.Input[str] | None = None,
    api_key: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
) -> pulumi.Output[RemediationInfo]:
    """:func:`get_remediation` as a ``pulumi.Output``."""
    return output_of(
        get_remediation, cluster_id, remediation_id, instance_id=instance_id, api_key=api_key, base_url=base_url
    )


def _values(given: Sequence[str] | None) -> list[str] | None:
    if given is None:
        return None
    if isinstance(given, str):  # one value given as a string, not a list of its letters
        return [given]
    return [str(v) for v in given]


def _listed(
    client: TogetherClient, name: str, cluster_id: str, instance_id: str, query: RemediationListQuery | None
) -> list[Remediation]:
    try:
        return client.list_remediations(cluster_id, instance_id, query)
    except errors.NotFoundError:
        where = f"cluster {cluster_id}" if instance_id == "-" else f"instance {instance_id} of cluster {cluster_id}"
        raise FunctionError(f"{name}: no {where} is visible to this API key") from None


def _label(found: Remediation) -> str:
    return f"{found.id} ({found.state}, {found.mode} on {found.instance_id})"


_CLUSTER = Field("cluster_id", str, "ID of the cluster.", required=True)
_INSTANCE = Field("instance_id", str, "Only this instance (node); default: every node.")

FUNCTIONS = (
    FunctionSpec(
        "listRemediations",
        "The node remediations of a cluster, newest first, optionally of one node and filtered by state, mode "
        "and trigger (e.g. what waits for approval). Remediations are read here and acted on with the API client: "
        "they are actions, not desired state. In Python: `together_pulumi.list_remediations(...)` or "
        "`list_remediations_output(...)`.",
        (
            _CLUSTER,
            _INSTANCE,
            Field("states", ListOf(RemediationState), "Keep those in any of these states."),
            Field("modes", ListOf(RemediationMode), "Keep those of any of these modes."),
            Field("triggers", ListOf(RemediationTrigger), "Keep those of any of these triggers."),
        ),
        (Field("remediations", ListOf(REMEDIATION_INFO), "The remediations.", required=True),),
        list_remediations,
    ),
    FunctionSpec(
        "getRemediation",
        "One node remediation of a cluster. In Python: `together_pulumi.get_remediation(...)` or "
        "`get_remediation_output(...)`.",
        (_CLUSTER, Field("remediation_id", str, "ID of the remediation.", required=True), _INSTANCE),
        REMEDIATION_INFO.fields,
        get_remediation,
    ),
)
