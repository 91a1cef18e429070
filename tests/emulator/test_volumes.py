"""Shared volumes: lifecycle, binding to clusters, inline volumes, resize and delete rules."""

from __future__ import annotations

import pytest

from emulator_inprocess import InProcessEmulator

from ._helpers import cluster_body, create_cluster, create_volume, ok, violated_fields, volume_body
from .conftest import MakeAppEmu

VOLUMES = "/v1/compute/clusters/storage/volumes"


def test_volume_lifecycle(make_app_emu: MakeAppEmu) -> None:
    emu = make_app_emu(volume_provisioning_seconds=5)
    emu.admin.set_clock_scale(0)
    with emu.client() as client:
        volume = create_volume(client, volume_name="data", size_tib=2)
        assert set(volume) == {"volume_id", "volume_name", "size_tib", "status"}
        assert volume["status"] == "provisioning"
        url = f"{VOLUMES}/{volume['volume_id']}"
        emu.admin.advance_clock(5)
        assert ok(client.get(url))["status"] == "available"
        cluster = create_cluster(client, volume_id=volume["volume_id"])
        assert cluster["volumes"] == [{**volume, "status": "bound"}]
        assert ok(client.get(url))["status"] == "bound"
        ok(client.delete(f"/v1/compute/clusters/{cluster['cluster_id']}"))
        assert ok(client.get(url))["status"] == "available"
        assert ok(client.delete(url)) == {"success": True}
        assert client.get(url).status_code == 404
        assert ok(client.get(VOLUMES))["volumes"] == []


def test_region_is_kept_internally(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        volume = create_volume(client, region="us-west-2", is_lifecycle_independent=True)
        assert "region" not in volume
    (state,) = app_emu.admin.state()["volumes"]
    assert state["region"] == "us-west-2"
    assert state["is_lifecycle_independent"] is True


@pytest.mark.parametrize(("independent", "survives"), [(False, False), (True, True), (None, False)])
def test_inline_volume_follows_its_cluster(
    app_emu: InProcessEmulator, independent: bool | None, survives: bool
) -> None:
    shared = {"region": "us-central-8", "size_tib": 1, "volume_name": "inline"}
    if independent is not None:
        shared["is_lifecycle_independent"] = independent
    with app_emu.client() as client:
        cluster = create_cluster(client, shared_volume=shared)
        (attached,) = cluster["volumes"]
        url = f"{VOLUMES}/{attached['volume_id']}"
        assert ok(client.get(url))["status"] == "bound"
        ok(client.delete(f"/v1/compute/clusters/{cluster['cluster_id']}"))
        response = client.get(url)
        if survives:
            assert ok(response)["status"] == "available"
        else:
            assert response.status_code == 404


def test_admin_delete_releases_volumes(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        volume = create_volume(client)
        cluster = create_cluster(client, volume_id=volume["volume_id"])
        app_emu.admin.delete_cluster(cluster["cluster_id"])
        assert ok(client.get(f"{VOLUMES}/{volume['volume_id']}"))["status"] == "available"


def test_bound_volume_cannot_be_deleted(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        volume = create_volume(client)
        cluster = create_cluster(client, volume_id=volume["volume_id"])
        response = client.delete(f"{VOLUMES}/{volume['volume_id']}")
        assert response.status_code == 409
        body = response.json()
        assert body["message"] == (
            f"volume {volume['volume_id']} is bound to cluster {cluster['cluster_id']}; "
            "delete or detach the cluster first"
        )
        assert ok(client.get(f"{VOLUMES}/{volume['volume_id']}"))["status"] == "bound"


def test_resize(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        volume = create_volume(client, size_tib=4)
        shrink = client.put(VOLUMES, json={"volume_id": volume["volume_id"], "size_tib": 2})
        assert violated_fields(shrink) == ["size_tib"]
        assert shrink.json()["message"] == "shrinking a volume is not supported: 4 TiB -> 2 TiB; contact support"
        grown = ok(client.put(VOLUMES, json={"volume_id": volume["volume_id"], "size_tib": 6}))
        assert grown["size_tib"] == 6
        # whole Terraform-style models are fine: immutable keys are ignored
        same = ok(
            client.put(
                VOLUMES,
                json={"volume_id": volume["volume_id"], "size_tib": 6, "region": "us-west-2", "volume_name": "x"},
            )
        )
        assert same["volume_name"] == "data"
        assert ok(client.get(f"{VOLUMES}/{volume['volume_id']}"))["size_tib"] == 6
        # growing a bound volume is allowed too
        create_cluster(client, volume_id=volume["volume_id"])
        assert ok(client.put(VOLUMES, json={"volume_id": volume["volume_id"], "size_tib": 8}))["size_tib"] == 8


def test_volume_status_in_cluster_matches(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        volume = create_volume(client)
        cluster = create_cluster(client, volume_id=volume["volume_id"])
        got = ok(client.get(f"/v1/compute/clusters/{cluster['cluster_id']}"))
        assert got["volumes"] == [ok(client.get(f"{VOLUMES}/{volume['volume_id']}"))]


def test_volume_placed_next_to_a_cluster(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        cluster = create_cluster(client)
        near = create_volume(client, instance_cluster_id=cluster["cluster_id"])
        assert set(near) == {"volume_id", "volume_name", "size_tib", "status"}  # not echoed, as the SDK's type
        inline = create_cluster(
            client,
            shared_volume={
                "region": "us-central-8",
                "size_tib": 1,
                "volume_name": "v",
                "instance_cluster_id": cluster["cluster_id"],
            },
        )
        missing = client.post(VOLUMES, json={**volume_body(), "instance_cluster_id": "t-nope"})
        assert violated_fields(missing) == ["instance_cluster_id"] and "not an existing cluster" in missing.text
        far = client.post(
            VOLUMES, json={**volume_body(region="us-central-4"), "instance_cluster_id": cluster["cluster_id"]}
        )
        assert violated_fields(far) == ["instance_cluster_id"] and "region us-central-8, not us-central-4" in far.text
        bad_inline = client.post(
            "/v1/compute/clusters",
            json=cluster_body(
                shared_volume={
                    "region": "us-central-8",
                    "size_tib": 1,
                    "volume_name": "v",
                    "instance_cluster_id": "t-x",
                }
            ),
        )
        assert violated_fields(bad_inline) == ["shared_volume.instance_cluster_id"]
    placed = {v["volume_id"]: v["instance_cluster_id"] for v in app_emu.admin.state()["volumes"]}
    assert placed[near["volume_id"]] == cluster["cluster_id"]
    assert placed[inline["volumes"][0]["volume_id"]] == cluster["cluster_id"]


def test_a_deleted_volume_shows_deleting_until_it_is_gone(make_app_emu: MakeAppEmu) -> None:
    emu = make_app_emu(volume_provisioning_seconds=0, volume_deletion_seconds=10)
    emu.admin.set_clock_scale(0)
    with emu.client() as client:
        url = f"{VOLUMES}/{create_volume(client)['volume_id']}"
        assert ok(client.delete(url)) == {"success": True}
        assert ok(client.get(url))["status"] == "deleting"
        assert [v["status"] for v in ok(client.get(VOLUMES))["volumes"]] == ["deleting"]
        assert ok(client.delete(url)) == {"success": True}  # (assumed) a second DELETE is no error
        emu.admin.advance_clock(10)
        assert client.get(url).status_code == 404


def test_a_forced_failed_status_stops_a_deletion(make_app_emu: MakeAppEmu) -> None:
    emu = make_app_emu(volume_provisioning_seconds=0, volume_deletion_seconds=10)
    emu.admin.set_clock_scale(0)
    with emu.client() as client:
        volume_id = create_volume(client)["volume_id"]
        url = f"{VOLUMES}/{volume_id}"
        ok(client.delete(url))
        emu.admin.force_volume_status(volume_id, "failed")
        emu.admin.advance_clock(60)
        assert ok(client.get(url))["status"] == "failed"  # the deletion failed: the volume stays
        emu.admin.force_volume_status(volume_id, None)  # an operator fixed it: the deletion goes on
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "status", ["scheduled", "available", "bound", "provisioning", "deleting", "failed", "access_revoked", "unknown"]
)
def test_every_sdk_volume_status_can_be_reached(app_emu: InProcessEmulator, status: str) -> None:
    with app_emu.client() as client:
        volume_id = create_volume(client)["volume_id"]
        assert app_emu.admin.force_volume_status(volume_id, status)["status"] == status
        assert ok(client.get(f"{VOLUMES}/{volume_id}"))["status"] == status


def test_a_forced_status_must_be_an_sdk_status(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        volume_id = create_volume(client)["volume_id"]
        answer = client.put(f"/_emulator/volumes/{volume_id}/status", json={"status": "melted"})
        assert violated_fields(answer) == ["status"]
