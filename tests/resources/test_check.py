"""check: every rule the service enforces is a failure on the right property, with what would be valid."""

from __future__ import annotations

from typing import Any

import pytest

from emulator_inprocess import InProcessEmulator
from together_pulumi.host.cluster.provider import ClusterProvider
from together_pulumi.host.volume.provider import SharedVolumeProvider
from together_pulumi.model.fields import UNKNOWN
from together_pulumi.model.private_inputs import AUTONAME_PREFIX, NAME_SEED

from .conftest import AN_UNKNOWN, NAMED_TRAIN, OIDC

BASE: dict[str, Any] = {"region": "us-central-8", "gpu_type": "H100_SXM", "num_gpus": 16, **NAMED_TRAIN}


def failures(props: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, str]:
    """Failures by property; the settings failure (no credentials) on the resource itself is left out."""
    result = ClusterProvider().check(olds or {}, {**BASE, **props})
    return {f.property: f.reason for f in result.failures if f.property}


STATIC_CASES = [
    ({"num_gpus": 12}, "num_gpus", "num_gpus must be a positive multiple of 8 (one node = 8 GPUs); got 12"),
    ({"num_gpus": 0}, "num_gpus", "positive multiple of 8"),
    ({"num_gpus": 8.5}, "num_gpus", "must be an integer"),
    ({"gpu_type": "A100_SXM"}, "gpu_type", "must be one of H100_SXM, H200_SXM, B200_SXM"),
    ({"region": None}, "region", "is required"),
    ({"cluster_type": "NOMAD"}, "cluster_type", "must be one of KUBERNETES, SLURM"),
    ({"cluster_type": "SLURM"}, "slurm_shm_size_gib", "required when cluster_type is SLURM"),
    ({"cluster_type": "SLURM", "slurm_shm_size_gib": 0}, "slurm_shm_size_gib", "must be at least 1 GiB; got 0"),
    ({"cluster_type": "SLURM", "slurm_shm_size_gib": 64, "install_traefik": True}, "install_traefik", "KUBERNETES"),
    ({"billing_type": "RESERVED", "duration_days": 91}, "duration_days", "between 1 and 90; got 91"),
    ({"duration_days": 3}, "duration_days", "RESERVED billing only"),
    ({"num_reserved_gpus": 8}, "num_reserved_gpus", "RESERVED billing only"),
    ({"billing_type": "SCHEDULED_CAPACITY"}, "reservation_start_time", "required for SCHEDULED_CAPACITY"),
    (
        {
            "billing_type": "SCHEDULED_CAPACITY",
            "reservation_start_time": "2027-01-02T00:00:00Z",
            "reservation_end_time": "2027-01-01T00:00:00Z",
        },
        "reservation_end_time",
        "must be after reservation_start_time",
    ),
    (
        {
            "billing_type": "SCHEDULED_CAPACITY",
            "reservation_start_time": "next tuesday",
            "reservation_end_time": "2027-01-01T00:00:00Z",
        },
        "reservation_start_time",
        "RFC 3339",
    ),
    ({"reservation_end_time": "2027-01-01T00:00:00Z"}, "reservation_end_time", "RESERVED or SCHEDULED_CAPACITY"),
    ({"num_preemptible_gpus": 12, "project_id": "p"}, "num_preemptible_gpus", "multiple of 8"),
    ({"num_capacity_pool_gpus": 8}, "capacity_pool_id", "required when num_capacity_pool_gpus > 0"),
    ({"num_capacity_pool_gpus": 24, "capacity_pool_id": "cp"}, "num_capacity_pool_gpus", "must not exceed num_gpus"),
    ({"auto_scale": True}, "auto_scale_max_gpus", "required when auto_scale is true"),
    ({"auto_scale": True, "auto_scale_max_gpus": 8}, "auto_scale_max_gpus", "at least num_gpus (16); got 8"),
    ({"cuda_version": "12.9"}, "nvidia_driver_version", "go together"),
    ({"volume_id": "vol-1", "shared_volume": {"size_tib": 1}}, "shared_volume", "not both"),
    ({"shared_volume": {"size_tib": 0}}, "shared_volume.size_tib", "at least 1"),
    ({"shared_volume": {}}, "shared_volume.size_tib", "is required"),
    (
        {"shared_volume": {"size_tib": 1, "is_lifecycle_independent": True}},
        "shared_volume.is_lifecycle_independent",
        "declare a together.SharedVolume and pass its volume_id",
    ),
    (
        {"billing_type": "RESERVED", "duration_days": 7, "num_reserved_gpus": 24},
        "num_reserved_gpus",
        "must not exceed num_gpus (16); got 24",
    ),
    ({"oidc_config": {k: v for k, v in OIDC.items() if k != "client_id"}}, "oidc_config.client_id", "is required"),
    ({"cluster_config": {"load_balancer": "F5"}}, "cluster_config.load_balancer", "NONE, TRAEFIK, NGINX, ISTIO"),
    ({"cluster_config": {"load_balancer": "NONE", "colour": "red"}}, "cluster_config.colour", "valid: load_balancer"),
    ({"acceptance_tests_params": {"dcgm_diag_level": "HUGE"}}, "acceptance_tests_params.dcgm_diag_level", "SHORT"),
    ({"ready_timeout_seconds": 0}, "ready_timeout_seconds", "must be at least 1 second; got 0"),
]


@pytest.mark.parametrize(("props", "prop", "message"), STATIC_CASES, ids=[c[1] + ":" + c[2][:30] for c in STATIC_CASES])
def test_static_rule_fails_on_the_property(
    no_credentials: None, props: dict[str, Any], prop: str, message: str
) -> None:
    found = failures(props)
    assert prop in found, found
    assert message in found[prop]


CATALOG_CASES = [
    (
        {"region": "mars-1"},
        "region",
        "region 'mars-1' does not exist; valid regions: us-central-2, us-central-4, us-central-8, us-west-2",
    ),
    (
        {"gpu_type": "B200_SXM"},
        "gpu_type",
        "gpu_type B200_SXM is not offered in us-central-8 (it offers H100_SXM, H200_SXM); "
        "regions offering it: us-west-2",
    ),
    ({"nvidia_version_id": "nv-nope"}, "nvidia_version_id", "not in the us-central-8 driver catalog; valid: nv-"),
    ({"cuda_version": "11.0", "nvidia_driver_version": "450"}, "cuda_version", "valid pairs: 12.9/575"),
    (
        {
            "cuda_version": "12.6",
            "nvidia_driver_version": "560",
            "nvidia_version_id": "nv-us-central-8-cu129-575-u2204",
        },
        "nvidia_version_id",
        "name different catalog entries",
    ),
]


@pytest.mark.parametrize(("props", "prop", "message"), CATALOG_CASES, ids=[c[1] for c in CATALOG_CASES])
def test_catalog_rule_fails_on_the_property(
    api: InProcessEmulator, props: dict[str, Any], prop: str, message: str
) -> None:
    found = failures(props)
    assert prop in found, found
    assert message in found[prop]


def test_a_valid_cluster_passes_and_gets_defaults_and_a_name(api: InProcessEmulator) -> None:
    result = ClusterProvider().check({}, dict(BASE))
    assert result.failures == []
    assert result.inputs["cluster_type"] == "KUBERNETES"
    assert result.inputs["billing_type"] == "ON_DEMAND"
    assert result.inputs["wait_for_ready"] is True
    assert result.inputs["ready_timeout_seconds"] == 3600
    assert result.inputs["cluster_name"].startswith("train-")
    assert "nvidia_version_id" not in result.inputs  # resolved at create, so a new catalogue entry is no diff


def test_the_auto_name_is_the_same_in_every_check_and_new_for_a_replacement(no_credentials: None) -> None:
    first = ClusterProvider().check({}, dict(BASE)).inputs
    name = first["cluster_name"]
    assert name.startswith("train-") and len(name) == len("train-") + 7
    # The same in the preview, in the up, in the next up after a crash (no old inputs), and kept after.
    assert ClusterProvider().check({}, dict(BASE)).inputs["cluster_name"] == name
    assert ClusterProvider().check(first, dict(BASE)).inputs["cluster_name"] == name
    # Another resource, or the same one in another stack, gets another name.
    assert ClusterProvider().check({}, {**BASE, NAME_SEED: "another"}).inputs["cluster_name"] != name
    # A replacing change gives the replacement a new name; an in-place one keeps it.
    replaced = ClusterProvider().check(first, {**BASE, "gpu_type": "H200_SXM"}).inputs["cluster_name"]
    assert replaced.startswith("train-") and replaced != name
    assert ClusterProvider().check(first, {**BASE, "num_gpus": 64}).inputs["cluster_name"] == name
    # A name given by an older version (random suffix) is kept while nothing replacing changes.
    old = {**first, "cluster_name": "train-ke3poy9"}
    assert ClusterProvider().check(old, dict(BASE)).inputs["cluster_name"] == "train-ke3poy9"


def test_without_credentials_the_preview_fails_on_the_settings(no_credentials: None) -> None:
    result = ClusterProvider().check({}, {**BASE, "num_gpus": 12})
    by_property = {f.property: f.reason for f in result.failures}
    assert "multiple of 8" in by_property["num_gpus"]  # what is wrong in the program is reported too
    assert "no Together API key" in by_property[""] and "together:apiKey" in by_property[""]


#: Both forms of "not known yet": what the dynamic host hands check and diff during preview (an
#: object), and the wire string.
UNKNOWNS = pytest.mark.parametrize("unknown", [AN_UNKNOWN, UNKNOWN], ids=["Unknown-object", "wire-string"])


@UNKNOWNS
def test_unknown_values_are_never_reported(api: InProcessEmulator, unknown: Any) -> None:
    assert failures({"num_gpus": unknown, "region": unknown, "volume_id": unknown}) == {}
    assert failures({"cluster_type": "SLURM", "slurm_shm_size_gib": unknown}) == {}
    assert failures({"cluster_config": unknown, "add_ons": [unknown]}) == {}
    assert failures({"cluster_config": {"load_balancer": unknown, "ingress": {"enabled": unknown}}}) == {}


@UNKNOWNS
def test_unknown_values_go_back_to_the_engine_as_unknowns(no_credentials: None, unknown: Any) -> None:
    inputs = ClusterProvider().check({}, {**BASE, "volume_id": unknown}).inputs
    assert inputs["volume_id"] == UNKNOWN  # the string the engine reads as "unknown"


def test_catalog_rules_are_skipped_without_credentials(no_credentials: None) -> None:
    assert failures({"region": "mars-1"}) == {}
    assert "num_gpus" in failures({"region": "mars-1", "num_gpus": 12})


def test_the_catalog_is_fetched_once_per_process(api: InProcessEmulator) -> None:
    for gpus in (8, 16, 24):
        failures({"num_gpus": gpus})
    counts = api.admin.requests_log()["counts"]
    assert counts.get("GET /v1/compute/regions") == 1


def test_volume_check_names_size_and_forbids_shrinking(no_credentials: None) -> None:
    provider = SharedVolumeProvider()
    ok = provider.check({}, {"region": "us-central-8", "size_tib": 4, AUTONAME_PREFIX: "data", NAME_SEED: "s"})
    assert [f.property for f in ok.failures] == [""]  # only the settings: no credentials here
    assert ok.inputs["volume_name"].startswith("data-")
    assert ok.inputs["is_lifecycle_independent"] is True
    shrink = provider.check(ok.inputs, {"region": "us-central-8", "size_tib": 2, AUTONAME_PREFIX: "data"})
    assert [(f.property, f.reason) for f in shrink.failures if f.property] == [
        (
            "size_tib",
            "size_tib cannot shrink from 4 to 2 TiB: Together volumes only grow. Keep size_tib >= 4, or make a new "
            "volume (a new resource, or a new volume_name; the old data is lost).",
        )
    ]
    zero = provider.check({}, {"region": "us-central-8", "size_tib": 0})
    assert [f.property for f in zero.failures if f.property] == ["size_tib"]
    missing = provider.check({}, {"size_tib": 1})
    assert [f.property for f in missing.failures if f.property] == ["region"]


@UNKNOWNS
def test_an_unknown_auto_scale_does_not_fail_its_bound(no_credentials: None, unknown: Any) -> None:
    assert failures({"auto_scale": unknown, "auto_scale_max_gpus": 32}) == {}


def checked(props: dict[str, Any]) -> dict[str, Any]:
    """What a check of ``BASE`` + ``props`` records as the inputs (the ``olds`` of the next check)."""
    return dict(ClusterProvider().check({}, {**BASE, **props}).inputs)


def update_failures(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, str]:
    """Failures by property of a check of ``news`` over the recorded inputs of ``olds``."""
    result = ClusterProvider().check(checked(olds), {**BASE, **news})
    return {f.property: f.reason for f in result.failures if f.property}


RESERVED = {"billing_type": "RESERVED", "duration_days": 7}
SETTINGS = {"add_ons": [{"add_on_type": "dashboard", "name": "dash"}], "cluster_config": {"load_balancer": "NGINX"}}


@pytest.mark.parametrize("name", ["cluster_config", "reservation_end_time"])
def test_removing_a_setting_the_api_cannot_unset_is_a_check_failure(no_credentials: None, name: str) -> None:
    kept = {"reservation_end_time": "2099-01-01T00:00:00Z", **SETTINGS}
    found = update_failures({**RESERVED, name: kept[name]}, RESERVED)
    assert name in found and "was removed from the program, but" in found[name]
    # A replacement is a new cluster, made without the setting.
    assert name not in update_failures({**RESERVED, name: kept[name]}, {**RESERVED, "gpu_type": "H200_SXM"})


def test_removing_add_ons_is_no_check_failure(no_credentials: None) -> None:
    """The update switches removed add-ons off (see test_adoption_and_add_ons)."""
    assert "add_ons" not in update_failures({**RESERVED, "add_ons": SETTINGS["add_ons"]}, RESERVED)
    assert "add_ons" not in update_failures({**RESERVED, "add_ons": SETTINGS["add_ons"]}, {**RESERVED, "add_ons": []})


def test_an_add_on_cannot_be_added_in_place_but_a_replacement_takes_it(no_credentials: None) -> None:
    added = update_failures({}, {"add_ons": SETTINGS["add_ons"]})
    assert "add_ons dash cannot be added to an existing cluster" in added["add_ons"]
    assert "declare them on a new cluster" in added["add_ons"]
    assert update_failures({}, {"add_ons": SETTINGS["add_ons"], "gpu_type": "H200_SXM"}) == {}
    # Whether an unknown gpu_type replaces the cluster is not known yet: nothing is reported.
    assert update_failures({}, {"add_ons": SETTINGS["add_ons"], "gpu_type": UNKNOWN}) == {}
    # What is wrong either way still is.
    assert "num_gpus" in update_failures({}, {"num_gpus": 12, "gpu_type": UNKNOWN})


#: Requests the public sources allow, each with the source; the provider must pass them to the service.
SOURCED_FREEDOMS = [
    # SDK ClusterCreateParams.project_id: optional, "the project from the request context is used".
    ({"num_preemptible_gpus": 8}, "preemptible GPUs without project_id"),
    # No SDK type restricts preemptible GPUs by cluster type (the preemptible guide's preview note is the service's).
    ({"cluster_type": "SLURM", "slurm_shm_size_gib": 64, "num_preemptible_gpus": 8}, "preemptible GPUs on Slurm"),
    # SDK OidcConfig.username_claim: a str, "For example, 'sub' or 'email'".
    ({"oidc_config": {**OIDC, "username_claim": "upn"}}, "username_claim upn"),
    ({"oidc_config": {**OIDC, "username_claim": "oid"}}, "username_claim oid"),
    # SDK ClusterCreateParams.duration_days: optional.
    ({"billing_type": "RESERVED"}, "RESERVED without duration_days"),
    # SDK ClusterCreateParams.cluster_name / SharedVolume.volume_name: free strings.
    ({"cluster_name": "My Cluster_1"}, "cluster_name that is no DNS label"),
    ({"shared_volume": {"size_tib": 1, "volume_name": "Team Data"}}, "inline volume_name that is no DNS label"),
    # SDK AddOn.add_on_type: a str; the Go and TypeScript SDKs list torchpass.
    ({"add_ons": [{"add_on_type": "torchpass", "name": "tp"}]}, "add-on torchpass"),
    # No source bounds reservation times by the clock.
    (
        {
            "billing_type": "SCHEDULED_CAPACITY",
            "reservation_start_time": "2020-01-01T00:00:00Z",
            "reservation_end_time": "2020-01-08T00:00:00Z",
        },
        "reservation times in the past",
    ),
    # SDK auto_scale_max_gpus: no rule ties it to auto_scale.
    ({"auto_scale_max_gpus": 32}, "auto_scale_max_gpus without auto_scale"),
]


@pytest.mark.parametrize(("props", "what"), SOURCED_FREEDOMS, ids=[c[1] for c in SOURCED_FREEDOMS])
def test_what_the_sources_allow_is_not_refused(no_credentials: None, props: dict[str, Any], what: str) -> None:
    assert failures(props) == {}


@pytest.mark.parametrize("name", ["my cluster", "x" * 64, "trän", "train_1", "Train", "-train", "train-"], ids=repr)
def test_volume_names_are_free_strings(no_credentials: None, name: str) -> None:
    volume = SharedVolumeProvider().check({}, {"region": "us-central-8", "size_tib": 1, "volume_name": name})
    assert [f.property for f in volume.failures if f.property] == []


def test_volume_check_reports_bad_types_on_the_property_instead_of_crashing(no_credentials: None) -> None:
    result = SharedVolumeProvider().check(
        {"size_tib": 4}, {"region": "us-central-8", "size_tib": "4TiB", "ready_timeout_seconds": "10m"}
    )
    assert {f.property for f in result.failures} == {"size_tib", "ready_timeout_seconds", ""}


def test_volume_region_is_checked_against_the_catalog(api: InProcessEmulator) -> None:
    result = SharedVolumeProvider().check({}, {"region": "mars-1", "size_tib": 1})
    assert [(f.property, f.reason[:36]) for f in result.failures] == [
        ("region", "region 'mars-1' does not exist; vali")
    ]


def test_adopting_takes_the_objects_own_name_and_checks_it_exists(api: InProcessEmulator) -> None:
    with api.client() as raw:
        cluster_id = raw.post(
            "/v1/compute/clusters",
            json={
                "cluster_name": "prod-train",
                "region": "us-central-8",
                "gpu_type": "H100_SXM",
                "num_gpus": 16,
                "billing_type": "ON_DEMAND",
                "nvidia_version_id": "nv-us-central-8-cu129-575-u2204",
            },
        ).json()["cluster_id"]
        volume_id = raw.post(
            "/v1/compute/clusters/storage/volumes",
            json={"volume_name": "prod-data", "size_tib": 2, "region": "us-central-8"},
        ).json()["volume_id"]
    adopted = ClusterProvider().check({}, {**BASE, "existing_cluster_id": cluster_id})
    assert adopted.failures == [] and adopted.inputs["cluster_name"] == "prod-train"
    volume = SharedVolumeProvider().check(
        {}, {"region": "us-central-8", "size_tib": 2, "existing_volume_id": volume_id}
    )
    assert volume.failures == [] and volume.inputs["volume_name"] == "prod-data"


def test_a_volume_id_that_does_not_exist_fails_the_check(api: InProcessEmulator) -> None:
    assert failures({"volume_id": "vol-nope"}) == {
        "volume_id": "volume_id vol-nope does not exist (or is not visible to this API key); create it first, "
        "e.g. as a together.SharedVolume whose volume_id you pass here"
    }
    with api.client() as raw:
        volume = raw.post(
            "/v1/compute/clusters/storage/volumes", json={"volume_name": "v", "size_tib": 1, "region": "us-central-8"}
        ).json()
    assert failures({"volume_id": volume["volume_id"]}) == {}
