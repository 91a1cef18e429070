"""Projects and settings at preview: the default project, projects the key cannot use, the identity
preflight, and where a volume is placed (instance_cluster_id)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator_inprocess import InProcessEmulator
from together_pulumi.api import errors
from together_pulumi.api.client import TogetherClient
from together_pulumi.host import session
from together_pulumi.host.cluster.provider import ClusterProvider
from together_pulumi.host.errors import ProviderError
from together_pulumi.host.volume.provider import SharedVolumeProvider
from together_pulumi.model.credentials import PROJECT_ID_CONFIG
from together_pulumi.model.private_inputs import AUTONAME_PREFIX

from .conftest import NAMED_TRAIN, emulator_for_providers, result_outs
from .test_lifecycle import CLUSTER, VOLUME

VALID = "its projects: proj-a, proj-b"


@pytest.fixture
def two_projects(api: InProcessEmulator) -> InProcessEmulator:
    """The key can use proj-a (its own) and proj-b."""
    api.admin.set_projects("proj-a", "proj-b")
    return api


def failures(provider: Any, props: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, str]:
    return {f.property: f.reason for f in provider.check(olds or {}, props).failures}


def checked(provider: Any, props: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, Any]:
    result = provider.check(olds or {}, props)
    assert result.failures == []
    return dict(result.inputs)


def project_of(emu: InProcessEmulator, kind: str, object_id: str) -> str:
    key = "cluster_id" if kind == "clusters" else "volume_id"
    found = next(o for o in emu.admin.state()[kind] if o[key] == object_id)
    return str(found["project_id"])


# --- the default project ---------------------------------------------------------------------------


def test_new_clusters_volumes_and_inline_volumes_go_to_the_default_project(two_projects: InProcessEmulator) -> None:
    session.configure_from_stack({PROJECT_ID_CONFIG: "proj-b"})
    inputs = checked(ClusterProvider(), {**CLUSTER, "shared_volume": {"size_tib": 1}})
    assert inputs["project_id"] == "proj-b"
    created = ClusterProvider().create(inputs)
    assert project_of(two_projects, "clusters", created.id) == "proj-b"
    inline = next(v for v in two_projects.admin.state()["volumes"] if v["volume_name"].endswith("-storage"))
    assert inline["project_id"] == "proj-b"  # an inline volume goes with its cluster

    volume = SharedVolumeProvider()
    made = volume.create(checked(volume, VOLUME))
    assert project_of(two_projects, "volumes", made.id) == "proj-b"
    # The resource's own project_id wins over the default.
    assert checked(volume, {**VOLUME, "project_id": "proj-a"})["project_id"] == "proj-a"


def test_the_stack_config_wins_over_the_environment(
    two_projects: InProcessEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOGETHER_PROJECT_ID", "proj-a")
    assert checked(ClusterProvider(), CLUSTER)["project_id"] == "proj-a"
    session.configure_from_stack({PROJECT_ID_CONFIG: "proj-b"})
    assert checked(ClusterProvider(), CLUSTER)["project_id"] == "proj-b"


@pytest.mark.parametrize("kind", ["cluster", "volume"])
def test_switching_the_default_never_moves_an_existing_object(
    two_projects: InProcessEmulator, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    provider: Any = ClusterProvider() if kind == "cluster" else SharedVolumeProvider()
    declared = CLUSTER if kind == "cluster" else VOLUME
    session.configure_from_stack({PROJECT_ID_CONFIG: "proj-a"})
    old_inputs = checked(provider, declared)
    created = provider.create(old_inputs)
    # Engine-like old inputs: what the user declared plus what check added (here the default project).
    session.configure_from_stack({PROJECT_ID_CONFIG: "proj-b"})
    session.forget()

    for olds in (old_inputs, {k: v for k, v in old_inputs.items() if k != "project_id"}):
        inputs = checked(provider, declared, olds)
        result = provider.diff(created.id, result_outs(created), inputs)
        assert (result.changes, result.replaces) == (False, []), olds
    note = capsys.readouterr().out
    assert "stays in project proj-a" in note and "together:projectId" in note and "proj-b" in note

    if kind == "cluster":
        # A replacement is a new cluster: it goes to the default project, and the preview shows it.
        inputs = checked(provider, {**declared, "gpu_type": "H200_SXM"}, old_inputs)
        assert inputs["project_id"] == "proj-b"
        assert "project_id" in provider.diff(created.id, result_outs(created), inputs).replaces


# --- projects the key cannot use -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "props", "path"),
    [
        (ClusterProvider(), {**CLUSTER, "project_id": "nope"}, "project_id"),
        (
            ClusterProvider(),
            {**CLUSTER, "shared_volume": {"size_tib": 1, "project_id": "nope"}},
            "shared_volume.project_id",
        ),
        (SharedVolumeProvider(), {**VOLUME, "project_id": "nope"}, "project_id"),
    ],
    ids=["cluster", "inline-volume", "volume"],
)
def test_a_project_the_key_cannot_use_fails_check_naming_the_valid_ones(
    two_projects: InProcessEmulator, provider: Any, props: dict[str, Any], path: str
) -> None:
    found = failures(provider, props)
    assert found == {path: f"{path} 'nope' is not a project this API key can use; {VALID}"}
    assert two_projects.admin.state()["clusters"] == []


def test_a_default_project_the_key_cannot_use_fails_every_check(two_projects: InProcessEmulator) -> None:
    session.configure_from_stack({PROJECT_ID_CONFIG: "proj-zzz"})
    for provider, props in ((ClusterProvider(), CLUSTER), (SharedVolumeProvider(), VOLUME)):
        (reason,) = failures(provider, props).values()
        assert "together:projectId / TOGETHER_PROJECT_ID: 'proj-zzz' is not a project this API key can use" in reason
        assert VALID in reason


def test_projects_are_listed_once_per_process(two_projects: InProcessEmulator) -> None:
    for _ in range(3):
        checked(ClusterProvider(), {**CLUSTER, "project_id": "proj-b"})
    counts = two_projects.admin.requests_log()["counts"]
    assert counts.get("GET /v1/projects") == 1, counts


def test_a_key_that_may_not_list_projects_skips_the_check(
    two_projects: InProcessEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(self: TogetherClient) -> Any:
        raise errors.PermissionDeniedError("no", status_code=403, method="GET", path="/v1/projects")

    monkeypatch.setattr(TogetherClient, "list_projects", forbidden)
    assert checked(ClusterProvider(), {**CLUSTER, "project_id": "nope"})["project_id"] == "nope"


# --- the identity preflight ------------------------------------------------------------------------


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessEmulator]:
    with emulator_for_providers(monkeypatch, api_key="the-right-key") as emu:
        yield emu


def test_an_invalid_key_is_reported_from_the_identity_call(
    keyed: InProcessEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "a-wrong-key")
    for _ in range(2):
        (reason,) = failures(ClusterProvider(), CLUSTER).values()
        assert reason.startswith(f"GpuCluster train: the API at {keyed.base_url}")
        assert "refused the key from together:apiKey / TOGETHER_API_KEY (401" in reason
        assert "a-wrong-key" not in reason
    counts = keyed.admin.requests_log()["counts"]
    assert counts == {"GET /v3/whoami": 1}, counts  # asked first, once per process, nothing else tried

    monkeypatch.setenv("TOGETHER_API_KEY", "the-right-key")
    assert failures(ClusterProvider(), CLUSTER) == {}
    identity = session.identity()
    assert identity is not None and identity.project is not None and identity.project.id == "proj-emulator"


def test_without_a_key_nothing_is_asked(no_credentials: None) -> None:
    (reason,) = failures(ClusterProvider(), CLUSTER).values()
    assert "no Together API key" in reason and "together:apiKey" in reason
    assert session.identity() is None and session.projects() is None


# --- where a volume is placed ----------------------------------------------------------------------


def test_a_volume_is_placed_next_to_a_cluster_of_its_region(api: InProcessEmulator) -> None:
    cluster = ClusterProvider().create(checked(ClusterProvider(), CLUSTER))
    volume = SharedVolumeProvider()
    made = volume.create(checked(volume, {**VOLUME, "instance_cluster_id": cluster.id}))
    stored = next(v for v in api.admin.state()["volumes"] if v["volume_id"] == made.id)
    assert stored["instance_cluster_id"] == cluster.id
    assert result_outs(made)["instance_cluster_id"] == cluster.id

    inline = ClusterProvider().create(
        checked(
            ClusterProvider(),
            {
                **CLUSTER,
                **NAMED_TRAIN,
                AUTONAME_PREFIX: "other",
                "shared_volume": {"size_tib": 1, "instance_cluster_id": cluster.id},
            },
        )
    )
    stored = next(v for v in api.admin.state()["volumes"] if v["volume_id"] != made.id)
    assert (stored["instance_cluster_id"], result_outs(inline)["shared_volume"]["instance_cluster_id"]) == (
        cluster.id,
        cluster.id,
    )


def test_a_placement_next_to_a_missing_or_distant_cluster_fails_check(api: InProcessEmulator) -> None:
    volume = SharedVolumeProvider()
    missing = failures(volume, {**VOLUME, "instance_cluster_id": "t-missing"})
    assert list(missing) == ["instance_cluster_id"]
    assert "t-missing is not an existing cluster" in missing["instance_cluster_id"]

    distant = ClusterProvider().create(
        checked(ClusterProvider(), {**CLUSTER, "region": "us-west-2", "gpu_type": "B200_SXM"})
    )
    elsewhere = failures(volume, {**VOLUME, "instance_cluster_id": distant.id})
    assert "is in us-west-2, but the volume is in us-central-8" in elsewhere["instance_cluster_id"]
    inline = failures(
        ClusterProvider(), {**CLUSTER, "shared_volume": {"size_tib": 1, "instance_cluster_id": "t-missing"}}
    )
    assert "t-missing is not an existing cluster" in inline["shared_volume.instance_cluster_id"]


def test_a_hint_left_over_from_a_deleted_cluster_never_fails_a_preview(api: InProcessEmulator) -> None:
    cluster = ClusterProvider().create(checked(ClusterProvider(), CLUSTER))
    volume = SharedVolumeProvider()
    old_inputs = checked(volume, {**VOLUME, "instance_cluster_id": cluster.id})
    made = volume.create(old_inputs)
    api.admin.delete_cluster(cluster.id)

    inputs = checked(volume, {**VOLUME, "instance_cluster_id": cluster.id}, old_inputs)
    assert volume.diff(made.id, result_outs(made), inputs).changes is False
    # A new value is checked again.
    assert "instance_cluster_id" in failures(volume, {**VOLUME, "instance_cluster_id": "t-other"}, old_inputs)


def test_an_adopted_cluster_keeps_its_own_project(two_projects: InProcessEmulator) -> None:
    request = {**CLUSTER, "cluster_name": "console-made", "project_id": "proj-a"}
    existing = ClusterProvider().create(checked(ClusterProvider(), request)).id
    session.configure_from_stack({PROJECT_ID_CONFIG: "proj-b"})

    inputs = checked(ClusterProvider(), {**CLUSTER, "existing_cluster_id": existing})
    assert "project_id" not in inputs
    assert result_outs(ClusterProvider().create(inputs))["project_id"] == "proj-a"
    declared = ClusterProvider().check({}, {**CLUSTER, "existing_cluster_id": existing, "project_id": "proj-b"})
    assert "its project_id is proj-a, declared proj-b" in declared.failures[0].reason  # at preview
    with pytest.raises(ProviderError, match="project_id is proj-a, declared proj-b"):
        ClusterProvider().create(dict(declared.inputs))  # and again at create


def test_projects_that_cannot_be_listed_now_skip_the_check_until_they_can(two_projects: InProcessEmulator) -> None:
    two_projects.admin.set_faults(rate_503=1.0, path_prefix="/v1/projects")
    assert checked(ClusterProvider(), {**CLUSTER, "project_id": "nope"})["project_id"] == "nope"
    two_projects.admin.set_faults(rate_503=0.0)
    assert "project_id" in failures(ClusterProvider(), {**CLUSTER, "project_id": "nope"})
