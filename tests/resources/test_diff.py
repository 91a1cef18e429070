"""diff: explicit classification of every field, as reviewers read it in `pulumi preview`."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest

from together_pulumi.host.cluster.provider import ClusterProvider
from together_pulumi.host.cluster.readiness import ClusterReadinessProvider
from together_pulumi.host.errors import ProviderError
from together_pulumi.host.volume.provider import SharedVolumeProvider
from together_pulumi.model.cluster.fields import CLUSTER_FIELDS
from together_pulumi.model.fields import UNKNOWN, Field
from together_pulumi.model.private_inputs import AUTONAME_PREFIX
from together_pulumi.model.volume.fields import VOLUME_FIELDS

from .conftest import AN_UNKNOWN

# The contract, written independently of the field table it checks.
CLUSTER_IN_PLACE = {
    "num_gpus",
    "cluster_type",
    "num_reserved_gpus",
    "num_preemptible_gpus",
    "num_capacity_pool_gpus",
    "reservation_end_time",
    "add_ons",
    "cluster_config",
}
PROVIDER_SETTINGS = {"wait_for_ready", "ready_timeout_seconds", "delete_timeout_seconds"}

OLD_STATE: dict[str, Any] = {
    "__provider": "pickled-provider",
    "region": "us-central-8",
    "gpu_type": "H100_SXM",
    "num_gpus": 8.0,  # numbers come back from the engine as floats
    "cluster_type": "KUBERNETES",
    "billing_type": "ON_DEMAND",
    "cluster_name": "train-abc1234",
    "wait_for_ready": True,
    "ready_timeout_seconds": 3600.0,
    "delete_timeout_seconds": 1800.0,
    AUTONAME_PREFIX: "train",
    # outputs
    "cluster_id": "t-1",
    "status": "Ready",
    "nvidia_version_id": "nv-us-central-8-cu129-575-u2204",
    "cuda_version": "12.9",
    "nvidia_driver_version": "575",
    "project_id": "proj-emulator",
}
NEWS: dict[str, Any] = {k: v for k, v in OLD_STATE.items() if k not in ("cluster_id", "status")}
for _name in ("nvidia_version_id", "cuda_version", "nvidia_driver_version", "project_id"):
    del NEWS[_name]  # resolved or defaulted by the service, never set by the user

NEW_VALUES: dict[str, Any] = {
    "region": "us-central-4",
    "gpu_type": "H200_SXM",
    "num_gpus": 64,
    "cluster_type": "SLURM",
    "cluster_name": "renamed",
    "nvidia_version_id": "nv-other",
    "cuda_version": "12.8",
    "nvidia_driver_version": "570",
    "billing_type": "RESERVED",
    "duration_days": 7,
    "reservation_start_time": "2027-01-01T00:00:00Z",
    "reservation_end_time": "2027-02-01T00:00:00Z",
    "num_reserved_gpus": 8,
    "num_preemptible_gpus": 8,
    "capacity_pool_id": "cp-1",
    "num_capacity_pool_gpus": 8,
    "project_id": "proj-2",
    "volume_id": "vol-1",
    "shared_volume": {"size_tib": 2},
    "slurm_shm_size_gib": 64,
    "slurm_image": "custom:1",
    "install_traefik": True,
    "auto_scale": True,
    "auto_scale_max_gpus": 64,
    "oidc_config": {"issuer_url": "https://i", "client_id": "c"},
    "acceptance_tests_params": {"enabled": True},
    "add_ons": [{"add_on_type": "dashboard", "name": "dash"}],
    "cluster_config": {"load_balancer": "NGINX"},
    "existing_cluster_id": "t-other",
    "wait_for_ready": False,
    "ready_timeout_seconds": 60,
    "delete_timeout_seconds": 60,
}

CLUSTER_INPUTS = {f.name: f for f in CLUSTER_FIELDS if f.input}


def new_value(field: Field) -> Any:
    """A changed value of an input: from NEW_VALUES, else one of its type (a new scalar input needs no line)."""
    if field.name in NEW_VALUES:
        return NEW_VALUES[field.name]
    if isinstance(field.type, type) and issubclass(field.type, Enum):
        return list(field.type)[-1].value
    samples: dict[Any, Any] = {str: f"new-{field.name}", bool: True, int: 64}
    assert field.type in samples, f"give {field.name} a value in NEW_VALUES"
    return samples[field.type]


@pytest.mark.parametrize("name", CLUSTER_INPUTS)
def test_each_cluster_field_updates_or_replaces_as_documented(name: str) -> None:
    result = ClusterProvider().diff("t-1", OLD_STATE, {**NEWS, name: new_value(CLUSTER_INPUTS[name])})
    assert result.changes is True
    if name in CLUSTER_IN_PLACE or name in PROVIDER_SETTINGS:
        assert result.replaces == [], f"{name} should update in place"
    else:
        assert result.replaces == [name], f"{name} should replace"


def test_nothing_changed_is_no_change_and_provider_is_ignored() -> None:
    result = ClusterProvider().diff("t-1", OLD_STATE, {**NEWS, "__provider": "a-different-pickle"})
    assert result.changes is False
    assert result.replaces == []


def test_resolved_driver_and_server_defaults_are_not_drift() -> None:
    # The user never set the driver or project: their values in state must not cause a diff.
    assert "cuda_version" not in NEWS and "project_id" not in NEWS
    assert ClusterProvider().diff("t-1", OLD_STATE, NEWS).changes is False
    # Setting them to what was resolved is no change either.
    same = {**NEWS, "cuda_version": "12.9", "nvidia_driver_version": "575"}
    assert ClusterProvider().diff("t-1", OLD_STATE, same).changes is False


def test_scaling_8_to_64_is_an_update_and_a_gpu_type_change_a_replace() -> None:
    scale = ClusterProvider().diff("t-1", OLD_STATE, {**NEWS, "num_gpus": 64})
    assert (scale.changes, scale.replaces) == (True, [])
    # check gives the replacement a new auto-name (test_check), so the new cluster is made first.
    retype = ClusterProvider().diff("t-1", OLD_STATE, {**NEWS, "gpu_type": "H200_SXM", "cluster_name": "train-f00d123"})
    assert (retype.changes, set(retype.replaces or [])) == (True, {"gpu_type", "cluster_name"})
    assert retype.delete_before_replace is False  # create-before-delete: no downtime


def test_a_replacement_that_keeps_the_name_deletes_the_old_cluster_first() -> None:
    """Two clusters never share a name (an explicit one, or a replacement the user forces)."""
    same_name = ClusterProvider().diff("t-1", OLD_STATE, {**NEWS, "gpu_type": "H200_SXM"})
    assert same_name.replaces == ["gpu_type"]
    assert same_name.delete_before_replace is True


def test_unknown_inputs_are_reported_as_changes_of_their_kind() -> None:
    unknown_size = ClusterProvider().diff("t-1", OLD_STATE, {**NEWS, "num_gpus": UNKNOWN})
    assert (unknown_size.changes, unknown_size.replaces) == (True, [])
    unknown_volume = ClusterProvider().diff("t-1", OLD_STATE, {**NEWS, "volume_id": UNKNOWN})
    assert (unknown_volume.changes, unknown_volume.replaces) == (True, ["volume_id"])


def test_replacing_a_cluster_that_holds_a_volume_deletes_the_old_one_first() -> None:
    olds = {**OLD_STATE, "volume_id": "vol-1"}
    result = ClusterProvider().diff("t-1", olds, {**NEWS, "volume_id": "vol-1", "gpu_type": "H200_SXM"})
    assert result.replaces == ["gpu_type"]
    assert result.delete_before_replace is True


def test_adopting_the_cluster_already_managed_is_no_change() -> None:
    assert ClusterProvider().diff("t-1", OLD_STATE, {**NEWS, "existing_cluster_id": "t-1"}).changes is False


def test_readiness_waits_again_after_a_scale_or_type_change_and_follows_a_new_cluster() -> None:
    olds = {"cluster_id": "t-1", "cluster_type": "KUBERNETES", "num_gpus": 8.0, "status": "Ready", "kubeconfig": "x"}
    provider = ClusterReadinessProvider()
    same = {"cluster_id": "t-1", "cluster_type": "KUBERNETES", "num_gpus": 8}
    assert provider.diff("r", olds, same).changes is False
    for change in ({"num_gpus": 64}, {"cluster_type": "SLURM"}):
        again = provider.diff("r", olds, {**same, **change})
        assert (again.changes, again.replaces) == (True, [])
    # A replaced cluster (or one whose id is unknown during preview) is another wait, not a replacement;
    # the preview hands the unknown over as a pulumi.output.Unknown object.
    for cluster_id in ("t-2", UNKNOWN, AN_UNKNOWN):
        new_cluster = provider.diff("r", olds, {**same, "cluster_id": cluster_id})
        assert (new_cluster.changes, new_cluster.replaces) == (True, [])


VOLUME_OLD: dict[str, Any] = {
    "region": "us-central-8",
    "size_tib": 4.0,
    "volume_name": "data-x",
    "is_lifecycle_independent": True,
    "ready_timeout_seconds": 600.0,
    "delete_timeout_seconds": 1800.0,
    "volume_id": "vol-1",
    "status": "available",
}
VOLUME_NEW_VALUES: dict[str, Any] = {
    "region": "us-central-4",
    "size_tib": 8,
    "volume_name": "renamed",
    "is_lifecycle_independent": False,
    "project_id": "p",
    "existing_volume_id": "vol-2",
    "instance_cluster_id": "t-9",
    "ready_timeout_seconds": 10,
    "delete_timeout_seconds": 10,
}


@pytest.mark.parametrize("name", [f.name for f in VOLUME_FIELDS if f.input])
def test_each_volume_field_updates_or_replaces_as_documented(name: str) -> None:
    news = {k: v for k, v in VOLUME_OLD.items() if k not in ("volume_id", "status")}
    result = SharedVolumeProvider().diff("vol-1", VOLUME_OLD, {**news, name: VOLUME_NEW_VALUES[name]})
    assert result.changes is True
    # instance_cluster_id is a placement hint used at creation: a change is recorded, never a replacement.
    in_place = name in {"size_tib", "instance_cluster_id", "ready_timeout_seconds", "delete_timeout_seconds"}
    assert result.replaces == ([] if in_place else [name])


def test_removing_a_gpu_count_is_an_update_and_removing_a_replace_field_replaces() -> None:
    olds = {**OLD_STATE, "num_preemptible_gpus": 8.0, "project_id": "p", "slurm_image": "img:1", "volume_id": "v"}
    news = {**NEWS, "project_id": "p"}
    removed_count = ClusterProvider().diff("t-1", olds, {**news, "slurm_image": "img:1", "volume_id": "v"})
    assert (removed_count.changes, removed_count.replaces) == (True, [])
    removed_image = ClusterProvider().diff("t-1", olds, {**news, "num_preemptible_gpus": 8, "volume_id": "v"})
    assert removed_image.replaces == ["slurm_image"]
    removed_volume = ClusterProvider().diff("t-1", olds, {**news, "num_preemptible_gpus": 8, "slurm_image": "img:1"})
    assert removed_volume.replaces == ["volume_id"]


def test_leaving_out_a_computed_field_or_a_provider_setting_is_no_change() -> None:
    olds = {**OLD_STATE, "cuda_version": "12.9", "existing_cluster_id": "t-1"}
    assert ClusterProvider().diff("t-1", olds, NEWS).changes is False


def test_an_adopted_cluster_is_never_replaced_into_itself() -> None:
    olds = {**OLD_STATE, "existing_cluster_id": "t-1"}
    news = {**NEWS, "existing_cluster_id": "t-1"}
    assert ClusterProvider().diff("t-1", olds, news).changes is False
    with pytest.raises(ProviderError, match="would replace t-1, but existing_cluster_id still points at it"):
        ClusterProvider().diff("t-1", olds, {**news, "gpu_type": "H200_SXM"})
    # Without existing_cluster_id, Pulumi may create a new cluster and delete the adopted one.
    assert ClusterProvider().diff("t-1", olds, {**NEWS, "gpu_type": "H200_SXM"}).replaces == ["gpu_type"]


def test_the_inline_volumes_placement_hint_never_replaces_the_cluster() -> None:
    olds = {**OLD_STATE, "shared_volume": {"size_tib": 2.0, "instance_cluster_id": "t-near"}}
    news = {**NEWS, "shared_volume": {"size_tib": 2, "instance_cluster_id": "t-near"}}
    assert ClusterProvider().diff("t-1", olds, news).changes is False
    for hint in ("t-elsewhere", UNKNOWN, AN_UNKNOWN):
        moved = ClusterProvider().diff(
            "t-1", olds, {**news, "shared_volume": {"size_tib": 2, "instance_cluster_id": hint}}
        )
        assert (moved.changes, moved.replaces) == (True, []), hint
    # The rest of the inline volume still replaces.
    grown = ClusterProvider().diff(
        "t-1", olds, {**news, "shared_volume": {"size_tib": 4, "instance_cluster_id": "t-near"}}
    )
    assert grown.replaces == ["shared_volume"]
