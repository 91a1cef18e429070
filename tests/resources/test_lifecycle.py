"""create/update/read/delete of the providers against a running emulator, as the engine calls them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

import pytest

from emulator_admin import DEFAULT_API_KEY
from emulator_inprocess import InProcessEmulator
from emulator_process import EmulatorProcess, start_emulator
from together_pulumi.api import errors
from together_pulumi.api.client import TogetherClient
from together_pulumi.api.models import VolumeUpdateRequest
from together_pulumi.host import session
from together_pulumi.host.cluster.provider import ClusterProvider
from together_pulumi.host.cluster.readiness import ClusterReadinessProvider
from together_pulumi.host.errors import ProviderError
from together_pulumi.host.provider_base import SERVICE_CHOSEN
from together_pulumi.host.volume.provider import SharedVolumeProvider
from together_pulumi.host.volume.readiness import VolumeReadinessProvider
from together_pulumi.host.waiting import WaitTimeoutError
from together_pulumi.model.cluster.fields import READINESS_INPUTS
from together_pulumi.model.volume.fields import READINESS_INPUTS as VOLUME_READINESS_INPUTS

from .conftest import NAMED_TRAIN, VirtualClock, emulator_for_providers, outs, point_providers_at

CLUSTER = {"region": "us-central-8", "gpu_type": "H100_SXM", "num_gpus": 16, **NAMED_TRAIN}
VOLUME = {"region": "us-central-8", "size_tib": 2, **NAMED_TRAIN}


def checked(props: dict[str, Any], provider: Any = None) -> dict[str, Any]:
    result = (provider or ClusterProvider()).check({}, props)
    assert result.failures == []
    return dict(result.inputs)


def readiness_inputs(cluster_outs: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """What the GpuCluster component passes to its readiness part."""
    props = {k: cluster_outs.get(k) for k in READINESS_INPUTS}
    props.update(overrides)
    return dict(ClusterReadinessProvider().check({}, props).inputs)


def volume_readiness_inputs(volume_outs: dict[str, Any]) -> dict[str, Any]:
    return dict(VolumeReadinessProvider().check({}, {k: volume_outs.get(k) for k in VOLUME_READINESS_INPUTS}).inputs)


def test_create_returns_at_once_and_readiness_waits_with_progress(
    slow: InProcessEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    created = ClusterProvider().create(checked(CLUSTER))
    assert outs(created)["status"] == "WaitingForControlPlaneNodes"  # recorded before any waiting
    assert outs(created)["cluster_id"] == created.id
    assert outs(created)["nvidia_version_id"] == "nv-us-central-8-cu129-575-u2204"  # newest catalog entry
    assert (outs(created)["cuda_version"], outs(created)["nvidia_driver_version"]) == ("12.9", "575")

    ready = ClusterReadinessProvider().create(readiness_inputs(outs(created)))

    assert outs(ready)["status"] == "Ready"
    assert outs(ready)["num_nodes"] == 2
    assert outs(ready)["kubeconfig"].startswith("apiVersion: v1")
    assert len(outs(ready)["gpu_worker_nodes"]) == 2
    lines = capsys.readouterr().out.splitlines()
    statuses = [line for line in lines if created.id in line]
    assert any("WaitingForControlPlaneNodes" in line and "(+0s)" in line for line in statuses)
    assert any("Ready, 2 of 2 GPU nodes" in line for line in statuses)
    assert len(statuses) >= 4  # one line per status seen on the way


def test_a_timed_out_wait_keeps_the_cluster_and_the_next_up_resumes(slow: InProcessEmulator) -> None:
    created = ClusterProvider().create(checked({**CLUSTER, "ready_timeout_seconds": 10}))
    with pytest.raises(WaitTimeoutError) as raised:
        ClusterReadinessProvider().create(readiness_inputs(outs(created)))
    message = str(raised.value)
    assert created.id in message
    assert "after 10s" in message
    assert "run `pulumi up` again to resume waiting" in message
    # The Cluster part's create succeeded, so the engine recorded the cluster; the next up only re-runs readiness.
    ready = ClusterReadinessProvider().create(readiness_inputs(outs(created), ready_timeout_seconds=600))
    assert outs(ready)["status"] == "Ready"
    assert len(slow.admin.state()["clusters"]) == 1
    assert slow.admin.requests_log()["counts"]["POST /v1/compute/clusters"] == 1


def test_a_burst_of_throttling_does_not_end_a_wait(slow: InProcessEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    created = ClusterProvider().create(checked(CLUSTER))
    # Every status poll is answered 429 for a while: the client's own retries give up, the wait does not.
    slow.admin.set_faults(rate_429=1.0, methods=["GET"], retry_after_seconds=5)
    clock = session.clock()
    assert isinstance(clock, VirtualClock)
    original_sleep = clock.sleep

    def sleep_then_recover(seconds: float) -> None:
        original_sleep(seconds)
        if clock.now > 200:
            slow.admin.set_faults(rate_429=0.0)

    clock.sleep = sleep_then_recover  # type: ignore[method-assign]
    ready = ClusterReadinessProvider().create(readiness_inputs(outs(created), ready_timeout_seconds=3600))
    assert outs(ready)["status"] == "Ready"
    assert "the API is not answering" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("OnDemandComputePaused", "ran out of credits"),
        ("Paused", "until it is resumed"),
        ("Degraded", "node remediation"),
        ("Deleting", "was deleted while waiting for Ready"),
    ],
)
def test_a_status_that_will_not_become_ready_stops_the_wait_at_once(
    api: InProcessEmulator, clock: VirtualClock, status: str, says: str
) -> None:
    created = ClusterProvider().create(checked(CLUSTER))
    api.admin.set_cluster_status(created.id, status)
    with pytest.raises(ProviderError, match=says) as raised:
        ClusterReadinessProvider().create(readiness_inputs(outs(created)))
    assert created.id in str(raised.value) and "pulumi up" in str(raised.value)
    assert sum(clock.slept) < 1, "it must stop at once, not wait for the timeout"


def test_every_cluster_status_is_handled_deliberately() -> None:
    from together.types.cluster import Cluster as SdkCluster

    from together_pulumi.api.enums import ClusterStatus
    from together_pulumi.host.cluster.readiness import STATUSES

    # The SDK's own list, so that a status missing from both our enum and the table is caught.
    sdk_statuses = set(get_args(SdkCluster.model_fields["status"].annotation))
    assert len(sdk_statuses) == 11
    assert set(STATUSES) == set(ClusterStatus) == sdk_statuses


def test_update_sends_only_changed_mutable_fields_then_waits_again(
    api: InProcessEmulator, sent_updates: list[dict[str, Any]]
) -> None:
    inputs = checked(CLUSTER)
    created = ClusterProvider().create(inputs)
    ClusterReadinessProvider().create(readiness_inputs(outs(created)))
    news = {**inputs, "num_gpus": 64, "ready_timeout_seconds": 1200}
    updated = ClusterProvider().update(created.id, outs(created), news)
    assert sent_updates == [{"num_gpus": 64}]
    assert outs(updated)["cluster_id"] == created.id
    assert outs(updated)["nvidia_version_id"] == outs(created)["nvidia_version_id"]  # resolved values are kept
    ready = ClusterReadinessProvider().update("r", {}, readiness_inputs(outs(updated)))
    assert (outs(ready)["status"], outs(ready)["num_nodes"]) == ("Ready", 8)

    # A provider setting alone changes state but calls nothing.
    again = ClusterProvider().update(created.id, outs(updated), {**news, "delete_timeout_seconds": 5})
    assert sent_updates == [{"num_gpus": 64}]
    assert outs(again)["delete_timeout_seconds"] == 5


def test_refresh_reports_out_of_band_scale_and_deletion(api: InProcessEmulator) -> None:
    inputs = checked(CLUSTER)
    created = ClusterProvider().create(inputs)
    api.admin.scale_cluster(created.id, 32)
    read = ClusterProvider().read(created.id, outs(created))
    assert outs(read)["num_gpus"] == 32
    assert read.inputs is not None and read.inputs["num_gpus"] == 32
    # ...so the next preview shows exactly the drift, as an update back to the declared size.
    drift = ClusterProvider().diff(created.id, outs(read), ClusterProvider().check(read.inputs, CLUSTER).inputs)
    assert (drift.changes, drift.replaces) == (True, [])

    api.admin.delete_cluster(created.id)
    gone = ClusterProvider().read(created.id, outs(created))
    assert gone.id == "" and outs(gone) == {}
    assert ClusterReadinessProvider().read("r", {"cluster_id": created.id}).id == ""


def test_values_the_service_chose_stay_put_after_a_refresh(api: InProcessEmulator) -> None:
    """The driver and project the service chose stay in the state's outputs, never in its inputs: a
    refresh without drift keeps the inputs as they were, and the next preview is no change."""
    inputs = checked(CLUSTER)
    created = ClusterProvider().create(inputs)
    chosen = ("project_id", "nvidia_version_id", "cuda_version", "nvidia_driver_version")
    read = ClusterProvider().read(created.id, outs(created))
    assert read.inputs is None
    assert all(outs(read)[name] for name in chosen)
    assert not set(chosen) & set(ClusterProvider().inputs_from_state(outs(read)))
    rechecked = ClusterProvider().check(inputs, CLUSTER).inputs
    assert rechecked["cluster_name"] == outs(read)["cluster_name"]
    assert ClusterProvider().diff(created.id, outs(read), rechecked).changes is False
    # Stating the value the service chose is no change either.
    stated = ClusterProvider().check(inputs, {**CLUSTER, **{n: outs(read)[n] for n in chosen}}).inputs
    assert ClusterProvider().diff(created.id, outs(read), stated).changes is False


def test_the_state_keeps_the_services_values_apart_from_the_programs(api: InProcessEmulator) -> None:
    """An in-place switch to SLURM gets the service's shared memory: recorded as the service's (not an
    input), stating it is no change, a switch back drops it; a drifted refresh reports the program's
    settings only."""
    provider = ClusterProvider()
    inputs = checked(CLUSTER)
    created = provider.create(inputs)
    slurm = dict(provider.check(inputs, {**CLUSTER, "cluster_type": "SLURM"}).inputs)
    switched = outs(provider.update(created.id, outs(created), slurm))
    assert switched["slurm_shm_size_gib"] == 64 and "slurm_shm_size_gib" in switched[SERVICE_CHOSEN]
    assert "slurm_shm_size_gib" not in provider.inputs_from_state(switched)
    stated = dict(provider.check(slurm, {**CLUSTER, "cluster_type": "SLURM", "slurm_shm_size_gib": 64}).inputs)
    assert provider.diff(created.id, switched, stated).changes is False
    assert provider.diff(created.id, switched, {**stated, "slurm_shm_size_gib": 128}).replaces == ["slurm_shm_size_gib"]

    back = outs(provider.update(created.id, switched, inputs))
    assert "slurm_shm_size_gib" not in back and "slurm_shm_size_gib" not in back[SERVICE_CHOSEN]

    api.admin.scale_cluster(created.id, 32)
    read = provider.read(created.id, back)
    assert read.inputs == {**provider.inputs_from_state(back), "num_gpus": 32}
    assert not set(back[SERVICE_CHOSEN]) & set(read.inputs)


def test_autoscaler_moves_within_bounds_are_not_drift(api: InProcessEmulator) -> None:
    inputs = checked({**CLUSTER, "auto_scale": True, "auto_scale_max_gpus": 64})
    created = ClusterProvider().create(inputs)
    api.admin.scale_cluster(created.id, 48)
    assert outs(ClusterProvider().read(created.id, outs(created)))["num_gpus"] == 16
    api.admin.scale_cluster(created.id, 80)  # beyond the bound: that is drift
    assert outs(ClusterProvider().read(created.id, outs(created)))["num_gpus"] == 80


def test_delete_waits_until_gone_and_404_is_success(
    slow: InProcessEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    created = ClusterProvider().create(checked(CLUSTER))
    ClusterProvider().delete(created.id, outs(created))
    assert slow.admin.state()["clusters"] == []
    out = capsys.readouterr().out
    assert "deletion requested" in out and "deleted" in out
    ClusterProvider().delete(created.id, outs(created))  # already gone: fine


def test_volume_delete_waits_for_the_cluster_being_deleted_to_release_it(slow: InProcessEmulator) -> None:
    volume = SharedVolumeProvider()
    vol = volume.create(checked(VOLUME, volume))
    cluster = ClusterProvider().create(checked({**CLUSTER, "volume_id": vol.id}))
    session.client().delete_cluster(cluster.id)  # the cluster is Deleting and still holds the volume
    volume.delete(vol.id, outs(vol))
    assert slow.admin.state()["volumes"] == []


def test_volume_delete_refuses_clearly_while_a_live_cluster_holds_it(api: InProcessEmulator) -> None:
    volume = SharedVolumeProvider()
    vol = volume.create(checked(VOLUME, volume))
    cluster = ClusterProvider().create(checked({**CLUSTER, "volume_id": vol.id}))
    with pytest.raises(ProviderError, match=f"attached to cluster {cluster.id} \\(status Ready\\)"):
        volume.delete(vol.id, outs(vol))


def test_volume_create_returns_at_once_and_readiness_waits_then_resize_grows(slow: InProcessEmulator) -> None:
    volume = SharedVolumeProvider()
    inputs = checked({**VOLUME, "_autoname_prefix": "data"}, volume)
    created = volume.create(inputs)
    assert outs(created)["status"] == "provisioning"  # recorded before any waiting
    assert outs(created)["volume_name"].startswith("data-")
    ready = VolumeReadinessProvider().create(volume_readiness_inputs(outs(created)))
    assert outs(ready)["status"] == "available"

    grown = volume.update(created.id, outs(created), {**inputs, "size_tib": 6})
    assert outs(grown)["size_tib"] == 6
    again = VolumeReadinessProvider().update("r", outs(ready), volume_readiness_inputs(outs(grown)))
    assert outs(again)["status"] == "available" and outs(again)["size_tib"] == 6
    refreshed = volume.read(created.id, outs(grown))
    assert outs(refreshed)["size_tib"] == 6 and refreshed.inputs is None  # no drift: the inputs stay
    session.client().update_volume(VolumeUpdateRequest(volume_id=created.id, size_tib=8))  # outside Pulumi
    drifted = volume.read(created.id, outs(grown))
    assert outs(drifted)["size_tib"] == 8 and drifted.inputs is not None and drifted.inputs["size_tib"] == 8


def test_a_volume_wait_that_fails_leaves_the_volume_recorded(slow: InProcessEmulator) -> None:
    """An outage while a volume provisions: the create already returned (the engine recorded it), the
    wait fails, and the next up's wait finds the same volume."""
    volume = SharedVolumeProvider()
    created = volume.create(checked({**VOLUME, "ready_timeout_seconds": 5}, volume))
    slow.admin.set_faults(rate_503=1.0, retry_after_seconds=1)
    with pytest.raises(WaitTimeoutError, match="run `pulumi up` again to resume waiting"):
        VolumeReadinessProvider().create(volume_readiness_inputs(outs(created)))
    slow.admin.set_faults(rate_503=0.0)
    ready = VolumeReadinessProvider().create(volume_readiness_inputs({**outs(created), "ready_timeout_seconds": 600}))
    assert outs(ready)["status"] == "available"
    assert len(slow.admin.state()["volumes"]) == 1


def test_adopting_existing_objects(api: InProcessEmulator) -> None:
    original = ClusterProvider().create(checked(CLUSTER))
    adopted = ClusterProvider().create(checked({**CLUSTER, "existing_cluster_id": original.id, "num_gpus": 24}))
    assert adopted.id == original.id
    assert api.admin.state()["clusters"][0]["num_gpus"] == 24  # converged to the declared size
    assert len(api.admin.state()["clusters"]) == 1
    # The mismatch fails the preview already, and again at create (the object may change in between).
    other = {**CLUSTER, "gpu_type": "H200_SXM", "existing_cluster_id": original.id}
    failures = ClusterProvider().check({}, other).failures
    assert [f.property for f in failures] == ["existing_cluster_id"]
    assert "cannot be adopted: its gpu_type is H100_SXM, declared H200_SXM" in failures[0].reason
    with pytest.raises(ProviderError, match="gpu_type is H100_SXM, declared H200_SXM"):
        ClusterProvider().create(dict(ClusterProvider().check({}, other).inputs))
    missing = ClusterProvider().check({}, {**CLUSTER, "existing_cluster_id": "t-missing"})
    assert [(f.property, f.reason) for f in missing.failures] == [
        ("existing_cluster_id", "existing_cluster_id t-missing does not exist (or is not visible to this API key)")
    ]

    volume = SharedVolumeProvider()
    vol = volume.create(checked(VOLUME, volume))
    taken = volume.create(checked({**VOLUME, "size_tib": 4, "existing_volume_id": vol.id}, volume))
    assert taken.id == vol.id
    smaller = {**VOLUME, "size_tib": 1, "existing_volume_id": vol.id}
    assert "volumes cannot shrink" in volume.check({}, smaller).failures[0].reason
    with pytest.raises(ProviderError, match="volumes cannot shrink"):
        volume.create(dict(volume.check({}, smaller).inputs))


def test_wait_for_ready_false_returns_as_soon_as_accepted(slow: InProcessEmulator) -> None:
    created = ClusterProvider().create(checked({**CLUSTER, "wait_for_ready": False}))
    ready = ClusterReadinessProvider().create(readiness_inputs(outs(created)))
    assert outs(ready)["status"] == "WaitingForControlPlaneNodes"


def test_scheduled_capacity_does_not_wait_for_its_start(slow: InProcessEmulator) -> None:
    props = {
        **CLUSTER,
        "billing_type": "SCHEDULED_CAPACITY",
        "reservation_start_time": "2099-01-01T00:00:00Z",
        "reservation_end_time": "2099-01-08T00:00:00Z",
    }
    created = ClusterProvider().create(checked(props))
    ready = ClusterReadinessProvider().create(readiness_inputs(outs(created)))
    assert outs(ready)["status"] != "Ready"


def test_without_credentials_check_says_what_to_set(no_credentials: None) -> None:
    failures = ClusterProvider().check({}, CLUSTER).failures
    assert len(failures) == 1 and failures[0].property == ""
    assert "together:apiKey" in failures[0].reason and "TOGETHER_API_KEY" in failures[0].reason
    with pytest.raises(errors.ConfigurationError, match="together:apiKey"):
        ClusterProvider().create({**CLUSTER, "cluster_name": "train-x", "billing_type": "ON_DEMAND"})


def test_stack_config_credentials_win_over_the_environment(
    api: InProcessEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOGETHER_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    session.configure_from_stack({"together:apiKey": DEFAULT_API_KEY, "together:baseUrl": api.base_url})
    try:
        created = ClusterProvider().create(checked(CLUSTER))
        assert api.admin.state()["clusters"][0]["cluster_id"] == created.id
    finally:
        session.configure_from_stack({})


def test_an_adopted_cluster_shows_no_change_on_the_next_preview(api: InProcessEmulator) -> None:
    original = ClusterProvider().create(checked({**CLUSTER, "_autoname_prefix": "someone-else"}))
    program = {**CLUSTER, "existing_cluster_id": original.id}
    adopted = ClusterProvider().create(checked(program))
    again = ClusterProvider().check(checked(program), program).inputs
    assert ClusterProvider().diff(adopted.id, outs(adopted), again).changes is False
    # Dropping existing_cluster_id afterwards keeps managing the same cluster, unchanged.
    later = {k: v for k, v in program.items() if k != "existing_cluster_id"}
    assert (
        ClusterProvider().diff(adopted.id, outs(adopted), ClusterProvider().check(again, later).inputs).changes is False
    )


def test_removing_preemptible_gpus_sends_zero(api: InProcessEmulator, sent_updates: list[dict[str, Any]]) -> None:
    inputs = checked({**CLUSTER, "num_preemptible_gpus": 8, "project_id": "proj-emulator"})
    created = ClusterProvider().create(inputs)
    news = {k: v for k, v in inputs.items() if k != "num_preemptible_gpus"}
    updated = ClusterProvider().update(created.id, outs(created), news)
    assert sent_updates == [{"num_preemptible_gpus": 0}]
    assert outs(updated)["num_preemptible_gpus"] == 0


def test_a_wait_for_a_size_the_cluster_never_reaches_says_so(api: InProcessEmulator) -> None:
    created = ClusterProvider().create(checked(CLUSTER))
    with pytest.raises(WaitTimeoutError, match="is still Ready with 16 of 24 GPUs after"):
        ClusterReadinessProvider().create(readiness_inputs(outs(created), num_gpus=24, ready_timeout_seconds=60))


@pytest.fixture
def api_over_a_socket(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorProcess]:
    """An emulator process: a connection cut mid-answer needs a real socket."""
    with start_emulator() as emu:
        point_providers_at(emu, monkeypatch)
        yield emu


def test_an_uncertain_create_says_the_cluster_may_exist_and_the_next_up_takes_it_over(
    api_over_a_socket: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = api_over_a_socket
    # The create lands and its answer is cut; then the API stops answering, so the look-up for it fails.
    api.admin.set_faults(drop_rate=1.0, after_commit_ratio=1.0, methods=["POST"], path_prefix="/v1/compute/clusters")
    original = TogetherClient.list_clusters

    def unreachable_after_the_post(self: TogetherClient, *args: Any, **kwargs: Any) -> Any:
        if api.admin.requests_log()["counts"].get("POST /v1/compute/clusters"):
            api.admin.set_faults(methods=["POST", "GET"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TogetherClient, "list_clusters", unreachable_after_the_post)
    inputs = checked(CLUSTER)
    with pytest.raises(ProviderError) as raised:
        ClusterProvider().create(inputs)
    message = str(raised.value)
    name = inputs["cluster_name"]
    assert message.startswith(f"GpuCluster {name}: the create of cluster '{name}' failed ambiguously")
    assert "and looking it up failed too" in message and "so it was not sent again" in message
    assert f"Run `pulumi up` again: it looks for cluster '{name}' first and takes it over" in message
    assert "existing_cluster_id=<its id>" in message
    (landed,) = api.admin.state()["clusters"]

    monkeypatch.setattr(TogetherClient, "list_clusters", original)
    api.admin.set_faults(drop_rate=0.0)
    again = ClusterProvider().create(inputs)  # the next `pulumi up`
    assert again.id == landed["cluster_id"]
    assert [c["cluster_id"] for c in api.admin.state()["clusters"]] == [landed["cluster_id"]]
    assert api.admin.requests_log()["counts"]["POST /v1/compute/clusters"] == 1


@pytest.fixture
def slow_volume_deletes(monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessEmulator]:
    """An emulator whose volumes show ``deleting`` for 30 virtual seconds after a DELETE."""
    with emulator_for_providers(monkeypatch, volume_deletion_seconds=30) as emu:
        yield emu


def test_volume_delete_waits_through_deleting(
    slow_volume_deletes: InProcessEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    volume = SharedVolumeProvider()
    vol = volume.create(checked(VOLUME, volume))
    volume.delete(vol.id, outs(vol))
    assert f"{vol.id}" not in {v["volume_id"] for v in slow_volume_deletes.admin.state()["volumes"]}
    assert ": deleting (+" in capsys.readouterr().out  # it was seen deleting and waited for


def test_volume_delete_stops_when_the_service_reports_the_deletion_failed(
    slow_volume_deletes: InProcessEmulator,
) -> None:
    volume = SharedVolumeProvider()
    vol = volume.create(checked(VOLUME, volume))
    slow_volume_deletes.admin.force_volume_status(vol.id, "failed")
    with pytest.raises(ProviderError, match="deletion failed \\(status failed\\); it stays in the stack state"):
        volume.delete(vol.id, outs(vol))
    assert session.clock().monotonic() < 60  # at once, not after the deletion timeout


@pytest.mark.parametrize("status", ["failed", "access_revoked", "deleting"])
def test_volume_readiness_stops_on_a_status_that_cannot_become_usable(api: InProcessEmulator, status: str) -> None:
    volume = SharedVolumeProvider()
    created = volume.create(checked(VOLUME, volume))
    api.admin.force_volume_status(created.id, status)
    with pytest.raises(ProviderError, match=f"is {status}: it will not become usable by itself"):
        VolumeReadinessProvider().create(volume_readiness_inputs(outs(created)))


@pytest.mark.parametrize("status", ["scheduled", "provisioning", "unknown"])
def test_volume_readiness_waits_through_a_status_that_may_pass(api: InProcessEmulator, status: str) -> None:
    volume = SharedVolumeProvider()
    created = volume.create(checked({**VOLUME, "ready_timeout_seconds": 5}, volume))
    api.admin.force_volume_status(created.id, status)
    with pytest.raises(WaitTimeoutError, match=f"is still {status} after"):
        VolumeReadinessProvider().create(volume_readiness_inputs(outs(created)))
