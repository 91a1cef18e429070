"""Cluster CRUD on the fast session emulator: shapes, 404s, stock, updates, deletes, admin changes."""

from __future__ import annotations

import pytest

from emulator_inprocess import InProcessEmulator

from ._helpers import cluster_body, create_cluster, create_volume, ok, violated_fields


def test_regions_catalogue(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        regions = {r["name"]: r for r in ok(client.get("/v1/compute/regions"))["regions"]}
    assert {"H100_SXM", "H200_SXM"} <= set(regions["us-central-8"]["supported_instance_types"])
    offered = {t for r in regions.values() for t in r["supported_instance_types"]}
    assert {"B200_SXM", "B300_SXM", "H100_SXM_INF", "RTX_6000_PCI", "L40_PCIE", "GB200_SXM"} <= offered
    for region in regions.values():
        assert 2 <= len(region["driver_versions"]) <= 4
        for driver in region["driver_versions"]:
            assert set(driver) == {"id", "cuda_version", "nvidia_driver_version", "os"}
            assert driver["id"].startswith(f"nv-{region['name']}-cu")
    assert regions["us-central-8"]["driver_versions"][0]["id"] == "nv-us-central-8-cu129-575-u2204"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/compute/clusters/t-missing"),
        ("PUT", "/v1/compute/clusters/t-missing"),
        ("DELETE", "/v1/compute/clusters/t-missing"),
        ("GET", "/v1/compute/clusters/storage/volumes/vol-missing"),
        ("DELETE", "/v1/compute/clusters/storage/volumes/vol-missing"),
    ],
)
def test_unknown_ids_are_404(app_emu: InProcessEmulator, method: str, path: str) -> None:
    with app_emu.client() as client:
        response = client.request(method, path, json={} if method == "PUT" else None)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == 5
    assert body["message"].endswith("missing not found")
    kind = "volume" if "volumes" in path else "cluster"
    assert body["message"].startswith(f"{kind} ")


def test_volume_update_unknown_id_is_404(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        response = client.put("/v1/compute/clusters/storage/volumes", json={"volume_id": "vol-x", "size_tib": 3})
        assert response.status_code == 404
        assert response.json()["message"] == "volume vol-x not found"
        assert violated_fields(client.put("/v1/compute/clusters/storage/volumes", json={"size_tib": 3})) == [
            "volume_id"
        ]


def test_create_returns_full_cluster_then_ready(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        created = create_cluster(client, num_gpus=16)
        assert created["status"] == "WaitingForControlPlaneNodes"
        assert created["kube_config"] == ""
        assert created["control_plane_nodes"] == [] and created["gpu_worker_nodes"] == []
        assert created["volumes"] == [] and created["add_ons"] == []
        assert created["project_id"] == "proj-emulator"
        assert [p["phase"] for p in created["phase_transitions"]] == [
            "CLUSTER_PHASE_QUEUED",
            "CLUSTER_PHASE_WAITING_FOR_CONTROL_PLANE_NODES",
        ]
        for key in (
            "num_cpu_workers",
            "desired_preemptible_gpus",
            "allocated_preemptible_gpus",
            "num_capacity_pool_gpus",
        ):
            assert created[key] == 0
        assert created["created_at"].endswith("Z")
        # provisioning-seconds 0: Ready at the first read after create
        got = ok(client.get(f"/v1/compute/clusters/{created['cluster_id']}"))
        assert got["status"] == "Ready"
        assert len(got["gpu_worker_nodes"]) == 2
        assert got["first_ready_at"].endswith("Z")
        listed = ok(client.get("/v1/compute/clusters"))["clusters"]
        assert [c["cluster_id"] for c in listed] == [created["cluster_id"]]


def test_list_filters_by_project(app_emu: InProcessEmulator) -> None:
    app_emu.admin.set_projects("proj-emulator", "proj-a")
    with app_emu.client() as client:
        a = create_cluster(client, project_id="proj-a")
        create_cluster(client)
        only_a = ok(client.get("/v1/compute/clusters", params={"projectId": "proj-a"}))["clusters"]
        assert [c["cluster_id"] for c in only_a] == [a["cluster_id"]]
        assert len(ok(client.get("/v1/compute/clusters"))["clusters"]) == 2
        create_volume(client, project_id="proj-a")
        create_volume(client)
        volumes = ok(client.get("/v1/compute/clusters/storage/volumes", params={"projectId": "proj-a"}))["volumes"]
        assert len(volumes) == 1
        # a project the key is not a member of: empty, as the SDK documents for projectId
        assert ok(client.get("/v1/compute/clusters", params={"projectId": "proj-z"}))["clusters"] == []
        assert ok(client.get("/v1/compute/clusters/storage/volumes", params={"projectId": "proj-z"}))["volumes"] == []


def test_out_of_stock(app_emu: InProcessEmulator) -> None:
    app_emu.admin.set_capacity("us-central-8", "H100_SXM", 16)
    with app_emu.client() as client:
        first = create_cluster(client, num_gpus=16)
        response = client.post("/v1/compute/clusters", json=cluster_body(num_gpus=8))
        assert response.status_code == 409
        assert response.headers["x-should-retry"] == "false"
        assert response.json()["message"].startswith("Out of stock:")
        assert response.json()["code"] in (6, 10)
        # another GPU type of the same region is unaffected
        create_cluster(client, gpu_type="H200_SXM", num_gpus=8)
        # freed once the cluster is gone (deletion-seconds 0: gone at the next request)
        ok(client.delete(f"/v1/compute/clusters/{first['cluster_id']}"))
        create_cluster(client, num_gpus=16)


def test_scale_up_beyond_stock_is_409(app_emu: InProcessEmulator) -> None:
    app_emu.admin.set_capacity("us-central-8", "H100_SXM", 24)
    with app_emu.client() as client:
        cluster = create_cluster(client, num_gpus=16)
        url = f"/v1/compute/clusters/{cluster['cluster_id']}"
        response = client.put(url, json={"num_gpus": 32})
        assert response.status_code == 409
        assert response.headers["x-should-retry"] == "false"
        assert ok(client.put(url, json={"num_gpus": 24}))["num_gpus"] == 24


def test_scale_up_and_down(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        cluster = create_cluster(client, num_gpus=16)
        url = f"/v1/compute/clusters/{cluster['cluster_id']}"
        before = ok(client.get(url))
        assert before["status"] == "Ready"
        original = {n["node_id"] for n in before["gpu_worker_nodes"]}
        scaling = ok(client.put(url, json={"num_gpus": 32}))
        assert scaling["status"] == "WaitingForDataPlaneNodes"
        assert scaling["num_gpus"] == 32
        up = ok(client.get(url))
        assert up["status"] == "Ready"
        assert len(up["gpu_worker_nodes"]) == 4
        assert original <= {n["node_id"] for n in up["gpu_worker_nodes"]}
        assert [e["reason"] for e in up["node_lifecycle_events"]].count("TogetherScaledUp") == 2
        ok(client.put(url, json={"num_gpus": 8}))
        down = ok(client.get(url))
        assert len(down["gpu_worker_nodes"]) == 1
        assert len(down["deleted_gpu_worker_nodes"]) == 3
        assert all(n["deleted_at"].endswith("Z") for n in down["deleted_gpu_worker_nodes"])
        assert [e["reason"] for e in down["node_lifecycle_events"]].count("TogetherScaledDown") == 3
        phases = [p["phase"] for p in down["phase_transitions"]]
        assert phases[-2:] == ["CLUSTER_PHASE_WAITING_FOR_DATA_PLANE_NODES", "CLUSTER_PHASE_READY"]


def test_put_ignores_immutable_and_unknown_fields(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        cluster = create_cluster(client)
        url = f"/v1/compute/clusters/{cluster['cluster_id']}"
        whole_model = {
            **cluster_body(),
            "cluster_name": "renamed",
            "gpu_type": "H200_SXM",
            "region": "us-central-4",
            "cuda_version": "12.6",
            "volume_id": None,
            "oidc_config": None,
            "status": "Deleting",
            "num_gpus": 8,
            "cluster_type": "SLURM",
        }
        updated = ok(client.put(url, json=whole_model))
        assert updated["cluster_name"] == "test-cluster"
        assert updated["gpu_type"] == "H100_SXM"
        assert updated["region"] == "us-central-8"
        assert updated["cuda_version"] == "12.8"
        assert updated["cluster_type"] == "SLURM"  # updatable
        assert updated["status"] != "Deleting"


def test_update_validation(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        cluster = create_cluster(client, num_gpus=16)
        url = f"/v1/compute/clusters/{cluster['cluster_id']}"
        assert violated_fields(client.put(url, json={"num_gpus": 12})) == ["num_gpus"]
        assert violated_fields(client.put(url, json={"num_reserved_gpus": 8})) == ["num_reserved_gpus"]
        assert violated_fields(client.put(url, json={"reservation_end_time": "2099-01-01T00:00:00Z"})) == [
            "reservation_end_time"
        ]
        assert violated_fields(client.put(url, json={"num_capacity_pool_gpus": 8})) == ["num_capacity_pool_gpus"]
        assert violated_fields(client.put(url, json={"num_preemptible_gpus": 3})) == ["num_preemptible_gpus"]
        assert violated_fields(client.put(url, json={"cluster_config": {"load_balancer": "X"}})) == [
            "cluster_config.load_balancer"
        ]
        assert violated_fields(client.put(url, json={"add_ons": [{"name": "nope"}]})) == ["add_ons[0].name"]
        # sending the current values back (Terraform sends whole models) is fine
        ok(client.put(url, json={"num_reserved_gpus": 0, "num_capacity_pool_gpus": 0}))


def test_update_reserved_and_pool_fields(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        reserved = create_cluster(client, billing_type="RESERVED", duration_days=3, num_gpus=16)
        url = f"/v1/compute/clusters/{reserved['cluster_id']}"
        updated = ok(client.put(url, json={"num_reserved_gpus": 8, "reservation_end_time": "2099-01-01T00:00:00Z"}))
        assert updated["num_reserved_gpus"] == 8
        assert updated["reservation_end_time"].startswith("2099-01-01T00:00:00")
        assert violated_fields(client.put(url, json={"num_reserved_gpus": 24})) == ["num_reserved_gpus"]
        pooled = create_cluster(client, num_gpus=16, capacity_pool_id="cp-1", num_capacity_pool_gpus=8)
        url = f"/v1/compute/clusters/{pooled['cluster_id']}"
        assert ok(client.put(url, json={"num_capacity_pool_gpus": 16}))["num_capacity_pool_gpus"] == 16
        assert violated_fields(client.put(url, json={"num_capacity_pool_gpus": 24})) == ["num_capacity_pool_gpus"]


def test_add_ons_merge_and_config_replace(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        cluster = create_cluster(
            client,
            add_ons=[
                {"add_on_type": "dashboard", "name": "dash", "config": {"dashboard": {"enabled": True}}},
                {"add_on_type": "ingress", "name": "ing"},
            ],
            cluster_config={"load_balancer": "TRAEFIK", "jumphost_enabled": True},
        )
        assert {a["name"] for a in cluster["add_ons"]} == {"dash", "ing"}
        dash = next(a for a in cluster["add_ons"] if a["name"] == "dash")
        assert dash == {
            "add_on_type": "dashboard",
            "name": "dash",
            "config": {"dashboard": {"enabled": True}},
            "state": {"dashboard": {}},
        }
        url = f"/v1/compute/clusters/{cluster['cluster_id']}"
        updated = ok(
            client.put(
                url,
                json={
                    "add_ons": [{"name": "ing", "config": {"ingress": {"enabled": False}}}],
                    "cluster_config": {"load_balancer": "NGINX"},
                },
            )
        )
        # only enabled add-ons are returned (as the SDK documents)
        assert [a["name"] for a in updated["add_ons"]] == ["dash"]
        assert updated["cluster_config"] == {"load_balancer": "NGINX"}
        again = ok(client.put(url, json={"add_ons": [{"name": "ing", "config": {"ingress": {"enabled": True}}}]}))
        assert {a["name"] for a in again["add_ons"]} == {"dash", "ing"}


def test_preemptible_gpus(app_emu: InProcessEmulator) -> None:
    app_emu.admin.set_projects("proj-emulator", "proj-p")
    with app_emu.client() as client:
        cluster = create_cluster(client, num_preemptible_gpus=8, project_id="proj-p")
        url = f"/v1/compute/clusters/{cluster['cluster_id']}"
        assert cluster["desired_preemptible_gpus"] == 8 and cluster["allocated_preemptible_gpus"] == 0
        assert ok(client.get(url))["allocated_preemptible_gpus"] == 8
        updated = ok(client.put(url, json={"num_preemptible_gpus": 16}))
        assert updated["desired_preemptible_gpus"] == 16


def test_delete_then_gone(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        cluster = create_cluster(client)
        url = f"/v1/compute/clusters/{cluster['cluster_id']}"
        assert ok(client.delete(url)) == {"cluster_id": cluster["cluster_id"]}
        assert client.get(url).status_code == 404
        assert ok(client.get("/v1/compute/clusters"))["clusters"] == []
        assert client.delete(url).status_code == 404


def test_admin_out_of_band_changes(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        cluster = create_cluster(client, num_gpus=16)
        cid = cluster["cluster_id"]
        scaled = app_emu.admin.scale_cluster(cid, 32)
        assert scaled["num_gpus"] == 32 and scaled["status"] == "Ready"
        assert len(scaled["gpu_worker_nodes"]) == 4
        got = ok(client.get(f"/v1/compute/clusters/{cid}"))
        assert got["num_gpus"] == 32 and len(got["gpu_worker_nodes"]) == 4
        assert got["phase_transitions"][-1]["phase"] == "CLUSTER_PHASE_READY"
        degraded = app_emu.admin.set_cluster_status(cid, "Degraded")
        assert degraded["status"] == "Degraded"
        got = ok(client.get(f"/v1/compute/clusters/{cid}"))
        assert got["status"] == "Degraded"
        assert got["phase_transitions"][-1]["phase"] == "CLUSTER_PHASE_DEGRADED"
        app_emu.admin.delete_cluster(cid)
        assert client.get(f"/v1/compute/clusters/{cid}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/clusters/t-x/scale", {"num_gpus": 8}, None),
        ("POST", "/clusters/t-x/status", {"status": "Ready"}, None),
        ("DELETE", "/clusters/t-x", None, None),
        ("PUT", "/faults", {"rate_429": 2}, None),
        ("PUT", "/faults", {"bogus": 1}, None),
        ("POST", "/clock/advance", {"seconds": -1}, "seconds"),
        ("POST", "/clock/advance", {"seconds": "soon"}, "seconds"),
        ("PUT", "/clock", {"scale": -1}, "scale"),
        ("PUT", "/capacity", {"region": "x", "gpu_type": "H100_SXM", "gpus": 1}, "region"),
        ("PUT", "/capacity", {"region": "us-central-8", "gpu_type": "H100_SXM", "gpus": -1}, "gpus"),
    ],
)
def test_admin_errors(
    app_emu: InProcessEmulator, method: str, path: str, body: dict[str, object] | None, field: str | None
) -> None:
    response = app_emu.admin.http.request(method, f"/_emulator{path}", json=body)
    if field is None:
        expected = 404 if path.startswith("/clusters/") else 400
        assert response.status_code == expected, response.text
    else:
        assert violated_fields(response) == [field]
