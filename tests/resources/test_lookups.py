"""Lookups: clusters and volumes made outside the stack, found by id or name, typed, secrets kept secret."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import pulumi
import pytest
import yaml

import together_pulumi as together
from emulator_admin import DEFAULT_API_KEY
from emulator_inprocess import InProcessEmulator, in_process_emulator
from together_pulumi.api.models import ClusterCreateRequest, VolumeCreateRequest
from together_pulumi.host import session
from together_pulumi.model.credentials import PROJECT_ID_CONFIG

from .conftest import route_clients_to

ID_LIKE = "t-00000000-0000-4000-8000-000000000000"


def make_cluster(name: str, project: str | None = None, **extra: Any) -> str:
    """A cluster made outside any stack (as the console or the CLI would)."""
    request = {"cluster_name": name, "region": "us-central-8", "gpu_type": "H100_SXM", "num_gpus": 16,
               "billing_type": "ON_DEMAND", "nvidia_version_id": "nv-us-central-8-cu129-575-u2204",
               "project_id": project, **extra}  # fmt: skip
    return session.client().create_cluster(ClusterCreateRequest.model_validate(request)).cluster_id


def make_volume(name: str, project: str | None = None) -> str:
    request = VolumeCreateRequest(volume_name=name, size_tib=2, region="us-central-8", project_id=project)
    return session.client().create_volume(request).volume_id


@pytest.fixture
def projects(api: InProcessEmulator) -> InProcessEmulator:
    api.admin.set_projects("proj-a", "proj-b")
    return api


def checked_by(check: Awaitable[None]) -> pulumi.Output[None]:
    """An Output a ``@pulumi.runtime.test`` waits for, carrying assertions made in ``check``."""
    return pulumi.Output.from_input(check)


# --- get_cluster -----------------------------------------------------------------------------------


def test_a_cluster_found_by_id_or_name_reports_what_a_gpu_cluster_reports(projects: InProcessEmulator) -> None:
    cluster_id = make_cluster("console-made", "proj-b", cluster_type="SLURM", slurm_shm_size_gib=64)
    projects.admin.health_event(
        cluster_id,
        session.client().get_cluster(cluster_id).gpu_worker_nodes[0].instance_id or "",
        mode="REMEDIATION_MODE_REBOOT_VM",
    )

    by_id = together.get_cluster(cluster_id)
    by_name = together.get_cluster(cluster_name="console-made", project_id="proj-b")

    assert by_id.cluster_id == by_name.cluster_id == cluster_id
    assert (by_id.cluster_name, by_id.region, by_id.gpu_type, by_id.cluster_type) == (
        "console-made",
        "us-central-8",
        "H100_SXM",
        "SLURM",
    )
    assert (by_id.num_gpus, by_id.num_nodes, by_id.project_id, by_id.status) == (16, 2, "proj-b", "Ready")
    assert (by_id.cuda_version, by_id.nvidia_version_id) == ("12.9", "nv-us-central-8-cu129-575-u2204")
    first, second = by_id.gpu_worker_nodes
    assert isinstance(first, together.GpuWorkerNodeInfo) and isinstance(first.networks, tuple)
    assert first.latest_remediation == together.NodeRemediationInfo(
        id=first.latest_remediation.id if first.latest_remediation else None,
        mode="REMEDIATION_MODE_REBOOT_VM",
        state="PENDING_APPROVAL",
        trigger="REMEDIATION_TRIGGER_AUTOMATED",
    )
    assert second.latest_remediation is None
    assert by_id.slurm_worker_hostnames == (first.slurm_worker_hostname, second.slurm_worker_hostname)
    assert isinstance(by_id.control_plane_nodes[0], together.ControlPlaneNodeInfo)
    assert by_id.kubernetes_endpoint and cluster_id in by_id.kubernetes_endpoint
    assert by_id.kubernetes_ca_certificate
    # The kubeconfig is a secret Output, even from the plain form: printing the result shows no token.
    assert isinstance(by_id.kubeconfig, pulumi.Output)
    assert "kubeconfig" not in repr(by_id) and "token" not in repr(by_id)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_the_kubeconfig_is_secret_and_the_rest_is_not(program: None) -> pulumi.Output[None]:
    cluster_id = make_cluster("console-made")
    plain = together.get_cluster(cluster_id)
    found = together.get_cluster_output(cluster_name=pulumi.Output.from_input("console-made"))

    async def check() -> None:
        for kubeconfig in (plain.kubeconfig, found.kubeconfig):
            assert await kubeconfig.is_secret()
            text = await kubeconfig.future()
            assert text is not None and yaml.safe_load(text)["clusters"][0]["cluster"]["server"]
        assert not await found.cluster_id.is_secret()
        assert await found.cluster_id.future() == cluster_id
        assert await found.kubernetes_endpoint.future() == plain.kubernetes_endpoint

    return checked_by(check())


def test_the_default_project_is_where_a_name_is_looked_up(
    projects: InProcessEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_a, in_b = make_cluster("train", "proj-a"), make_cluster("train", "proj-b")
    with pytest.raises(together.FunctionError, match="2 clusters visible to this API key are named 'train'"):
        together.get_cluster(cluster_name="train")
    monkeypatch.setenv("TOGETHER_PROJECT_ID", "proj-b")
    assert together.get_cluster(cluster_name="train").cluster_id == in_b
    assert together.get_cluster(cluster_name="train", project_id="proj-a").cluster_id == in_a


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_the_stack_config_default_project_wins(projects: InProcessEmulator, program: None) -> pulumi.Output[None]:
    make_cluster("train", "proj-a")
    in_b = make_cluster("train", "proj-b")
    pulumi.runtime.set_config(PROJECT_ID_CONFIG, "proj-b")
    assert together.get_cluster(cluster_name="train").cluster_id == in_b
    return together.list_clusters_output().apply(lambda found: _only(found, in_b))


def _only(found: list[together.ClusterInfo], cluster_id: str) -> None:
    assert [c.cluster_id for c in found] == [cluster_id]


def test_not_found_names_what_exists(projects: InProcessEmulator) -> None:
    make_cluster("alpha", "proj-a")
    make_cluster("beta", "proj-a")
    make_cluster("gamma", "proj-b")

    with pytest.raises(together.FunctionError) as by_name:
        together.get_cluster(cluster_name="alhpa", project_id="proj-a")
    message = str(by_name.value)
    assert message.startswith("get_cluster: no cluster named 'alhpa' in project proj-a; clusters there: alpha (t-")
    assert "beta (t-" in message and "gamma" not in message

    with pytest.raises(together.FunctionError) as no_project:
        together.get_cluster(cluster_name="alpha", project_id="proj-zzz")
    assert "no cluster named 'alpha' in project proj-zzz; clusters there: none" in str(no_project.value)
    assert "proj-zzz is not a project this API key can use; its projects: proj-a, proj-b" in str(no_project.value)

    with pytest.raises(together.FunctionError) as by_id:
        together.get_cluster(ID_LIKE)
    assert f"no cluster {ID_LIKE} is visible to this API key; it sees alpha (t-" in str(by_id.value)


def test_several_clusters_of_one_name_are_refused_with_their_ids(api: InProcessEmulator) -> None:
    first, second = make_cluster("twin"), make_cluster("twin")
    with pytest.raises(together.FunctionError) as raised:
        together.get_cluster(cluster_name="twin")
    message = str(raised.value)
    assert "2 clusters visible to this API key are named 'twin'" in message
    assert first in message and second in message and "look it up by cluster_id instead" in message


def test_a_cluster_being_deleted_is_not_found_by_name(slow: InProcessEmulator) -> None:
    doomed = make_cluster("doomed")
    session.client().delete_cluster(doomed)
    with pytest.raises(together.FunctionError, match=r"no cluster named 'doomed' .*\(1 of that name being deleted\)"):
        together.get_cluster(cluster_name="doomed")
    assert together.list_clusters() == []
    assert together.get_cluster(doomed).status == "Deleting"  # by id it is what it is


@pytest.mark.parametrize("kwargs", [{}, {"cluster_id": "t-1", "cluster_name": "x"}])
def test_one_of_id_or_name(api: InProcessEmulator, kwargs: dict[str, Any]) -> None:
    with pytest.raises(together.FunctionError, match="get_cluster: give cluster_id or cluster_name"):
        together.get_cluster(**kwargs)


# --- credentials -----------------------------------------------------------------------------------


def test_credentials_from_arguments_and_clear_failures(no_credentials: None, emu: InProcessEmulator) -> None:
    with pytest.raises(together.FunctionError, match=r"list_clusters: no Together API key.*together:apiKey"):
        together.list_clusters()
    assert together.list_clusters(api_key=DEFAULT_API_KEY, base_url=emu.base_url) == []


def test_a_refused_key_is_reported_without_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    with in_process_emulator(api_key="right") as emu, pytest.raises(together.FunctionError) as raised:
        route_clients_to(emu, monkeypatch)
        together.get_shared_volume(volume_name="x", api_key="a-wrong-key", base_url=emu.base_url)
    assert "get_shared_volume:" in str(raised.value) and "401" in str(raised.value)
    assert "a-wrong-key" not in str(raised.value)


# --- shared volumes --------------------------------------------------------------------------------


def test_volumes_by_id_name_and_project(projects: InProcessEmulator) -> None:
    data = make_volume("data", "proj-b")
    make_volume("scratch", "proj-a")

    found = together.get_shared_volume(volume_name="data", project_id="proj-b")
    assert found == together.SharedVolumeInfo(data, "data", 2, "available")
    assert together.get_shared_volume(data) == found
    assert [v.volume_name for v in together.list_shared_volumes("proj-a")] == ["scratch"]
    assert {v.volume_name for v in together.list_shared_volumes()} == {"data", "scratch"}

    with pytest.raises(together.FunctionError) as raised:
        together.get_shared_volume(volume_name="data", project_id="proj-a")
    assert "no volume named 'data' in project proj-a; volumes there: scratch (vol-" in str(raised.value)
    make_volume("data", "proj-a")
    with pytest.raises(together.FunctionError, match="2 volumes visible to this API key are named 'data'"):
        together.get_shared_volume(volume_name="data")
    with pytest.raises(together.FunctionError, match="no volume vol-missing is visible to this API key; it sees"):
        together.get_shared_volume("vol-missing")


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_volume_lookups_as_outputs(program: None) -> pulumi.Output[None]:
    volume_id = make_volume("data")
    found = together.get_shared_volume_output(volume_name="data")
    listed = together.list_shared_volumes_output()

    async def check() -> None:
        assert await found.volume_id.future() == volume_id
        assert [v.volume_id for v in await listed.future() or []] == [volume_id]
        assert not await found.is_secret()

    return checked_by(check())
