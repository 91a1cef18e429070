"""Node remediations (``/v1/compute/clusters/{cluster_id}/instances/{instance_id}/remediations``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from ..enums import RemediationMode, RemediationState, RemediationTrigger
from ._base import Request, Response

__all__ = [
    "FINAL_REMEDIATION_STATES",
    "LinkedAlert",
    "LinkedAlertAnnotation",
    "LinkedAlertSlurmNodeUnavailable",
    "LinkedAlertXid",
    "LinkedAlertXidEvent",
    "Remediation",
    "RemediationApproveRequest",
    "RemediationCreateRequest",
    "RemediationListQuery",
    "RemediationPage",
    "RemediationRejectRequest",
]

#: States a remediation never leaves.
FINAL_REMEDIATION_STATES = frozenset(
    {RemediationState.SUCCEEDED, RemediationState.FAILED, RemediationState.CANCELLED, RemediationState.AUTO_RESOLVED}
)


# --- requests ------------------------------------------------------------------------------------


class RemediationCreateRequest(Request):
    """Body of a create: the mode and, optionally, why."""

    mode: RemediationMode
    reason: str | None = None


class RemediationApproveRequest(Request):
    """Body of an approval: a comment and, optionally, another mode (not ``HOST_POWER_CYCLE``)."""

    comment: str | None = None
    mode: RemediationMode | None = None

    @field_validator("mode")
    @classmethod
    def _not_power_cycle(cls, mode: RemediationMode | None) -> RemediationMode | None:
        if mode == RemediationMode.HOST_POWER_CYCLE:
            raise ValueError(
                "REMEDIATION_MODE_HOST_POWER_CYCLE cannot be an approval override; create that remediation directly"
            )
        return mode


class RemediationRejectRequest(Request):
    """Body of a rejection."""

    comment: str | None = None


class RemediationListQuery(Request):
    """Filters and order of a list; several values of a filter match any of them."""

    state: list[RemediationState] | None = None
    mode: list[RemediationMode] | None = None
    trigger: list[RemediationTrigger] | None = None
    #: e.g. ``create_time desc`` (the server's default) or ``mode, create_time``.
    order_by: str | None = None
    #: Results per page; the server caps it (100 today).
    page_size: int | None = Field(default=None, ge=0)

    def to_params(self, page_token: str | None = None) -> dict[str, str]:
        """Query parameters, arrays comma-separated as the SDK sends them."""
        params = {
            key: ",".join(value) if isinstance(value, list) else str(value) for key, value in self.to_wire().items()
        }
        if page_token:
            params["page_token"] = page_token
        return params


# --- responses -----------------------------------------------------------------------------------


class LinkedAlertXidEvent(Response):
    """One NVIDIA Xid code seen while the alert fired."""

    xid_code: str = ""
    mnemonic: str = ""
    count: int = 0


class LinkedAlertXid(Response):
    """Details of a ``DmesgXidError`` alert."""

    events: list[LinkedAlertXidEvent] = Field(default_factory=list)


class LinkedAlertSlurmNodeUnavailable(Response):
    """Details of a Slurm-node-unavailable alert."""

    reason: str = ""


class LinkedAlertAnnotation(Response):
    """What the alert says."""

    title: str = ""
    description: str = ""
    summary_line: str = ""
    xid: LinkedAlertXid | None = None
    slurm_node_unavailable: LinkedAlertSlurmNodeUnavailable | None = None


class LinkedAlert(Response):
    """A passive health check alert linked to a remediation."""

    alert_name: str
    severity: str = ""
    annotation: LinkedAlertAnnotation | None = None
    annotations: dict[str, str] = Field(default_factory=dict)
    cluster_id: str = ""
    passive_health_check_alert_id: str = ""
    started_at: datetime | None = None
    resolved_at: datetime | None = None
    target_vm: str = ""
    instance_id: str | None = None
    node_remediation_intent_id: str | None = None


class Remediation(Response):
    """A node remediation as the server reports it."""

    id: str
    cluster_id: str
    instance_id: str
    mode: str
    state: str
    trigger: str
    reason: str | None = None
    requested_by: str | None = None
    instance_name: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    review_time: datetime | None = None
    reviewed_by: str | None = None
    review_comment: str | None = None
    error_message: str | None = None
    active_health_check_run_id: str | None = None
    passive_health_check_event_id: str | None = None
    linked_alerts: list[LinkedAlert] = Field(default_factory=list)

    @property
    def final(self) -> bool:
        """True once it has ended (succeeded, failed, cancelled or auto-resolved)."""
        return self.state in FINAL_REMEDIATION_STATES


class RemediationPage(Response):
    """One page of a list; ``next_page_token`` is ``""`` on the last page."""

    remediations: list[Remediation] = Field(default_factory=list)
    has_next: bool = False
    next_page_token: str = ""
