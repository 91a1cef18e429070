"""Node remediations through the client: typed results, every page, and state-changing POSTs that
survive ambiguous failures without acting twice (read back first; creates carry an idempotency key).
"""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from emulator_process import EmulatorProcess
from together_pulumi.api import (
    ALL_INSTANCES,
    Remediation,
    RemediationApproveRequest,
    RemediationCreateRequest,
    RemediationListQuery,
    RemediationMode,
    RemediationRejectRequest,
    RemediationState,
    RemediationTrigger,
    TogetherClient,
    errors,
)
from together_pulumi.api.models import Cluster

from ._helpers import FAST, SECRET_KEY, cluster_request, count, entries
from .conftest import Catch

COLLECTION = "/v1/compute/clusters/{cluster_id}/instances/{instance_id}/remediations"
ITEM = COLLECTION + "/{remediation_id}"
REBOOT = RemediationCreateRequest(mode=RemediationMode.REBOOT_VM, reason="flaky")


def _ready(client: TogetherClient, num_gpus: int = 24) -> Cluster:
    created = client.create_cluster(cluster_request(num_gpus=num_gpus))
    return client.get_cluster(created.cluster_id)  # Ready: the session emulator has no delays


def _instance(cluster: Cluster, n: int = 0) -> str:
    instance = cluster.gpu_worker_nodes[n].instance_id
    assert instance is not None
    return instance


def test_create_get_find_and_the_node(emu: EmulatorProcess, client: TogetherClient) -> None:
    cluster = _ready(client)
    instance = _instance(cluster)
    created = client.create_remediation(cluster.cluster_id, instance, REBOOT, remediation_id="my-key-1")
    assert isinstance(created, Remediation)
    assert created.id == "my-key-1"  # the idempotency key is the id
    assert created.state == RemediationState.PENDING and created.trigger == RemediationTrigger.MANUAL
    assert created.mode == RemediationMode.REBOOT_VM and created.reason == "flaky" and not created.final
    done = client.get_remediation(cluster.cluster_id, instance, created.id)
    assert done.state == RemediationState.SUCCEEDED and done.final  # --remediation-seconds 0
    assert client.find_remediation(cluster.cluster_id, instance, "nope") is None
    node = client.get_cluster(cluster.cluster_id).gpu_worker_nodes[0]
    assert node.latest_remediation is not None and node.latest_remediation.id == created.id
    assert node.ephemeral_storage and node.ib_hca_count is not None and node.auto_remediation_enabled is False
    # a key used again for the same remediation returns it; a fresh key makes a new one
    assert client.create_remediation(cluster.cluster_id, instance, REBOOT, remediation_id="my-key-1").id == "my-key-1"
    assert client.create_remediation(cluster.cluster_id, instance, REBOOT).id != "my-key-1"
    assert count(emu, "POST", COLLECTION) == 3


def test_list_follows_pages_and_filters(emu: EmulatorProcess, client: TogetherClient) -> None:
    cluster = _ready(client)
    for n in range(3):
        client.create_remediation(cluster.cluster_id, _instance(cluster, n), REBOOT)
    emu.admin.health_event(cluster.cluster_id, _instance(cluster, 0))
    everything = client.list_remediations(cluster.cluster_id, query=RemediationListQuery(page_size=1))
    assert len(everything) == 4 and len({r.id for r in everything}) == 4
    pages = [e for e in entries(emu, "GET", COLLECTION) if e["path"].endswith("/instances/-/remediations")]
    assert len(pages) == 4  # one page each
    automated = client.list_remediations(
        cluster.cluster_id,
        ALL_INSTANCES,
        RemediationListQuery(state=[RemediationState.PENDING_APPROVAL], trigger=[RemediationTrigger.AUTOMATED]),
    )
    assert [r.instance_id for r in automated] == [_instance(cluster, 0)]
    page = client.list_remediations_page(
        cluster.cluster_id, _instance(cluster, 0), RemediationListQuery(order_by="create_time")
    )
    assert [r.trigger for r in page.remediations] == [RemediationTrigger.MANUAL, RemediationTrigger.AUTOMATED]
    assert page.has_next is False and page.next_page_token == ""
    sent = entries(emu, "GET", COLLECTION)[-2]["path"]
    assert sent.endswith("/instances/-/remediations")  # the wildcard travels as is


def test_approve_reject_cancel(emu: EmulatorProcess, client: TogetherClient, caught: Catch) -> None:
    cluster = _ready(client)
    a, b = _instance(cluster, 0), _instance(cluster, 1)
    first = emu.admin.health_event(cluster.cluster_id, a)
    approved = client.approve_remediation(
        cluster.cluster_id, a, first["id"], RemediationApproveRequest(comment="ok", mode=RemediationMode.REBOOT_VM)
    )
    assert approved.state == RemediationState.PENDING and approved.review_comment == "ok"
    assert approved.linked_alerts and approved.linked_alerts[0].annotation is not None
    second = emu.admin.health_event(cluster.cluster_id, b)
    rejected = client.reject_remediation(cluster.cluster_id, b, second["id"], RemediationRejectRequest(comment="no"))
    assert rejected.state == RemediationState.CANCELLED and rejected.reviewed_by
    third = emu.admin.health_event(cluster.cluster_id, b)
    assert client.cancel_remediation(cluster.cluster_id, b, third["id"]).state == RemediationState.CANCELLED
    exc = caught(errors.InvalidRequestError, client.approve_remediation, cluster.cluster_id, b, third["id"])
    assert "only a remediation in state PENDING_APPROVAL" in exc.server_message
    assert count(emu, "POST", ITEM + "/approve") == 2  # a 400 is not retried


def test_requests_are_strict_before_sending() -> None:
    with pytest.raises(ValidationError, match="approval override"):
        RemediationApproveRequest(mode=RemediationMode.HOST_POWER_CYCLE)
    with pytest.raises(ValidationError):
        RemediationCreateRequest(mode="REMEDIATION_MODE_NUKE")
    with pytest.raises(ValidationError):
        RemediationListQuery(page_size=-1)
    query = RemediationListQuery(state=[RemediationState.PENDING, RemediationState.RUNNING], order_by="id")
    assert query.to_params("tok") == {"state": "PENDING,RUNNING", "order_by": "id", "page_token": "tok"}


KEY_MODES = pytest.mark.parametrize("ignore_key", [False, True], ids=["key honoured", "key ignored"])


@KEY_MODES
@pytest.mark.parametrize("fault", ["rate_503", "drop_rate"])
def test_an_ambiguous_create_is_found_not_repeated(emu: EmulatorProcess, fault: str, ignore_key: bool) -> None:
    with TogetherClient(SECRET_KEY, emu.base_url, retry=FAST) as client:
        cluster = _ready(client)
        emu.admin.set_faults(
            **{fault: 1.0},
            methods=["POST"],
            after_commit_ratio=1.0,
            retry_after_seconds=0.01,
            ignore_remediation_key=ignore_key,
        )
        created = client.create_remediation(cluster.cluster_id, _instance(cluster), REBOOT)
    posts = entries(emu, "POST", COLLECTION)
    assert len(posts) == 1 and posts[0]["after_commit"] is True  # made, but the client saw a failure
    assert [r["id"] for r in emu.admin.state()["remediations"]] == [created.id]  # exactly one
    assert count(emu, "GET", COLLECTION) == 2  # the node's remediations before the POST, and after it


@KEY_MODES
def test_a_create_refused_before_commit_is_sent_again(emu: EmulatorProcess, ignore_key: bool) -> None:
    policy = dataclasses.replace(FAST, max_attempts=10)
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        cluster = _ready(client)
        emu.admin.set_faults(
            rate_500=0.6, methods=["POST"], after_commit_ratio=0.0, seed=3, ignore_remediation_key=ignore_key
        )
        created = client.create_remediation(cluster.cluster_id, _instance(cluster), REBOOT)
    posts = entries(emu, "POST", COLLECTION)
    assert len(posts) > 1 and posts[-1]["status"] == 200, "seed 3 faults the first two attempts"
    assert [r["id"] for r in emu.admin.state()["remediations"]] == [created.id]


def test_an_unanswered_create_is_never_sent_again(emu: EmulatorProcess, caught: Catch) -> None:
    """A cut connection may still land: not finding it (a 404, an empty list) does not prove it did not."""
    with TogetherClient(SECRET_KEY, emu.base_url, retry=dataclasses.replace(FAST, create_settle_seconds=0.0)) as client:
        cluster = _ready(client)
        instance = _instance(cluster)
        emu.admin.set_faults(drop_rate=1.0, methods=["POST"], after_commit_ratio=0.0, ignore_remediation_key=True)
        exc = caught(errors.UncertainCreateError, client.create_remediation, cluster.cluster_id, instance, REBOOT)
    assert f"instance {instance}" in exc.message and "not sent again" in exc.message
    assert count(emu, "POST", COLLECTION) == 1
    assert emu.admin.state()["remediations"] == []


def test_an_ambiguous_approve_is_read_back(emu: EmulatorProcess) -> None:
    with TogetherClient(SECRET_KEY, emu.base_url, retry=FAST) as client:
        cluster = _ready(client)
        instance = _instance(cluster)
        event = emu.admin.health_event(cluster.cluster_id, instance)
        emu.admin.set_faults(rate_503=1.0, methods=["POST"], after_commit_ratio=1.0, retry_after_seconds=0.01)
        approved = client.approve_remediation(cluster.cluster_id, instance, event["id"])
    assert approved.state != RemediationState.PENDING_APPROVAL and approved.reviewed_by
    assert count(emu, "POST", ITEM + "/approve") == 1  # not sent twice (a second would answer 400)


def test_conflicts_are_not_retried(emu: EmulatorProcess, client: TogetherClient, caught: Catch) -> None:
    cluster = _ready(client)
    instance = _instance(cluster)
    emu.admin.health_event(cluster.cluster_id, instance)  # an open remediation on the node
    exc = caught(errors.ConflictError, client.create_remediation, cluster.cluster_id, instance, REBOOT)
    assert exc.should_retry is False
    assert count(emu, "POST", COLLECTION) == 1


def test_path_ids_are_checked(client: TogetherClient) -> None:
    for args in [("", "i", "r"), ("c", "", "r"), ("c", "i", "")]:
        with pytest.raises(ValueError, match="must be a non-empty string"):
            client.get_remediation(*args)
