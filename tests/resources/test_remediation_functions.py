"""Reading node remediations and projects from a program: list_remediations, get_remediation, list_projects."""

from __future__ import annotations

import dataclasses

import pulumi
import pytest

import together_pulumi as together
from emulator_inprocess import InProcessEmulator
from together_pulumi.api.models import RemediationCreateRequest
from together_pulumi.host import session
from together_pulumi.program.functions import projects, remediations

from .test_lookups import ID_LIKE, checked_by, make_cluster


@pytest.fixture
def incident(api: InProcessEmulator) -> tuple[str, str, str, str, str]:
    """A cluster with two remediations: an automated one awaiting approval on the first node (older),
    and a manual reboot of the second node (newer, and done)."""
    cluster_id = make_cluster("ops")
    first, second = (n.instance_id or "" for n in session.client().get_cluster(cluster_id).gpu_worker_nodes)
    opened = api.admin.health_event(
        cluster_id, first, mode="REMEDIATION_MODE_VM_ONLY", alert_name="DmesgXidError", xid_code="79",
        severity="PHC_SEVERITY_CRITICAL",
    )  # fmt: skip
    api.admin.advance_clock(60)
    manual = session.client().create_remediation(
        cluster_id, second, RemediationCreateRequest(mode="REMEDIATION_MODE_REBOOT_VM", reason="stuck NCCL")
    )
    return cluster_id, first, second, opened["id"], manual.id


def test_list_filters_and_reports_the_incident(incident: tuple[str, str, str, str, str]) -> None:
    cluster_id, first, second, automated, manual = incident

    every = together.list_remediations(cluster_id)

    assert [r.id for r in every] == [manual, automated]  # newest first
    reboot, pending = every
    assert (reboot.instance_id, reboot.trigger, reboot.reason) == (second, "REMEDIATION_TRIGGER_MANUAL", "stuck NCCL")
    assert reboot.alerts == ()
    assert (pending.instance_id, pending.state, pending.mode) == (first, "PENDING_APPROVAL", "REMEDIATION_MODE_VM_ONLY")
    (alert,) = pending.alerts
    assert (alert.alert_name, alert.severity) == ("DmesgXidError", "PHC_SEVERITY_CRITICAL")
    assert alert.summary and alert.started_at and alert.started_at.endswith("Z")
    assert pending.create_time and pending.create_time < (reboot.create_time or "")

    waiting = together.list_remediations(cluster_id, states=[together.RemediationState.PENDING_APPROVAL])
    assert [r.id for r in waiting] == [automated]
    assert [r.id for r in together.list_remediations(cluster_id, triggers="REMEDIATION_TRIGGER_MANUAL")] == [manual]
    assert [r.id for r in together.list_remediations(cluster_id, instance_id=first)] == [automated]
    assert together.list_remediations(cluster_id, modes=["REMEDIATION_MODE_HOST_AWARE"]) == []


def test_a_filter_value_that_is_not_one_names_the_valid_ones(incident: tuple[str, str, str, str, str]) -> None:
    with pytest.raises(together.FunctionError) as raised:
        together.list_remediations(incident[0], states=["WAITING"])
    assert "states must be among PENDING_APPROVAL, PENDING, RUNNING" in str(raised.value)


def test_get_finds_one_on_any_node_or_says_what_there_is(incident: tuple[str, str, str, str, str]) -> None:
    cluster_id, first, second, automated, manual = incident
    assert together.get_remediation(cluster_id, automated).instance_id == first
    assert together.get_remediation(cluster_id, manual, instance_id=second).mode == "REMEDIATION_MODE_REBOOT_VM"

    with pytest.raises(together.FunctionError) as missing:
        together.get_remediation(cluster_id, "r-missing")
    message = str(missing.value)
    assert f"cluster {cluster_id} has no remediation r-missing; its remediations: {manual} (" in message
    assert automated in message
    with pytest.raises(together.FunctionError, match=f"remediation {automated} is of instance {first}, not {second}"):
        together.get_remediation(cluster_id, automated, instance_id=second)
    with pytest.raises(together.FunctionError, match=f"list_remediations: no cluster {ID_LIKE} is visible"):
        together.list_remediations(ID_LIKE)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_remediations_of_a_cluster_output(
    incident: tuple[str, str, str, str, str], program: None
) -> pulumi.Output[None]:
    cluster_id, _, _, automated, _ = incident
    waiting = together.list_remediations_output(pulumi.Output.from_input(cluster_id), states=["PENDING_APPROVAL"])
    one = together.get_remediation_output(cluster_id, pulumi.Output.from_input(automated))

    async def check() -> None:
        assert [r.id for r in await waiting.future() or []] == [automated]
        assert await one.state.future() == "PENDING_APPROVAL"

    return checked_by(check())


def test_list_projects(api: InProcessEmulator) -> None:
    api.admin.set_projects("proj-a", "proj-b")
    assert [(p.id, p.name) for p in together.list_projects()] == [("proj-a", "proj-a"), ("proj-b", "proj-b")]


@pytest.mark.parametrize(
    ("table", "dataclass"),
    [
        (remediations.REMEDIATION_INFO, together.RemediationInfo),
        (remediations.REMEDIATION_ALERT, together.RemediationAlertInfo),
        (projects.PROJECT_INFO, together.ProjectInfo),
    ],
)
def test_results_are_typed_as_the_schema_says(table: object, dataclass: type) -> None:
    assert [f.name for f in dataclasses.fields(dataclass)] == [f.name for f in table.fields]  # type: ignore[attr-defined]
