"""Removing an add-on switches it off, refresh shows add-ons the program does not list, and Pulumi's
``import_`` option adopts an existing cluster or volume instead of creating a second one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from emulator_process import EmulatorProcess

from . import harness as h

pytestmark = pytest.mark.e2e

ADD_ONS_PROGRAM = '''\
"""A Kubernetes cluster whose add-ons come from config (a JSON list of names)."""

import json

import pulumi

import together_pulumi as together

config = pulumi.Config()
names = json.loads(config.get("addOns") or "[]")
cluster = together.GpuCluster(
    "k8s",
    region="us-central-8",
    gpu_type="H100_SXM",
    num_gpus=8,
    add_ons=None if config.get_bool("noAddOns") else [together.AddOnArgs(add_on_type=n, name=n) for n in names],
)
pulumi.export("cluster_id", cluster.cluster_id)
'''


def _served_add_ons(emu: EmulatorProcess) -> list[str]:
    """The add-ons the API lists as on (it lists only those)."""
    cluster_id = h.only_cluster(emu)["cluster_id"]
    with emu.client() as raw:
        served = raw.get(h.CLUSTER_ROUTE.format(cluster_id=cluster_id)).json()
    return sorted(a["name"] for a in served["add_ons"])


@pytest.mark.parametrize("keep", [["dashboard"], [], None], ids=["one", "empty-list", "property-removed"])
def test_removing_add_ons_switches_them_off(
    keep: list[str] | None, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    config = {"addOns": json.dumps(["headlamp", "dashboard"])}
    stack = h.program_stack(tmp_path, emu, engine_bin, source=ADD_ONS_PROGRAM, config=config)
    stack.up()
    assert _served_add_ons(emu) == ["dashboard", "headlamp"]
    cluster_id = h.only_cluster(emu)["cluster_id"]

    if keep is None:
        stack.set_config("noAddOns", "true")
    else:
        stack.set_config("addOns", json.dumps(keep))
    preview = stack.preview()
    assert preview.ops(h.CLUSTER_TYPE) == ["update"], preview.ops_by_type()
    stack.up()

    assert _served_add_ons(emu) == sorted(keep or [])
    assert h.only_cluster(emu)["cluster_id"] == cluster_id
    stack.refresh()
    stack.expect_no_changes()
    h.assert_state_is_true(stack, emu)


def test_refresh_shows_an_add_on_switched_on_elsewhere_and_up_switches_it_off(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    config = {"addOns": json.dumps(["headlamp", "dashboard"])}
    stack = h.program_stack(tmp_path, emu, engine_bin, source=ADD_ONS_PROGRAM, config=config)
    stack.up()
    stack.set_config("addOns", json.dumps(["dashboard"]))
    stack.up()
    cluster_id = h.only_cluster(emu)["cluster_id"]
    with emu.client() as raw:  # somebody switches headlamp back on in the console
        raw.put(
            h.CLUSTER_ROUTE.format(cluster_id=cluster_id),
            json={"add_ons": [{"name": "headlamp", "config": {"headlamp": {"enabled": True}}}]},
        ).raise_for_status()

    stack.refresh()
    diff = stack.preview_diff().stdout
    assert "headlamp" in diff and re.search(r"~ add_ons", diff), diff
    stack.up()
    assert _served_add_ons(emu) == ["dashboard"]
    stack.expect_no_changes()


IMPORT_PROGRAM = '''\
"""A volume and a cluster adopted with Pulumi's import_ option (ids from config)."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
data = together.SharedVolume(
    "data",
    region="us-central-8",
    size_tib=2,
    opts=pulumi.ResourceOptions(import_=config.get("volumeId")),
)
train = together.GpuCluster(
    "train",
    region="us-central-8",
    gpu_type="H100_SXM",
    num_gpus=8,
    opts=pulumi.ResourceOptions(import_=config.get("clusterId")),
)
pulumi.export("cluster_id", train.cluster_id)
pulumi.export("volume_id", data.volume_id)
'''


def _made_outside(emu: EmulatorProcess) -> tuple[str, str]:
    with emu.client() as raw:
        volume: dict[str, Any] = raw.post(
            h.VOLUMES_ROUTE, json={"volume_name": "console-data", "region": "us-central-8", "size_tib": 2}
        ).json()
    return h.console_cluster(emu, "console-train"), volume["volume_id"]


def test_import_option_adopts_instead_of_creating(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    cluster_id, volume_id = _made_outside(emu)
    stack = h.program_stack(
        tmp_path, emu, engine_bin, source=IMPORT_PROGRAM, config={"clusterId": cluster_id, "volumeId": volume_id}
    )
    stack.up()

    assert [c["cluster_id"] for c in h.clusters(emu)] == [cluster_id]
    assert [v["volume_id"] for v in h.volumes(emu)] == [volume_id]
    posts = [e for e in h.log_entries(emu) if e["method"] == "POST"]
    assert len(posts) == 2, "only the two creates of this test, none by pulumi"
    assert stack.outputs() == {"cluster_id": cluster_id, "volume_id": volume_id}
    h.assert_state_is_true(stack, emu)

    # As with any import_, the option can go once the object is in the state: nothing changes.
    stack.remove_config("clusterId")
    stack.remove_config("volumeId")
    stack.expect_no_changes()
    stack.destroy()
    assert h.clusters(emu) == [] and h.volumes(emu) == []
