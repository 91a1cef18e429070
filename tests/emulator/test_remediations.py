"""Node remediations: the six endpoints in the SDK's shapes, the clock-driven state machine and
what each mode does to the node, approvals, idempotency, filters, order and pages.

The emulator here takes 4 s of virtual time per remediation (frozen clock, moved by hand):
two steps (RUNNING at 2 s, the end at 4 s), or four for the modes that quarantine the host.
"""

from __future__ import annotations

from typing import Any, Final

import httpx
import pytest
import together
from together.types import Cluster
from together.types.clusters import Remediation, RemediationListResponse

from emulator_inprocess import InProcessEmulator

from ._helpers import create_cluster, ok, strict, violated_fields
from .conftest import MakeAppEmu

REBOOT: Final = "REMEDIATION_MODE_REBOOT_VM"
REPLACE: Final = "REMEDIATION_MODE_VM_ONLY"
HOST_AWARE: Final = "REMEDIATION_MODE_HOST_AWARE"
EVICT: Final = "REMEDIATION_MODE_EVICT_WITHOUT_REPLACEMENT"
POWER_CYCLE: Final = "REMEDIATION_MODE_HOST_POWER_CYCLE"


@pytest.fixture
def emu(make_app_emu: MakeAppEmu) -> InProcessEmulator:
    emu = make_app_emu(remediation_seconds=4)
    emu.admin.set_clock_scale(0)
    return emu


@pytest.fixture
def client(emu: InProcessEmulator) -> httpx.Client:
    return emu.client()


def _ready_cluster(emu: InProcessEmulator, client: httpx.Client, num_gpus: int = 16) -> dict[str, Any]:
    cid = create_cluster(client, num_gpus=num_gpus)["cluster_id"]
    cluster = ok(client.get(f"/v1/compute/clusters/{cid}"))  # provisioning takes 0 s here
    assert cluster["status"] == "Ready"
    return cluster


def _url(cluster: dict[str, Any], instance_id: str, tail: str = "") -> str:
    return f"/v1/compute/clusters/{cluster['cluster_id']}/instances/{instance_id}/remediations{tail}"


def _create(client: httpx.Client, cluster: dict[str, Any], node: int = 0, **body: Any) -> dict[str, Any]:
    instance = cluster["gpu_worker_nodes"][node]["instance_id"]
    return ok(client.post(_url(cluster, instance), json={"mode": REBOOT, **body}))


def _cluster(client: httpx.Client, cluster: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/v1/compute/clusters/{cluster['cluster_id']}")
    strict(Cluster, response.text)  # nodes with latest_remediation parse strictly too
    return ok(response)


def _remediation(client: httpx.Client, cluster: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    response = client.get(_url(cluster, r["instance_id"], f"/{r['id']}"))
    strict(Remediation, response.text)
    return ok(response)


# --- the six endpoints through the SDK -------------------------------------------------------------


def test_sdk_round_trip(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    node = cluster["gpu_worker_nodes"][0]
    cid, iid = cluster["cluster_id"], node["instance_id"]
    with emu.sdk() as sdk:
        raw = sdk.clusters.remediations.with_raw_response.create(iid, cluster_id=cid, mode=REBOOT, reason="flaky")
        created = strict(Remediation, raw.text())
        assert (created.state, created.trigger, created.reason) == ("PENDING", "REMEDIATION_TRIGGER_MANUAL", "flaky")
        assert created.instance_name == node["node_id"] and created.requested_by
        got = sdk.clusters.remediations.retrieve(created.id, cluster_id=cid, instance_id=iid)
        assert got.id == created.id
        raw_list = sdk.clusters.remediations.with_raw_response.list("-", cluster_id=cid)
        listed = strict(RemediationListResponse, raw_list.text())
        assert [r.id for r in listed.remediations] == [created.id] and not listed.has_next
        assert listed.next_page_token == ""
        assert [r.id for r in sdk.clusters.remediations.list(iid, cluster_id=cid).remediations] == [created.id]
        cancelled = sdk.clusters.remediations.cancel(created.id, cluster_id=cid, instance_id=iid)
        assert cancelled.state == "CANCELLED" and cancelled.end_time is not None
        event = emu.admin.health_event(cid, iid)
        approved = sdk.clusters.remediations.approve(
            event["id"], cluster_id=cid, instance_id=iid, comment="go", mode=REPLACE
        )
        assert (approved.state, approved.mode, approved.review_comment) == ("PENDING", REPLACE, "go")
        second = emu.admin.health_event(cid, cluster["gpu_worker_nodes"][1]["instance_id"])
        rejected = sdk.clusters.remediations.reject(
            second["id"], cluster_id=cid, instance_id=second["instance_id"], comment="not now"
        )
        assert rejected.state == "CANCELLED" and rejected.reviewed_by and rejected.review_comment == "not now"
    log = emu.admin.requests_log()["counts"]
    base = "/v1/compute/clusters/{cluster_id}/instances/{instance_id}/remediations"
    assert log[f"POST {base}"] == 1 and log[f"GET {base}"] == 2 and log[f"GET {base}/{{remediation_id}}"] == 1
    for verb in ("approve", "reject", "cancel"):
        assert log[f"POST {base}/{{remediation_id}}/{verb}"] == 1


# --- the state machine and the node ---------------------------------------------------------------


def test_reboot_keeps_the_node_and_boots_it_again(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    node = cluster["gpu_worker_nodes"][0]
    r = _create(client, cluster)
    assert _cluster(client, cluster)["gpu_worker_nodes"][0]["latest_remediation"]["state"] == "PENDING"
    emu.admin.advance_clock(2)
    running = _remediation(client, cluster, r)
    assert running["state"] == "RUNNING" and running["start_time"].endswith("Z")
    assert _cluster(client, cluster)["gpu_worker_nodes"][0]["status"] == "Rebooting"
    emu.admin.advance_clock(2)
    done = _remediation(client, cluster, r)
    assert done["state"] == "SUCCEEDED" and done["end_time"] > done["start_time"]
    after = _cluster(client, cluster)["gpu_worker_nodes"][0]
    assert (after["node_id"], after["instance_id"], after["status"]) == (
        node["node_id"],
        node["instance_id"],
        "Running",
    )
    assert [p["phase"] for p in after["phase_transitions"]][-2:] == ["NODE_PHASE_BOOTING", "NODE_PHASE_RUNNING"]
    assert after["latest_remediation"]["id"] == r["id"]


@pytest.mark.parametrize("mode", [REPLACE, HOST_AWARE])
def test_replacement_gives_a_new_node(emu: InProcessEmulator, client: httpx.Client, mode: str) -> None:
    cluster = _ready_cluster(emu, client)
    old = cluster["gpu_worker_nodes"][0]
    r = _create(client, cluster, mode=mode)
    if mode == HOST_AWARE:  # the host is cordoned first
        emu.admin.advance_clock(1)
        assert _remediation(client, cluster, r)["state"] == "QUARANTINING"
        assert _cluster(client, cluster)["gpu_worker_nodes"][0]["status"] == "Cordoned"
        emu.admin.advance_clock(1)
        assert _remediation(client, cluster, r)["state"] == "QUARANTINED"
        emu.admin.advance_clock(1)
    else:
        emu.admin.advance_clock(2)
    assert _remediation(client, cluster, r)["state"] == "RUNNING"
    assert _cluster(client, cluster)["gpu_worker_nodes"][0]["status"] == "Replacing"
    emu.admin.advance_clock(4)
    after = _cluster(client, cluster)
    new = after["gpu_worker_nodes"][0]
    assert new["node_id"] != old["node_id"] and new["instance_id"] != old["instance_id"]
    assert new["host_name"] != old["host_name"] and new["status"] == "Running"
    assert len(after["gpu_worker_nodes"]) == 2 and after["num_gpus"] == 16
    (gone,) = after["deleted_gpu_worker_nodes"]
    assert gone["instance_id"] == old["instance_id"] and gone["status"] == "Deleted" and gone["deleted_at"]
    assert gone["latest_remediation"]["state"] == "SUCCEEDED"
    reasons = [(e["node_id"], e["reason"]) for e in after["node_lifecycle_events"]]
    assert (old["node_id"], "TogetherNodeRemediated") in reasons and (new["node_id"], "TogetherNodeAdded") in reasons
    # the old instance's remediations stay listable although it left the cluster
    assert [x["id"] for x in ok(client.get(_url(cluster, old["instance_id"])))["remediations"]] == [r["id"]]


def test_eviction_shrinks_the_cluster(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    _create(client, cluster, mode=EVICT)
    emu.admin.advance_clock(4)
    after = _cluster(client, cluster)
    assert (
        after["num_gpus"] == 8 and len(after["gpu_worker_nodes"]) == 1 and len(after["deleted_gpu_worker_nodes"]) == 1
    )
    # evicting the last GPU node would leave an empty cluster
    last = after["gpu_worker_nodes"][0]["instance_id"]
    response = client.post(_url(cluster, last), json={"mode": EVICT})
    assert violated_fields(response) == ["mode"] and "without GPU nodes" in response.json()["message"]


def test_power_cycle_quarantines_then_keeps_identity(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    node = cluster["gpu_worker_nodes"][1]
    r = _create(client, cluster, node=1, mode=POWER_CYCLE)
    states = []
    for _ in range(4):
        emu.admin.advance_clock(1)
        states.append(_remediation(client, cluster, r)["state"])
        if states[-1] == "RUNNING":
            assert _cluster(client, cluster)["gpu_worker_nodes"][1]["status"] == "PowerCycling"
    assert states == ["QUARANTINING", "QUARANTINED", "RUNNING", "SUCCEEDED"]
    after = _cluster(client, cluster)["gpu_worker_nodes"][1]
    assert (after["node_id"], after["instance_id"], after["status"]) == (
        node["node_id"],
        node["instance_id"],
        "Running",
    )


def test_a_planned_failure_leaves_the_node_unhealthy(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    r = _create(client, cluster)
    emu.admin.set_remediation_outcome(r["id"], "FAILED", error_message="BMC did not answer")
    emu.admin.advance_clock(4)
    failed = _remediation(client, cluster, r)
    assert failed["state"] == "FAILED" and failed["error_message"] == "BMC did not answer"
    assert _cluster(client, cluster)["gpu_worker_nodes"][0]["status"] == "Unhealthy"
    # an ended remediation has no outcome left to plan, and the node can be remediated again
    response = emu.admin.http.post(f"/_emulator/remediations/{r['id']}/outcome", json={"outcome": "SUCCEEDED"})
    assert violated_fields(response) == ["outcome"]
    assert _create(client, cluster)["state"] == "PENDING"


def test_health_event_opens_an_automated_remediation(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    iid = cluster["gpu_worker_nodes"][0]["instance_id"]
    event = emu.admin.health_event(cluster["cluster_id"], iid, mode=HOST_AWARE, xid_code="48")
    r = _remediation(client, cluster, event)
    assert (r["state"], r["trigger"], r["mode"]) == ("PENDING_APPROVAL", "REMEDIATION_TRIGGER_AUTOMATED", HOST_AWARE)
    assert r["passive_health_check_event_id"] and r["requested_by"] == "system:passive-health-check"
    (alert,) = r["linked_alerts"]
    assert alert["alert_name"] == "DmesgXidError" and alert["annotation"]["xid"]["events"][0]["xid_code"] == "48"
    assert alert["instance_id"] == iid and alert["node_remediation_intent_id"] == r["id"]
    assert _cluster(client, cluster)["gpu_worker_nodes"][0]["status"] == "Unhealthy"
    emu.admin.advance_clock(60)
    assert _remediation(client, cluster, r)["state"] == "PENDING_APPROVAL"  # waits for a human
    approved = ok(client.post(_url(cluster, iid, f"/{r['id']}/approve"), json={}))
    assert approved["state"] == "PENDING" and approved["mode"] == HOST_AWARE and approved["review_time"]
    assert "review_comment" not in approved
    emu.admin.advance_clock(4)
    assert _remediation(client, cluster, r)["state"] == "SUCCEEDED"


def test_auto_resolved_and_rejected_give_the_node_back(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    iid = cluster["gpu_worker_nodes"][0]["instance_id"]
    event = emu.admin.health_event(cluster["cluster_id"], iid)
    resolved = emu.admin.set_remediation_outcome(event["id"], "AUTO_RESOLVED")
    assert resolved["state"] == "AUTO_RESOLVED" and resolved["linked_alerts"][0]["resolved_at"]
    assert _cluster(client, cluster)["gpu_worker_nodes"][0]["status"] == "Running"
    again = emu.admin.health_event(cluster["cluster_id"], iid)
    rejected = ok(client.post(_url(cluster, iid, f"/{again['id']}/reject"), json={"comment": "false alarm"}))
    assert rejected["state"] == "CANCELLED" and rejected["review_comment"] == "false alarm"
    assert _cluster(client, cluster)["gpu_worker_nodes"][0]["status"] == "Running"


@pytest.mark.parametrize(
    ("verb", "state_needed"),
    [("approve", "PENDING_APPROVAL"), ("reject", "PENDING_APPROVAL"), ("cancel", "PENDING_APPROVAL or PENDING")],
)
def test_transitions_from_the_wrong_state_are_refused(
    emu: InProcessEmulator, client: httpx.Client, verb: str, state_needed: str
) -> None:
    cluster = _ready_cluster(emu, client)
    r = _create(client, cluster)
    emu.admin.advance_clock(2)  # RUNNING
    response = client.post(_url(cluster, r["instance_id"], f"/{r['id']}/{verb}"), json={})
    assert response.status_code == 400 and response.json()["code"] == 9  # FAILED_PRECONDITION
    assert f"is RUNNING; only a remediation in state {state_needed}" in response.json()["message"]
    assert _remediation(client, cluster, r)["state"] == "RUNNING"


def test_approve_cannot_switch_to_power_cycle(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    event = emu.admin.health_event(cluster["cluster_id"], cluster["gpu_worker_nodes"][0]["instance_id"])
    response = client.post(_url(cluster, event["instance_id"], f"/{event['id']}/approve"), json={"mode": POWER_CYCLE})
    assert violated_fields(response) == ["mode"] and "approval override" in response.json()["message"]
    with emu.sdk() as sdk, pytest.raises(together.BadRequestError):
        sdk.clusters.remediations.approve(
            event["id"],
            cluster_id=cluster["cluster_id"],
            instance_id=event["instance_id"],
            mode="REMEDIATION_MODE_X",  # type: ignore[arg-type]
        )


# --- idempotency and conflicts --------------------------------------------------------------------


def test_remediation_id_is_an_idempotency_key(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    iid = cluster["gpu_worker_nodes"][0]["instance_id"]
    key = "4f1b3c2e-0000-4000-8000-000000000001"
    first = ok(client.post(_url(cluster, iid), params={"remediation_id": key}, json={"mode": REBOOT, "reason": "r"}))
    assert first["id"] == key
    replay = ok(client.post(_url(cluster, iid), params={"remediation_id": key}, json={"mode": REBOOT, "reason": "r"}))
    assert replay == first
    assert len(ok(client.get(_url(cluster, "-")))["remediations"]) == 1
    other = client.post(_url(cluster, iid), params={"remediation_id": key}, json={"mode": REPLACE})
    assert other.status_code == 409 and other.headers["x-should-retry"] == "false"
    assert "choose a new remediation_id" in other.json()["message"]
    bad = client.post(_url(cluster, iid), params={"remediation_id": "Not_Valid"}, json={"mode": REBOOT})
    assert violated_fields(bad) == ["remediation_id"]


def test_one_active_remediation_per_instance(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    r = _create(client, cluster)
    response = client.post(_url(cluster, r["instance_id"]), json={"mode": REPLACE})
    assert response.status_code == 409 and response.headers["x-should-retry"] == "false"
    assert r["id"] in response.json()["message"] and "cancel it or wait" in response.json()["message"]
    with pytest.raises(httpx.HTTPStatusError):
        emu.admin.health_event(cluster["cluster_id"], r["instance_id"])


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "mode"), ({"mode": "REMEDIATION_MODE_NUKE"}, "mode"), ({"mode": REBOOT, "reason": 7}, "reason")],
)
def test_create_validation(emu: InProcessEmulator, client: httpx.Client, body: dict[str, Any], field: str) -> None:
    cluster = _ready_cluster(emu, client)
    response = client.post(_url(cluster, cluster["gpu_worker_nodes"][0]["instance_id"]), json=body)
    assert violated_fields(response) == [field]
    assert ok(client.get(_url(cluster, "-")))["remediations"] == []


def test_unknown_things_are_404(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster = _ready_cluster(emu, client)
    iid = cluster["gpu_worker_nodes"][0]["instance_id"]
    r = _create(client, cluster)
    other = cluster["gpu_worker_nodes"][1]["instance_id"]
    for method, path in [
        ("POST", "/v1/compute/clusters/t-nope/instances/i-x/remediations"),
        ("POST", _url(cluster, "i-nope")),
        ("GET", _url(cluster, "i-nope")),
        ("GET", _url(cluster, iid, "/rem-nope")),
        ("GET", _url(cluster, other, f"/{r['id']}")),  # exists, but for another instance
        ("POST", _url(cluster, iid, "/rem-nope/cancel")),
    ]:
        response = client.request(method, path, json={"mode": REBOOT} if method == "POST" else None)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == 5
    message = client.post(_url(cluster, "i-nope"), json={"mode": REBOOT}).json()["message"]
    assert iid in message  # says which instances exist


def test_deleting_a_cluster_ends_its_remediations(make_app_emu: MakeAppEmu) -> None:
    emu = make_app_emu(remediation_seconds=4, deletion_seconds=2)
    emu.admin.set_clock_scale(0)
    with emu.client() as client:
        cluster = _ready_cluster(emu, client)
        r = _create(client, cluster)
        ok(client.delete(f"/v1/compute/clusters/{cluster['cluster_id']}"))
        refused = client.post(_url(cluster, cluster["gpu_worker_nodes"][1]["instance_id"]), json={"mode": REBOOT})
        assert refused.status_code == 409 and "being deleted" in refused.json()["message"]
        emu.admin.advance_clock(2)
        assert client.get(_url(cluster, r["instance_id"], f"/{r['id']}")).status_code == 404
    assert emu.admin.state()["remediations"] == []


# --- list: filters, order, pages ------------------------------------------------------------------


def _many(emu: InProcessEmulator, client: httpx.Client) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Five remediations on a 5-node cluster, one second apart: mixed modes, states and triggers."""
    cluster = _ready_cluster(emu, client, num_gpus=40)
    made = []
    for i, mode in enumerate([REBOOT, REPLACE, REBOOT, HOST_AWARE, REBOOT]):
        instance = cluster["gpu_worker_nodes"][i]["instance_id"]
        if i % 2:
            made.append(emu.admin.health_event(cluster["cluster_id"], instance, mode=mode))
        else:
            made.append(ok(client.post(_url(cluster, instance), json={"mode": mode})))
        if i == 0:
            ok(client.post(_url(cluster, instance, f"/{made[0]['id']}/cancel")))
        emu.admin.advance_clock(1)
    return cluster, made


def _ids(client: httpx.Client, cluster: dict[str, Any], **params: Any) -> list[str]:
    return [r["id"] for r in ok(client.get(_url(cluster, "-"), params=params))["remediations"]]


def test_filters(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster, made = _many(emu, client)
    ids = [r["id"] for r in made]
    assert sorted(_ids(client, cluster, state="PENDING_APPROVAL")) == sorted([ids[1], ids[3]])
    both = sorted([ids[0], ids[1], ids[3]])
    assert sorted(_ids(client, cluster, state="PENDING_APPROVAL,CANCELLED")) == both  # as the SDK sends arrays
    assert sorted(_ids(client, cluster, state=["PENDING_APPROVAL", "CANCELLED"])) == both  # repeated keys
    assert sorted(_ids(client, cluster, mode=REBOOT, trigger="REMEDIATION_TRIGGER_MANUAL")) == sorted(
        [ids[0], ids[2], ids[4]]
    )
    assert _ids(client, cluster, mode=HOST_AWARE, state="SUCCEEDED") == []
    with emu.sdk() as sdk:
        listed = sdk.clusters.remediations.list(
            "-", cluster_id=cluster["cluster_id"], state=["PENDING_APPROVAL"], trigger=["REMEDIATION_TRIGGER_AUTOMATED"]
        )
    assert sorted(r.id for r in listed.remediations) == sorted([ids[1], ids[3]])


def test_order(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster, made = _many(emu, client)
    ids = [r["id"] for r in made]
    assert _ids(client, cluster) == ids[::-1]  # newest first by default
    assert _ids(client, cluster, order_by="create_time") == ids
    assert _ids(client, cluster, order_by="create_time asc") == ids
    by_mode = _ids(client, cluster, order_by="mode desc, create_time")
    assert by_mode == [ids[1], ids[0], ids[2], ids[4], ids[3]]  # VM_ONLY, REBOOT_VM x3, HOST_AWARE


def test_pages(emu: InProcessEmulator, client: httpx.Client) -> None:
    cluster, made = _many(emu, client)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"page_size": 2, "order_by": "create_time"}
        if token:
            params["page_token"] = token
        page = ok(client.get(_url(cluster, "-"), params=params))
        pages += 1
        seen += [r["id"] for r in page["remediations"]]
        assert page["has_next"] == bool(page["next_page_token"])
        if not page["has_next"]:
            break
        token = page["next_page_token"]
    assert pages == 3 and seen == [r["id"] for r in made]
    first = ok(client.get(_url(cluster, "-"), params={"page_size": 2}))
    # a token only works for the query that issued it
    mismatch = client.get(
        _url(cluster, "-"), params={"page_size": 2, "state": "PENDING", "page_token": first["next_page_token"]}
    )
    assert violated_fields(mismatch) == ["page_token"] and "different query" in mismatch.json()["message"]
    assert violated_fields(client.get(_url(cluster, "-"), params={"page_token": "garbage!"})) == ["page_token"]
    # page sizes above the maximum are coerced (AIP-158); 0 means the default
    assert len(ok(client.get(_url(cluster, "-"), params={"page_size": 1000}))["remediations"]) == 5
    assert len(ok(client.get(_url(cluster, "-"), params={"page_size": 0}))["remediations"]) == 5


@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        ({"state": "DONE"}, "state", "valid values: PENDING_APPROVAL"),
        ({"mode": "REBOOT_VM"}, "mode", "REMEDIATION_MODE_VM_ONLY"),
        ({"trigger": "MANUAL"}, "trigger", "REMEDIATION_TRIGGER_MANUAL"),
        ({"order_by": "color"}, "order_by", "create_time, update_time"),
        ({"order_by": "create_time sideways"}, "order_by", "[asc|desc]"),
        ({"page_size": -1}, "page_size", ">= 0"),
        ({"page_size": "lots"}, "page_size", "integer"),
    ],
)
def test_list_query_errors_name_the_field(
    emu: InProcessEmulator, client: httpx.Client, params: dict[str, Any], field: str, text: str
) -> None:
    cluster = _ready_cluster(emu, client)
    response = client.get(_url(cluster, "-"), params=params)
    assert violated_fields(response) == [field]
    assert text in response.json()["message"]
