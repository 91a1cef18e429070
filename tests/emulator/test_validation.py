"""Create-cluster validation: each rule answers 400 INVALID_ARGUMENT naming the offending field."""

from __future__ import annotations

from typing import Any

import pytest

from emulator_inprocess import InProcessEmulator

from ._helpers import cluster_body, create_volume, ok, violated_fields

OIDC = {
    "client_id": "kube",
    "issuer_url": "https://issuer.example.com/",
    "username_claim": "email",
    "username_prefix": "oidc:",
    "group_claim": "groups",
    "group_prefix": "oidc:",
}

# (case id, body overrides, field that must be named, text the message must contain)
INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("missing cluster_name", {"cluster_name": None}, "cluster_name", "cluster_name is required"),
    ("missing region", {"region": None}, "region", "region is required"),
    ("missing gpu_type", {"gpu_type": None}, "gpu_type", "gpu_type is required"),
    ("missing num_gpus", {"num_gpus": None}, "num_gpus", "num_gpus is required"),
    ("missing billing_type", {"billing_type": None}, "billing_type", "billing_type is required"),
    ("unknown region", {"region": "mars-1"}, "region", "valid regions: us-central-8"),
    ("num_gpus not multiple of 8", {"num_gpus": 12}, "num_gpus", "positive multiple of 8"),
    ("num_gpus zero", {"num_gpus": 0}, "num_gpus", "positive multiple of 8"),
    ("num_gpus negative", {"num_gpus": -8}, "num_gpus", "positive multiple of 8"),
    ("num_gpus not an integer", {"num_gpus": "eight"}, "num_gpus", "must be an integer"),
    ("gpu_type not in enum", {"gpu_type": "A100"}, "gpu_type", "must be one of H100_SXM"),
    ("gpu_type not in region", {"gpu_type": "B200_SXM"}, "gpu_type", "regions offering B200_SXM: us-west-2"),
    ("billing_type not in enum", {"billing_type": "PREPAID"}, "billing_type", "RESERVED, ON_DEMAND"),
    ("no driver at all", {"nvidia_version_id": None}, "nvidia_version_id", "cuda_version + nvidia_driver_version"),
    ("unknown driver id", {"nvidia_version_id": "nv-x"}, "nvidia_version_id", "valid: nv-us-central-8-"),
    (
        "driver id of another region",
        {"nvidia_version_id": "nv-us-west-2-cu130-580-u2404"},
        "nvidia_version_id",
        "not offered in region us-central-8",
    ),
    ("cuda without driver", {"nvidia_version_id": None, "cuda_version": "12.8"}, "nvidia_driver_version", "pair"),
    ("driver without cuda", {"nvidia_version_id": None, "nvidia_driver_version": "570"}, "cuda_version", "pair"),
    (
        "pair not offered",
        {"nvidia_version_id": None, "cuda_version": "11.8", "nvidia_driver_version": "520"},
        "cuda_version",
        "valid cuda/driver pairs: 12.6/560",
    ),
    (
        "id and pair disagree",
        {"cuda_version": "12.6", "nvidia_driver_version": "560"},
        "nvidia_version_id",
        "same entry",
    ),
    ("reserved duration 0", {"billing_type": "RESERVED", "duration_days": 0}, "duration_days", "between 1 and 90"),
    ("reserved duration 91", {"billing_type": "RESERVED", "duration_days": 91}, "duration_days", "between 1 and 90"),
    ("on demand with duration", {"duration_days": 3}, "duration_days", "RESERVED billing only"),
    (
        "scheduled without start",
        {"billing_type": "SCHEDULED_CAPACITY", "reservation_end_time": "2030-01-02T00:00:00Z"},
        "reservation_start_time",
        "required for SCHEDULED_CAPACITY",
    ),
    (
        "scheduled without end",
        {"billing_type": "SCHEDULED_CAPACITY", "reservation_start_time": "2030-01-01T00:00:00Z"},
        "reservation_end_time",
        "required for SCHEDULED_CAPACITY",
    ),
    (
        "scheduled end before start",
        {
            "billing_type": "SCHEDULED_CAPACITY",
            "reservation_start_time": "2030-01-02T00:00:00Z",
            "reservation_end_time": "2030-01-01T00:00:00Z",
        },
        "reservation_end_time",
        "after reservation_start_time",
    ),
    (
        "bad timestamp",
        {"billing_type": "SCHEDULED_CAPACITY", "reservation_start_time": "tomorrow"},
        "reservation_start_time",
        "RFC 3339",
    ),
    ("cluster_type not in enum", {"cluster_type": "NOMAD"}, "cluster_type", "KUBERNETES, SLURM"),
    ("slurm without shm", {"cluster_type": "SLURM"}, "slurm_shm_size_gib", "required (> 0 GiB)"),
    ("slurm shm 0", {"cluster_type": "SLURM", "slurm_shm_size_gib": 0}, "slurm_shm_size_gib", "> 0"),
    (
        "preemptible not multiple of 8",
        {"num_preemptible_gpus": 4, "project_id": "proj-emulator"},
        "num_preemptible_gpus",
        "multiple of 8",
    ),
    (
        "capacity pool not multiple of 8",
        {"num_capacity_pool_gpus": 3, "capacity_pool_id": "cp-1"},
        "num_capacity_pool_gpus",
        "multiple of 8",
    ),
    (
        "capacity pool above num_gpus",
        {"num_capacity_pool_gpus": 16, "capacity_pool_id": "cp-1"},
        "num_capacity_pool_gpus",
        "must not exceed num_gpus",
    ),
    ("capacity pool without id", {"num_capacity_pool_gpus": 8}, "capacity_pool_id", "required"),
    ("auto_scale without max", {"auto_scale": True}, "auto_scale_max_gpus", "required when auto_scale"),
    (
        "auto_scale max below num_gpus",
        {"auto_scale": True, "num_gpus": 16, "auto_scale_max_gpus": 8},
        "auto_scale_max_gpus",
        ">= num_gpus",
    ),
    (
        "auto_scale max not multiple of 8",
        {"auto_scale": True, "auto_scale_max_gpus": 20},
        "auto_scale_max_gpus",
        "multiple of 8",
    ),
    ("unknown volume", {"volume_id": "vol-nope"}, "volume_id", "does not exist"),
    (
        "volume_id and shared_volume",
        {"volume_id": "vol-x", "shared_volume": {"region": "us-central-8", "size_tib": 1, "volume_name": "v"}},
        "shared_volume",
        "mutually exclusive",
    ),
    (
        "inline volume in another region",
        {"shared_volume": {"region": "us-central-4", "size_tib": 1, "volume_name": "v"}},
        "shared_volume.region",
        "cluster region",
    ),
    (
        "inline volume too small",
        {"shared_volume": {"region": "us-central-8", "size_tib": 0, "volume_name": "v"}},
        "shared_volume.size_tib",
        ">= 1",
    ),
    (
        "inline volume without name",
        {"shared_volume": {"region": "us-central-8", "size_tib": 1}},
        "shared_volume.volume_name",
        "required",
    ),
    (
        "inline volume without region",
        {"shared_volume": {"size_tib": 1, "volume_name": "v"}},
        "shared_volume.region",
        "required",
    ),
    ("oidc missing client_id", {"oidc_config": {**OIDC, "client_id": None}}, "oidc_config.client_id", "required"),
    (
        "oidc missing group_prefix",
        {"oidc_config": {k: v for k, v in OIDC.items() if k != "group_prefix"}},
        "oidc_config.group_prefix",
        "required",
    ),
    (
        "load balancer not in enum",
        {"cluster_config": {"load_balancer": "HAPROXY"}},
        "cluster_config.load_balancer",
        "NONE, TRAEFIK, NGINX, ISTIO",
    ),
    ("load balancer missing", {"cluster_config": {}}, "cluster_config.load_balancer", "required"),
    (
        "unknown add-on type",
        {"add_ons": [{"add_on_type": "grafana", "name": "g"}]},
        "add_ons[0].add_on_type",
        "dashboard, ingress, headlamp, slurm_web, torchpass",
    ),
    (
        "add-on enabled not a boolean",
        {"add_ons": [{"add_on_type": "dashboard", "name": "d", "config": {"dashboard": {"enabled": "yes"}}}]},
        "add_ons[0].config.dashboard.enabled",
        "true or false",
    ),
    (
        "cluster_config flag not a boolean",
        {"cluster_config": {"load_balancer": "NONE", "jumphost_enabled": "on"}},
        "cluster_config.jumphost_enabled",
        "true or false",
    ),
    (
        "cluster_config version not a string",
        {"cluster_config": {"load_balancer": "NONE", "gpu_operator_version": 24}},
        "cluster_config.gpu_operator_version",
        "must be a string",
    ),
    (
        "cluster_config ingress not an object",
        {"cluster_config": {"load_balancer": "NONE", "ingress": True}},
        "cluster_config.ingress",
        "must be an object",
    ),
    (
        "cluster_config observability.enabled not a boolean",
        {"cluster_config": {"load_balancer": "NONE", "observability": {"enabled": 1}}},
        "cluster_config.observability.enabled",
        "true or false",
    ),
    (
        "slurm script not a string",
        {"cluster_config": {"load_balancer": "NONE", "slurm_startup_scripts": {"worker_prolog": ["echo"]}}},
        "cluster_config.slurm_startup_scripts.worker_prolog",
        "must be a string",
    ),
    (
        "acceptance tests enabled not a boolean",
        {"acceptance_tests_params": {"enabled": "false"}},
        "acceptance_tests_params.enabled",
        "true or false",
    ),
    (
        "acceptance tests burn duration not an integer",
        {"acceptance_tests_params": {"gpu_burn_duration": "5m"}},
        "acceptance_tests_params.gpu_burn_duration",
        "must be an integer",
    ),
    (
        "acceptance tests burn duration negative",
        {"acceptance_tests_params": {"gpu_burn_duration": -1}},
        "acceptance_tests_params.gpu_burn_duration",
        ">= 0 seconds",
    ),
    (
        "acceptance tests skip switch not a boolean",
        {"acceptance_tests_params": {"nccl_multi_node_skipped": "yes"}},
        "acceptance_tests_params.nccl_multi_node_skipped",
        "true or false",
    ),
    (
        "acceptance tests dcgm level",
        {"acceptance_tests_params": {"dcgm_diag_level": "DEEP"}},
        "acceptance_tests_params.dcgm_diag_level",
        "DCGM_DIAG_LEVEL_SHORT",
    ),
    (
        "preemptible GPUs on Slurm",
        {"cluster_type": "SLURM", "slurm_shm_size_gib": 64, "num_preemptible_gpus": 8, "project_id": "proj-emulator"},
        "num_preemptible_gpus",
        "Kubernetes clusters only",
    ),
    ("slurm_image not a string", {"slurm_image": 3}, "slurm_image", "must be a string"),
    ("install_traefik not a boolean", {"install_traefik": "true"}, "install_traefik", "true or false"),
    ("add-on without name", {"add_ons": [{"add_on_type": "dashboard"}]}, "add_ons[0].name", "required"),
    ("reserved gpus on demand", {"num_reserved_gpus": 8}, "num_reserved_gpus", "RESERVED billing only"),
]


@pytest.mark.parametrize(("overrides", "field", "text"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_create_names_the_field(
    app_emu: InProcessEmulator, overrides: dict[str, Any], field: str, text: str
) -> None:
    with app_emu.client() as client:
        response = client.post("/v1/compute/clusters", json=cluster_body(**overrides))
        assert field in violated_fields(response)
        message = response.json()["message"]
        assert field.split(".")[-1].split("[")[0] in message
        assert text in message
        assert ok(client.get("/v1/compute/clusters"))["clusters"] == []


def test_all_violations_are_reported_at_once(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        body = cluster_body(num_gpus=12, cluster_name=None, cluster_type="SLURM")
        fields = violated_fields(client.post("/v1/compute/clusters", json=body))
        assert set(fields) >= {"num_gpus", "cluster_name", "slurm_shm_size_gib"}


def test_body_must_be_a_json_object(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        not_json = client.post("/v1/compute/clusters", content=b"{nope", headers={"content-type": "application/json"})
        assert "body" in violated_fields(not_json)
        a_list = client.post("/v1/compute/clusters", json=[1, 2])
        assert "body" in violated_fields(a_list)


def test_volume_in_other_region_is_refused(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        volume = create_volume(client, region="us-central-4")
        response = client.post("/v1/compute/clusters", json=cluster_body(volume_id=volume["volume_id"]))
        assert violated_fields(response) == ["volume_id"]
        assert "Shared volume does not exist in the datacenter us-central-8" in response.json()["message"]


def test_volume_bound_to_another_cluster_is_refused(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        volume = create_volume(client)
        ok(client.post("/v1/compute/clusters", json=cluster_body(volume_id=volume["volume_id"])))
        response = client.post("/v1/compute/clusters", json=cluster_body(volume_id=volume["volume_id"]))
        assert violated_fields(response) == ["volume_id"]
        assert "already bound" in response.json()["message"]


VALID: list[tuple[str, dict[str, Any]]] = [
    ("minimal with nvidia_version_id", {}),
    ("legacy pair", {"nvidia_version_id": None, "cuda_version": "12.6", "nvidia_driver_version": "560"}),
    ("id and matching pair", {"cuda_version": "12.8", "nvidia_driver_version": "570"}),
    ("reserved", {"billing_type": "RESERVED", "duration_days": 30}),
    (
        "scheduled",
        {
            "billing_type": "SCHEDULED_CAPACITY",
            "reservation_start_time": "2020-01-01T00:00:00Z",
            "reservation_end_time": "2099-01-01T00:00:00Z",
        },
    ),
    ("slurm", {"cluster_type": "SLURM", "slurm_shm_size_gib": 64}),
    ("preemptible", {"num_preemptible_gpus": 8, "project_id": "proj-emulator"}),
    # SDK project_id: optional, "the project from the request context is used".
    ("preemptible without project_id", {"num_preemptible_gpus": 8}),
    # SDK duration_days: optional.
    ("reserved without duration_days", {"billing_type": "RESERVED"}),
    # SDK username_claim: a free string.
    ("oidc claim upn", {"oidc_config": {**OIDC, "username_claim": "upn"}}),
    # Go/TS SDKs list torchpass.
    (
        "torchpass add-on",
        {"add_ons": [{"add_on_type": "torchpass", "name": "t", "config": {"torchpass": {"enabled": True}}}]},
    ),
    ("capacity pool", {"num_gpus": 16, "num_capacity_pool_gpus": 8, "capacity_pool_id": "cp-1"}),
    ("auto scale", {"auto_scale": True, "auto_scale_max_gpus": 32}),
    ("inline volume", {"shared_volume": {"region": "us-central-8", "size_tib": 1, "volume_name": "v"}}),
    ("oidc", {"oidc_config": OIDC}),
    (
        "config and add-ons",
        {"cluster_config": {"load_balancer": "NGINX"}, "add_ons": [{"add_on_type": "dashboard", "name": "d"}]},
    ),
    (
        "headlamp and slurm_web add-ons as the CLI sends them",
        {
            "add_ons": [
                {"add_on_type": "headlamp", "name": "headlamp", "config": {"headlamp": {"enabled": True}}},
                {"add_on_type": "slurm_web", "name": "slurm_web", "config": {"slurm_web": {"enabled": True}}},
            ]
        },
    ),
    (
        "every acceptance test option",
        {
            "acceptance_tests_params": {
                "enabled": True,
                "dcgm_diag_level": "DCGM_DIAG_LEVEL_LONG",
                "dcgm_diag_skipped": False,
                "gpu_burn_duration": 0,
                "gpu_burn_skipped": False,
                "nccl_single_node_skipped": True,
                "nccl_multi_node_skipped": True,
                "storage_skipped": False,
            }
        },
    ),
    (
        "b200 region",
        {"region": "us-west-2", "gpu_type": "B200_SXM", "nvidia_version_id": "nv-us-west-2-cu130-580-u2404"},
    ),
    ("explicit nulls are ignored", {"volume_id": None, "cluster_config": None}),
    ("unknown fields are ignored", {"some_future_field": {"x": 1}}),
]


@pytest.mark.parametrize("overrides", [c[1] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_create(app_emu: InProcessEmulator, overrides: dict[str, Any]) -> None:
    with app_emu.client() as client:
        cluster = ok(client.post("/v1/compute/clusters", json=cluster_body(**overrides)))
        assert cluster["cluster_id"].startswith("t-")
        assert cluster["status"] in ("WaitingForControlPlaneNodes",)


def test_driver_resolution_is_echoed(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        by_id = ok(client.post("/v1/compute/clusters", json=cluster_body()))
        assert (by_id["cuda_version"], by_id["nvidia_driver_version"]) == ("12.8", "570")
        assert by_id["nvidia_driver_version_id"] == "nv-us-central-8-cu128-570-u2204"
        legacy = ok(
            client.post(
                "/v1/compute/clusters",
                json=cluster_body(nvidia_version_id=None, cuda_version="12.8", nvidia_driver_version="570"),
            )
        )
        # a bare CUDA version selects the ubuntu-22.04 entry, as the service documents
        assert legacy["nvidia_driver_version_id"] == "nv-us-central-8-cu128-570-u2204"


def test_reserved_defaults(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        cluster = ok(
            client.post(
                "/v1/compute/clusters", json=cluster_body(billing_type="RESERVED", duration_days=2, num_gpus=16)
            )
        )
        assert cluster["num_reserved_gpus"] == 16
        assert cluster["duration_hours"] == 48
        assert cluster["reservation_end_time"].endswith("Z")


def test_cluster_names_need_not_be_unique(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        a = ok(client.post("/v1/compute/clusters", json=cluster_body(cluster_name="same")))
        b = ok(client.post("/v1/compute/clusters", json=cluster_body(cluster_name="same")))
        assert a["cluster_id"] != b["cluster_id"]


def test_volume_create_validation(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        url = "/v1/compute/clusters/storage/volumes"
        assert violated_fields(client.post(url, json={"size_tib": 1, "region": "us-central-8"})) == ["volume_name"]
        assert violated_fields(
            client.post(url, json={"volume_name": "v", "size_tib": 0, "region": "us-central-8"})
        ) == ["size_tib"]
        assert violated_fields(
            client.post(url, json={"volume_name": "v", "size_tib": 1.5, "region": "us-central-8"})
        ) == ["size_tib"]
        assert violated_fields(client.post(url, json={"volume_name": "v", "size_tib": 1, "region": "nowhere"})) == [
            "region"
        ]


def test_nested_objects_are_echoed_as_the_sdk_defines_them(app_emu: InProcessEmulator) -> None:
    """Known fields only, no nulls: an unknown nested key is dropped, not echoed."""
    with app_emu.client() as client:
        cluster = ok(
            client.post(
                "/v1/compute/clusters",
                json=cluster_body(
                    cluster_config={
                        "load_balancer": "TRAEFIK",
                        "jumphost_enabled": True,
                        "gpu_operator_version": None,
                        "some_future_knob": 1,
                        "slurm_startup_scripts": {"worker_prolog": "echo hi", "future_script": "x"},
                    },
                    add_ons=[{"add_on_type": "dashboard", "name": "d", "config": {"dashboard": {"enabled": True}}}],
                ),
            )
        )
    assert cluster["cluster_config"] == {
        "load_balancer": "TRAEFIK",
        "jumphost_enabled": True,
        "slurm_startup_scripts": {"worker_prolog": "echo hi"},
    }
    assert cluster["add_ons"][0]["config"] == {"dashboard": {"enabled": True}}


@pytest.mark.parametrize(
    ("create", "update", "field"),
    [
        ({"num_preemptible_gpus": 8, "project_id": "proj-emulator"}, {"cluster_type": "SLURM"}, "cluster_type"),
        ({"cluster_type": "SLURM", "slurm_shm_size_gib": 64}, {"num_preemptible_gpus": 8}, "num_preemptible_gpus"),
        ({}, {"cluster_config": {"load_balancer": "NONE", "ssh_ca_enabled": "yes"}}, "cluster_config.ssh_ca_enabled"),
    ],
)
def test_invalid_update_names_the_field(
    app_emu: InProcessEmulator, create: dict[str, Any], update: dict[str, Any], field: str
) -> None:
    with app_emu.client() as client:
        cluster = ok(client.post("/v1/compute/clusters", json=cluster_body(**create)))
        response = client.put(f"/v1/compute/clusters/{cluster['cluster_id']}", json=update)
        assert field in violated_fields(response)
    # switching to Slurm is fine when the same update drops the preemptible GPUs
    with app_emu.client() as client:
        ok_switch = client.put(
            f"/v1/compute/clusters/{cluster['cluster_id']}", json={"cluster_type": "SLURM", "num_preemptible_gpus": 0}
        )
        assert ok_switch.status_code == 200, ok_switch.text
