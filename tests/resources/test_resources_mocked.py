"""The resource classes under Pulumi's mocks: both argument styles, typed outputs, secret kubeconfig."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import together_pulumi as together
from together_pulumi.program.inputs import ProgramError


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(args)
        outs = dict(args.inputs)
        if args.typ == "pulumi-python:dynamic/together:Cluster":
            outs.update(cluster_id="t-mock", cluster_name=outs.get("cluster_name") or "train-mock")
            return "t-mock", outs
        if args.typ == "pulumi-python:dynamic/together:ClusterReadiness":
            outs.update(status="Ready", kubeconfig="apiVersion: v1\nkind: Config\n", num_nodes=2)
            return "t-mock-ready", outs
        if args.typ == "pulumi-python:dynamic/together:SharedVolume":
            outs.update(volume_id="vol-mock", status="provisioning")
            return "vol-mock", outs
        if args.typ == "pulumi-python:dynamic/together:VolumeReadiness":
            outs.update(status="available")
            return "vol-mock-ready", outs
        return f"{args.name}-id", outs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> Mocks:
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project="test", stack="test", preview=False)
    return mocks


def resolved(output: pulumi.Output[Any]) -> Any:
    """The value of an Output once the mock engine has resolved it (run inside @pulumi.runtime.test)."""
    return output.apply(lambda v: v)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_keyword_style_builds_the_component_and_its_steps(mocks: Mocks) -> pulumi.Output[Any]:
    cluster = together.GpuCluster("train", region="us-central-8", gpu_type=together.GpuType.H100_SXM, num_gpus=16)

    def check(values: list[Any]) -> None:
        cluster_id, status, num_nodes, gpu_type = values
        assert (cluster_id, status, num_nodes, gpu_type) == ("t-mock", "Ready", 2, "H100_SXM")
        types = {r.typ for r in mocks.resources}
        assert {
            "together:index:GpuCluster",
            "pulumi-python:dynamic/together:Cluster",
            "pulumi-python:dynamic/together:ClusterReadiness",
        } <= types
        step = next(r for r in mocks.resources if r.typ == "pulumi-python:dynamic/together:Cluster")
        assert step.inputs["gpu_type"] == "H100_SXM"  # the enum travels as its value
        assert step.inputs["_autoname_prefix"] == "train"

    return pulumi.Output.all(cluster.cluster_id, cluster.status, cluster.num_nodes, cluster.gpu_type).apply(check)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_args_style_and_nested_args(mocks: Mocks) -> pulumi.Output[Any]:
    args = together.GpuClusterArgs(
        region="us-west-2",
        gpu_type="B200_SXM",
        num_gpus=16,
        cluster_type="SLURM",
        slurm_shm_size_gib=64,
        cluster_config=together.ClusterConfigArgs(
            load_balancer="NONE", slurm_startup_scripts=together.SlurmStartupScriptsArgs(worker_prolog="echo hi")
        ),
        add_ons=[together.AddOnArgs(add_on_type="dashboard", name="dash")],
    )
    cluster = together.GpuCluster("slurm", args, pulumi.ResourceOptions(protect=False))

    def check(_: Any) -> None:
        step = next(r for r in mocks.resources if r.typ == "pulumi-python:dynamic/together:Cluster")
        assert step.inputs["cluster_config"] == {
            "load_balancer": "NONE",
            "slurm_startup_scripts": {"worker_prolog": "echo hi"},
        }
        assert step.inputs["add_ons"] == [{"add_on_type": "dashboard", "name": "dash"}]

    return cluster.cluster_id.apply(check)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_kubeconfig_is_secret(mocks: Mocks) -> pulumi.Output[Any]:
    cluster = together.GpuCluster("train", region="us-central-8", gpu_type="H100_SXM", num_gpus=8)

    def check(secret: bool) -> None:
        assert secret is True

    return pulumi.Output.from_input(cluster.kubeconfig.is_secret()).apply(check)  # type: ignore[arg-type]


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_shared_volume_both_styles(mocks: Mocks) -> pulumi.Output[Any]:
    a = together.SharedVolume("a", region="us-central-8", size_tib=4)
    b = together.SharedVolume("b", together.SharedVolumeArgs(region="us-central-8", size_tib=2, volume_name="named"))

    def check(values: list[Any]) -> None:
        assert values == ["vol-mock", "available", "vol-mock"]
        named = next(r for r in mocks.resources if r.name == "b")
        assert named.inputs["volume_name"] == "named"
        # status is the readiness part's: the volume is usable, not merely accepted.
        ready = next(r for r in mocks.resources if r.name == "a-ready")
        assert ready.typ == "pulumi-python:dynamic/together:VolumeReadiness"

    return pulumi.Output.all(a.volume_id, a.status, b.volume_id).apply(check)


def test_mixing_args_and_keywords_or_unknown_keywords_is_a_clear_error(mocks: Mocks) -> None:
    with pytest.raises(ProgramError, match="gpus is not an argument of GpuClusterArgs; valid:"):
        together.GpuCluster("bad", region="us-central-8", gpu_type="H100_SXM", gpus=8)
    with pytest.raises(ProgramError, match="GpuCluster bad: region is required: Region to create the cluster in"):
        together.GpuCluster("bad", gpu_type="H100_SXM", num_gpus=8)
    with pytest.raises(ProgramError, match="either a GpuClusterArgs or keyword arguments"):
        together.GpuCluster(
            "bad", together.GpuClusterArgs(region="r", gpu_type="H100_SXM", num_gpus=8), region="us-central-8"
        )


def test_args_classes_match_the_field_tables() -> None:
    import dataclasses

    from together_pulumi.model.cluster.fields import CLUSTER_FIELDS
    from together_pulumi.model.volume.fields import VOLUME_FIELDS

    for args_class, table in ((together.GpuClusterArgs, CLUSTER_FIELDS), (together.SharedVolumeArgs, VOLUME_FIELDS)):
        fields = {f.name: f for f in dataclasses.fields(args_class)}
        inputs = {f.name: f for f in table if f.input}
        assert list(fields) == list(inputs), args_class.__name__
        for name, field in fields.items():
            no_default = field.default is dataclasses.MISSING
            assert no_default == inputs[name].required, f"{args_class.__name__}.{name}"


def test_a_name_declared_twice_stops_the_program_naming_both(mocks: Mocks) -> None:
    together.SharedVolume("data", region="us-central-8", size_tib=1, volume_name="datasets")
    with pytest.raises(ProgramError, match="GpuCluster train and SharedVolume data both declare the volume named"):
        together.GpuCluster(
            "train", region="us-central-8", gpu_type="H100_SXM", num_gpus=8,
            shared_volume=together.InlineSharedVolumeArgs(size_tib=1, volume_name="datasets"),
        )  # fmt: skip
    together.GpuCluster("a", region="us-central-8", gpu_type="H100_SXM", num_gpus=8, cluster_name="train")
    with pytest.raises(ProgramError, match="GpuCluster b and GpuCluster a both declare the cluster named 'train'"):
        together.GpuCluster("b", region="us-central-8", gpu_type="H100_SXM", num_gpus=8, cluster_name="train")


def test_a_declared_volume_of_another_region_stops_the_program(mocks: Mocks) -> None:
    data = together.SharedVolume("data", region="us-central-8", size_tib=1)
    with pytest.raises(ProgramError) as raised:
        together.GpuCluster("train", region="us-west-2", gpu_type="B200_SXM", num_gpus=8, volume_id=data.volume_id)
    assert str(raised.value) == (
        "GpuCluster train: volume_id is the volume of SharedVolume data, which is in us-central-8, but the "
        "cluster is in us-west-2; a cluster can attach only a volume of its own region"
    )
    # The same volume in its own region is fine.
    together.GpuCluster("near", region="us-central-8", gpu_type="H100_SXM", num_gpus=8, volume_id=data.volume_id)
