"""The policy rules as plain functions: what each finds, its message, its config and defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from together_pulumi.policy import RULES, ClusterSubject, Outcome, PolicyConfigError, VolumeSubject, config_schema, rule
from together_pulumi.review import ClusterFacts, VolumeFacts
from together_pulumi.review.tokens import UNKNOWN

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CARD = str(ROOT / "examples" / "rate-card.yaml")


def cluster(name: str = "train", *, protect: bool = False, **settings: Any) -> ClusterSubject:
    props = {"region": "us-central-8", "gpu_type": "H100_SXM", "num_gpus": 8, "billing_type": "ON_DEMAND", **settings}
    return ClusterSubject(ClusterFacts.from_props(name, props), protect)


def volume(name: str = "data", *, protect: bool = False, **settings: Any) -> VolumeSubject:
    props = {"region": "us-central-8", "size_tib": 2, "is_lifecycle_independent": True, **settings}
    return VolumeSubject(VolumeFacts.from_props(name, props), protect)


def check(name: str, subject: ClusterSubject | VolumeSubject, config: dict[str, Any] | None = None) -> Outcome:
    r = rule(name)
    assert r.check is not None
    return r.check(subject, r.parse_config(config))


def check_stack(
    name: str, clusters: list[ClusterSubject], volumes: list[VolumeSubject], config: dict[str, Any] | None = None
) -> Outcome:
    r = rule(name)
    assert r.stack_check is not None
    return r.stack_check(clusters, volumes, r.parse_config(config))


def test_the_rules_and_their_default_levels() -> None:
    assert {r.name: r.level for r in RULES} == {
        "together-allowed-regions": "mandatory",
        "together-allowed-gpu-types": "mandatory",
        "together-allowed-billing-types": "mandatory",
        "together-max-gpus-per-cluster": "mandatory",
        "together-max-gpus-per-stack": "mandatory",
        "together-protect-prepaid-clusters": "mandatory",
        "together-require-project-id": "disabled",
        "together-volume-outlives-cluster": "mandatory",
        "together-protect-data-volumes": "advisory",
        "together-max-reservation-days": "advisory",
        "together-max-stack-hourly-cost": "mandatory",
    }
    for r in RULES:
        assert (r.check is None) != (r.stack_check is None), r.name
        assert r.description.endswith(")") or r.description.endswith("."), r.name


def test_allowed_regions() -> None:
    config = {"allowedRegions": ["us-west-2", "us-central-4"]}
    assert check("together-allowed-regions", cluster(), config).violations == [
        'GpuCluster "train": region us-central-8 is not allowed; allowed regions: us-west-2, us-central-4.'
    ]
    assert check("together-allowed-regions", volume(), config).violations == [
        'SharedVolume "data": region us-central-8 is not allowed; allowed regions: us-west-2, us-central-4.'
    ]
    assert check("together-allowed-regions", cluster(region="us-west-2"), config).violations == []
    assert check("together-allowed-regions", cluster()).not_applicable == "no allowedRegions configured"
    unknown = check("together-allowed-regions", cluster(region=UNKNOWN), config)
    assert unknown.violations == [] and unknown.unknown == ['region of GpuCluster "train"']


def test_allowed_gpu_and_billing_types() -> None:
    found = check("together-allowed-gpu-types", cluster(gpu_type="B300_SXM"), {"allowedGpuTypes": ["H100_SXM"]})
    assert found.violations == ['GpuCluster "train": gpu_type B300_SXM is not allowed; allowed GPU types: H100_SXM.']
    assert check("together-allowed-gpu-types", cluster(), {"allowedGpuTypes": ["H100_SXM"]}).violations == []
    found = check(
        "together-allowed-billing-types", cluster(billing_type="RESERVED"), {"allowedBillingTypes": ["ON_DEMAND"]}
    )
    assert found.violations == [
        'GpuCluster "train": billing_type RESERVED is not allowed; allowed billing types: ON_DEMAND.'
    ]
    # billing_type left out means ON_DEMAND (the provider's default)
    no_billing = ClusterSubject(ClusterFacts.from_props("t", {"num_gpus": 8}))
    assert check("together-allowed-billing-types", no_billing, {"allowedBillingTypes": ["ON_DEMAND"]}).violations == []


def test_max_gpus_per_cluster_counts_autoscaling_and_preemptible() -> None:
    assert check("together-max-gpus-per-cluster", cluster(num_gpus=64)).violations == []
    assert check("together-max-gpus-per-cluster", cluster(num_gpus=72)).violations == [
        'GpuCluster "train": 72 GPUs (num_gpus 72) exceed the maximum of 64 GPUs per cluster (maxGpus).'
    ]
    scaled = cluster(num_gpus=16, auto_scale=True, auto_scale_max_gpus=48, num_preemptible_gpus=8)
    assert check("together-max-gpus-per-cluster", scaled, {"maxGpus": 40}).violations == [
        'GpuCluster "train": 56 GPUs (num_gpus 16, auto_scale_max_gpus 48, num_preemptible_gpus 8) exceed the '
        "maximum of 40 GPUs per cluster (maxGpus)."
    ]
    # engine numbers are floats
    assert check("together-max-gpus-per-cluster", cluster(num_gpus=16.0), {"maxGpus": 16.0}).violations == []
    unknown = check("together-max-gpus-per-cluster", cluster(num_gpus=UNKNOWN))
    assert unknown.unknown == ['num_gpus of GpuCluster "train"']


def test_max_gpus_per_stack() -> None:
    clusters = [cluster("a", num_gpus=128), cluster("b", num_gpus=64, auto_scale=True, auto_scale_max_gpus=136)]
    assert check_stack("together-max-gpus-per-stack", clusters, []).violations == [
        'The stack\'s clusters hold 264 GPUs (GpuCluster "b" 136, GpuCluster "a" 128), more than the maximum of '
        "256 GPUs per stack (maxGpus)."
    ]
    assert check_stack("together-max-gpus-per-stack", clusters, [], {"maxGpus": 264}).violations == []
    partly = check_stack("together-max-gpus-per-stack", [cluster("a", num_gpus=16), cluster("b", num_gpus=UNKNOWN)], [])
    assert partly.violations == [] and partly.unknown == ['num_gpus of GpuCluster "b"']
    over = check_stack(
        "together-max-gpus-per-stack", [cluster("a", num_gpus=32), cluster("b", num_gpus=UNKNOWN)], [], {"maxGpus": 16}
    )
    assert over.violations and "hold at least 32 GPUs" in over.violations[0]


def test_prepaid_clusters_must_be_protected() -> None:
    for billing in ("RESERVED", "SCHEDULED_CAPACITY"):
        found = check("together-protect-prepaid-clusters", cluster(billing_type=billing))
        assert found.violations == [
            f'GpuCluster "train": billing_type {billing} is paid up front, but the cluster is not protected; '
            "deleting or replacing it by mistake forfeits the reservation. Set "
            "opts=pulumi.ResourceOptions(protect=True) on it."
        ]
        assert check("together-protect-prepaid-clusters", cluster(billing_type=billing, protect=True)).violations == []
    assert check("together-protect-prepaid-clusters", cluster()).violations == []
    only_reserved = {"billingTypes": ["RESERVED"]}
    assert check("together-protect-prepaid-clusters", cluster(billing_type="SCHEDULED_CAPACITY"), only_reserved) == (
        Outcome()
    )


def test_require_project_id() -> None:
    assert check("together-require-project-id", cluster()).violations == [
        'GpuCluster "train": project_id is not set; name the project that owns and pays for it.'
    ]
    assert check("together-require-project-id", volume(project_id="proj-ml")).violations == []
    allowed = {"allowedProjects": ["proj-ml"]}
    assert check("together-require-project-id", cluster(project_id="proj-x"), allowed).violations == [
        'GpuCluster "train": project_id proj-x is not allowed; allowed projects: proj-ml.'
    ]


def test_volumes_outlive_clusters() -> None:
    inline = cluster(shared_volume={"size_tib": 4, "volume_name": "scratch"})
    (message,) = check("together-volume-outlives-cluster", inline).violations
    assert message.startswith('GpuCluster "train": declares an inline shared_volume "scratch" (4 TiB)')
    assert "together.SharedVolume" in message and "volume_id" in message
    assert check("together-volume-outlives-cluster", cluster(volume_id="vol-1")).violations == []
    (message,) = check("together-volume-outlives-cluster", volume(is_lifecycle_independent=False)).violations
    assert message.startswith('SharedVolume "data": is_lifecycle_independent is false')
    assert check("together-volume-outlives-cluster", volume()).violations == []
    assert check("together-volume-outlives-cluster", cluster(shared_volume=UNKNOWN)).unknown


def test_data_volumes_should_be_protected() -> None:
    assert (
        check("together-protect-data-volumes", volume())
        .violations[0]
        .startswith('SharedVolume "data": is not protected')
    )
    assert check("together-protect-data-volumes", volume(protect=True)).violations == []


def test_reservation_length() -> None:
    assert check("together-max-reservation-days", cluster(billing_type="RESERVED", duration_days=30)).violations == []
    assert check("together-max-reservation-days", cluster(billing_type="RESERVED", duration_days=90)).violations == [
        'GpuCluster "train": RESERVED with duration_days 90 commits to more than the maximum of 30 days (maxDays).'
    ]
    window = cluster(
        billing_type="SCHEDULED_CAPACITY",
        reservation_start_time="2027-01-01T00:00:00Z",
        reservation_end_time="2027-01-11T12:00:00Z",
    )
    assert check("together-max-reservation-days", window, {"maxDays": 10}).violations == [
        'GpuCluster "train": SCHEDULED_CAPACITY with a reservation of 10.5 days (2027-01-01T00:00:00Z to '
        "2027-01-11T12:00:00Z) commits to more than the maximum of 10 days (maxDays)."
    ]
    assert check("together-max-reservation-days", cluster(duration_days=90)).violations == []  # ON_DEMAND


def test_max_stack_hourly_cost() -> None:
    config = {"maxHourlyCost": 22, "rateCard": EXAMPLE_CARD}
    # example card: H100 ON_DEMAND 1.00, H200 RESERVED 1.60, 10.00 per TiB-month
    clusters = [cluster("a", num_gpus=8), cluster("b", gpu_type="H200_SXM", billing_type="RESERVED", num_gpus=8)]
    assert check_stack("together-max-stack-hourly-cost", clusters, [volume(size_tib=73)], config).violations == []
    (message,) = check_stack(
        "together-max-stack-hourly-cost", [*clusters, cluster("c", num_gpus=8)], [volume(size_tib=73)], config
    ).violations
    assert message.startswith(
        "The stack costs 29.80 USD/hour (715.20 USD/day) at its peak GPU counts under rate card "
        f"{EXAMPLE_CARD} (PLACEHOLDER prices), more than the maximum of 22.00 USD/hour (maxHourlyCost); largest: "
        'GpuCluster "b" 12.80 USD, GpuCluster "a" 8.00 USD'
    )
    # autoscaling counts at its peak
    scaled = [cluster("a", num_gpus=8, auto_scale=True, auto_scale_max_gpus=24)]
    assert check_stack("together-max-stack-hourly-cost", scaled, [], config).violations


def test_max_stack_hourly_cost_fails_closed_without_a_price(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text("currency: USD\ngpu_hour: {H100_SXM: {ON_DEMAND: 1}}\n")
    config = {"maxHourlyCost": 1000, "rateCard": str(card)}
    (message,) = check_stack("together-max-stack-hourly-cost", [cluster(gpu_type="B300_SXM")], [], config).violations
    assert message == (
        "The stack's cost cannot be checked against 1,000.00 USD/hour: the rate card has no gpu_hour price for "
        "B300_SXM ON_DEMAND."
    )
    unknown = check_stack("together-max-stack-hourly-cost", [cluster(num_gpus=UNKNOWN)], [], config)
    assert unknown.violations == [] and unknown.unknown


def test_max_stack_hourly_cost_needs_a_limit_and_a_card(tmp_path: Path) -> None:
    r = "together-max-stack-hourly-cost"
    assert check_stack(r, [cluster()], [], {}).not_applicable == "needs both maxHourlyCost and rateCard"
    assert check_stack(r, [cluster()], [], {"maxHourlyCost": 1}).not_applicable
    with pytest.raises(
        PolicyConfigError, match=r"policy together-max-stack-hourly-cost: config rateCard: rate card .*"
    ):
        check_stack(r, [cluster()], [], {"maxHourlyCost": 1, "rateCard": str(tmp_path / "nope.yaml")})


def test_config_errors_name_the_policy_and_key() -> None:
    with pytest.raises(PolicyConfigError) as error:
        rule("together-max-gpus-per-cluster").parse_config({"maxGPUs": 8})
    assert str(error.value) == (
        "policy together-max-gpus-per-cluster: invalid config: maxGPUs: unknown key; valid keys: maxGpus"
    )
    with pytest.raises(PolicyConfigError, match=r"allowedGpuTypes.0: Input should be 'H100_SXM'"):
        rule("together-allowed-gpu-types").parse_config({"allowedGpuTypes": ["H100"]})
    with pytest.raises(PolicyConfigError, match="maxGpus: Input should be greater than or equal to 0"):
        rule("together-max-gpus-per-stack").parse_config({"maxGpus": -1})
    # the engine passes the enforcement level with the properties at times; it is not a rule setting
    assert (
        rule("together-max-gpus-per-stack").parse_config({"enforcementLevel": "advisory", "maxGpus": 8.0}).max_gpus == 8
    )
    with pytest.raises(KeyError, match="no policy 'nope'; policies: together-allowed-regions"):
        rule("nope")


def test_config_schemas_are_plain_json_schema_with_camel_case_keys() -> None:
    assert config_schema(rule("together-max-gpus-per-cluster").config) == {
        "maxGpus": {
            "default": 64,
            "description": "Most GPUs one cluster may hold, autoscaling and preemptible included.",
            "minimum": 0,
            "type": "integer",
        }
    }
    cost = config_schema(rule("together-max-stack-hourly-cost").config)
    assert cost["maxHourlyCost"] == {
        "description": "Most the stack's clusters and volumes may cost per hour, in the rate card's currency.",
        "minimum": 0,
        "type": "number",
    }
    assert cost["rateCard"]["type"] == "string"
    gpu_types = config_schema(rule("together-allowed-gpu-types").config)["allowedGpuTypes"]
    assert gpu_types["type"] == "array" and "H100_SXM" in gpu_types["items"]["enum"]
    for r in RULES:
        for key, prop in config_schema(r.config).items():
            assert key[0].islower() and "_" not in key, (r.name, key)
            assert "anyOf" not in prop and "title" not in prop and "$ref" not in str(prop), (r.name, key)


def test_a_relative_rate_card_path_is_taken_from_the_pack_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "card.yaml").write_text("currency: USD\ngpu_hour: {H100_SXM: {ON_DEMAND: 1}}\n")
    monkeypatch.chdir(tmp_path / "pack")  # the engine starts the pack in its directory
    config = {"maxHourlyCost": 4, "rateCard": "../card.yaml"}
    (message,) = check_stack("together-max-stack-hourly-cost", [cluster()], [], config).violations
    assert message.startswith("The stack costs 8.00 USD/hour")
    with pytest.raises(PolicyConfigError, match=r"relative paths are taken from the policy pack's directory, .*pack\)"):
        check_stack("together-max-stack-hourly-cost", [cluster()], [], {**config, "rateCard": "card.yaml"})
