"""Every way a user replaces a cluster or a volume leaves a state that tells the truth.

Auto-named and explicitly named objects, replaced by ``pulumi up --replace`` (on the child and on the
component a user declared), ``pulumi state taint``, ``replace_on_changes`` and a change of a
replacing input, with ``delete_before_replace`` left alone, true and false, and interrupted half way.
After each: the object in the state exists at the API, nothing exists that no resource holds, and no
volume the state still names was deleted.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from emulator_process import EmulatorProcess, start_emulator

from . import harness as h
from .pulumi_cli import CommandFailed, ProgramStack

pytestmark = pytest.mark.e2e

PROGRAM = '''\
"""A volume and a cluster, named by config or automatically; options from config."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
dbr = config.get("deleteBeforeReplace")
options = pulumi.ResourceOptions(
    delete_before_replace=None if dbr is None else dbr == "true",
    replace_on_changes=["num_gpus"] if config.get_bool("replaceOnGpus") else None,
)
data = together.SharedVolume(
    "data",
    region="us-central-8",
    size_tib=config.get_int("sizeTib") or 2,
    volume_name=config.get("volumeName"),
    opts=options,
)
train = together.GpuCluster(
    "train",
    region="us-central-8",
    gpu_type=config.get("gpuType") or "H100_SXM",
    num_gpus=config.get_int("numGpus") or 8,
    cluster_name=config.get("clusterName"),
    opts=options,
)
pulumi.export("cluster_id", train.cluster_id)
pulumi.export("volume_id", data.volume_id)
'''

NAMES = {"auto": {}, "explicit": {"clusterName": "train-explicit", "volumeName": "data-explicit"}}


def _stack(tmp_path: Path, emu: EmulatorProcess, engine_bin: Path, config: dict[str, str]) -> ProgramStack:
    stack = h.program_stack(tmp_path, emu, engine_bin, source=PROGRAM, config=config)
    stack.up()
    h.assert_state_is_true(stack, emu)
    return stack


def _urn(stack: ProgramStack, type_: str) -> str:
    urn: str = stack.only_resource(type_)["urn"]
    return urn


def _live(emu: EmulatorProcess, kind: str) -> dict[str, Any]:
    found = [o for o in emu.admin.state()[kind] if o.get("status") != "Deleting"]
    assert len(found) == 1, found
    only: dict[str, Any] = found[0]
    return only


@pytest.mark.parametrize("naming", sorted(NAMES))
@pytest.mark.parametrize("how", ["replace-child", "replace-component", "taint"])
def test_a_forced_cluster_replacement_makes_a_new_cluster_and_deletes_the_old(
    how: str, naming: str, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = _stack(tmp_path, emu, engine_bin, NAMES[naming])
    old = _live(emu, "clusters")
    volume = _live(emu, "volumes")
    if how == "taint":
        stack.pulumi("state", "taint", _urn(stack, h.CLUSTER_TYPE))
        args: tuple[str, ...] = ()
    else:
        args = ("--replace", _urn(stack, h.CLUSTER_TYPE if how == "replace-child" else h.GPU_CLUSTER_TYPE))

    preview = stack.preview(*args)
    assert "replace" in preview.ops(h.CLUSTER_TYPE) or "delete-replaced" in preview.ops(h.CLUSTER_TYPE), (
        preview.ops_by_type()
    )
    stack.up(*args)

    new = _live(emu, "clusters")
    assert new["cluster_id"] != old["cluster_id"], "a replacement makes a new cluster"
    assert new["cluster_name"] == old["cluster_name"]
    assert stack.only_resource(h.CLUSTER_TYPE)["id"] == new["cluster_id"]
    assert stack.outputs()["cluster_id"] == new["cluster_id"]
    assert _live(emu, "volumes")["volume_id"] == volume["volume_id"], "the volume was left alone"
    h.assert_state_is_true(stack, emu)
    stack.expect_no_changes()


@pytest.mark.parametrize("naming", sorted(NAMES))
@pytest.mark.parametrize("how", ["replace", "taint"])
def test_a_forced_volume_replacement_makes_a_new_volume_and_deletes_the_old(
    how: str, naming: str, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = _stack(tmp_path, emu, engine_bin, NAMES[naming])
    old = _live(emu, "volumes")
    urn = _urn(stack, h.VOLUME_TYPE)
    if how == "taint":
        stack.pulumi("state", "taint", urn)
        stack.up()
    else:
        stack.up("--replace", urn)

    new = _live(emu, "volumes")
    assert new["volume_id"] != old["volume_id"]
    assert new["volume_name"] == old["volume_name"]
    assert stack.only_resource(h.VOLUME_TYPE)["id"] == new["volume_id"]
    h.assert_state_is_true(stack, emu)
    stack.expect_no_changes()


def test_replace_on_changes_replaces_the_cluster_once(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = _stack(tmp_path, emu, engine_bin, {"replaceOnGpus": "true"})
    old = _live(emu, "clusters")
    stack.set_config("numGpus", "16")
    stack.up()
    new = _live(emu, "clusters")
    assert new["cluster_id"] != old["cluster_id"] and new["num_gpus"] == 16
    h.assert_state_is_true(stack, emu)


@pytest.mark.parametrize("dbr", ["true", "false"])
def test_a_replacing_input_change_replaces_once_in_either_order(
    dbr: str, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = _stack(tmp_path, emu, engine_bin, {"deleteBeforeReplace": dbr})
    old = _live(emu, "clusters")
    stack.set_config("gpuType", "H200_SXM")
    result = stack.up()
    new = _live(emu, "clusters")
    assert new["cluster_id"] != old["cluster_id"] and new["gpu_type"] == "H200_SXM"
    assert new["cluster_name"] != old["cluster_name"], "the auto-name follows the replacing inputs"
    created_first = result.output.index("created replacement") < result.output.index("deleted original")
    assert created_first == (dbr == "false"), result.output
    h.assert_state_is_true(stack, emu)


def test_a_forced_create_first_replacement_that_keeps_the_name_is_refused_and_creates_nothing(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = _stack(tmp_path, emu, engine_bin, {"deleteBeforeReplace": "false"})
    old = _live(emu, "clusters")
    with pytest.raises(CommandFailed) as failed:
        stack.up("--replace", _urn(stack, h.CLUSTER_TYPE))
    output = failed.value.result.output
    assert "delete_before_replace=False" in output and old["cluster_id"] in output, output
    assert "Traceback" not in output
    assert _live(emu, "clusters")["cluster_id"] == old["cluster_id"]
    assert [e for e in h.log_entries(emu) if e["method"] == "POST" and e["route"] == h.CLUSTERS_ROUTE][1:] == []
    h.assert_state_is_true(stack, emu)


def _wait_for(condition: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.parametrize("moment", ["deleting-the-old", "waiting-for-the-new"])
def test_a_forced_replacement_killed_half_way_ends_with_one_cluster_in_the_state(
    moment: str, engine_bin: Path, tmp_path: Path
) -> None:
    """kill -9 of `pulumi up --replace` while the old cluster is being deleted, or once the new one is
    made and being waited for; after `pulumi cancel`, the same command again gives one cluster."""
    with start_emulator(provisioning_seconds=1, deletion_seconds=1) as emu:
        stack = _stack(tmp_path, emu, engine_bin, {})
        old = _live(emu, "clusters")
        urn = _urn(stack, h.CLUSTER_TYPE)
        if moment == "deleting-the-old":
            emu.admin.set_clock_scale(0)  # the emulator's clock stands still: the old one stays Deleting
        up = stack.start("up", "--yes", "--replace", urn)
        with stack.killed_if_abandoned(up):
            if moment == "deleting-the-old":
                _wait_for(lambda: h.clusters(emu)[0]["status"] == "Deleting", "the old cluster to be deleting")
            else:
                # Once the old one is gone, stop the clock: the replacement stays Provisioning.
                _wait_for(lambda: old["cluster_id"] not in {c["cluster_id"] for c in h.clusters(emu)}, "the delete")
                emu.admin.set_clock_scale(0)
                _wait_for(lambda: len(h.clusters(emu)) == 1, "the replacement to be created")
                assert h.clusters(emu)[0]["status"] != "Ready"
            stack.kill(up)
        emu.admin.set_clock_scale(1)
        stack.pulumi("cancel", "--yes", check=False)
        if moment == "deleting-the-old":
            stack.up("--replace", urn)
        else:
            stack.up()
        new = _live(emu, "clusters")
        assert new["cluster_id"] != old["cluster_id"]
        assert stack.only_resource(h.CLUSTER_TYPE)["id"] == new["cluster_id"]
        h.assert_state_is_true(stack, emu)
        stack.expect_no_changes()


def test_targeting_the_user_s_own_urns_with_their_dependents_applies_the_change(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    """`--target` names the resources to update and nothing else; a GpuCluster's cluster and a
    SharedVolume's readiness are its children, which `--target-dependents` brings along (the README's
    literal commands)."""
    stack = _stack(tmp_path, emu, engine_bin, {})
    cluster_id = _live(emu, "clusters")["cluster_id"]
    component, volume = _urn(stack, h.GPU_CLUSTER_TYPE), _urn(stack, h.VOLUME_TYPE)

    stack.set_config("numGpus", "16")
    stack.up("--target", component, "--target-dependents")
    cluster = _live(emu, "clusters")
    assert (cluster["cluster_id"], cluster["num_gpus"]) == (cluster_id, 16)
    assert stack.only_resource(h.READINESS_TYPE)["outputs"]["num_gpus"] == 16

    stack.set_config("sizeTib", "4")
    stack.up("--target", volume, "--target-dependents")
    assert _live(emu, "volumes")["size_tib"] == 4
    assert stack.only_resource(h.VOLUME_READINESS_TYPE)["outputs"]["size_tib"] == 4
    h.assert_state_is_true(stack, emu)
    stack.expect_no_changes()
