"""Stacks written by earlier versions keep working: their stored provider names still load.

Each resource's state carries its pickled provider (``__provider``: module and class name). These
tests put the pickles that earlier versions wrote into a live stack with ``pulumi stack import``,
as a stack created by that version would hold them, then run what a user runs after upgrading:
``refresh``, ``preview``, an ``up`` that scales in place, and ``destroy``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator_process import EmulatorProcess

from . import harness as h
from .pulumi_cli import ProgramStack

pytestmark = pytest.mark.e2e

GPU_CLUSTER_TYPE = "together:index:GpuCluster"
FIXTURES = Path(__file__).resolve().parents[1] / "resources" / "fixtures"
#: Pickles by the resource type they were stored under ("together:<name>" -> engine type token).
TYPES = {
    "together:Cluster": h.CLUSTER_TYPE,
    "together:ClusterReadiness": h.READINESS_TYPE,
    "together:SharedVolume": h.VOLUME_TYPE,
    "together:VolumeReadiness": h.VOLUME_READINESS_TYPE,
}

PROGRAM = '''\
"""A volume and a cluster on it; the size comes from stack config."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
data = together.SharedVolume("data", region="us-central-8", size_tib=2)
train = together.GpuCluster(
    "train", region="us-central-8", gpu_type="H100_SXM", num_gpus=config.get_int("numGpus") or 8, volume_id=data.id
)
pulumi.export("cluster_id", train.cluster_id)
'''


def _stored_as(stack: ProgramStack, version: str) -> int:
    """Rewrite the stack's ``__provider`` values to the ones ``version`` wrote; how many were rewritten."""
    pickles = json.loads((FIXTURES / f"providers-{version}.json").read_text())
    exported = stack.export()
    rewritten = 0
    for resource in exported["deployment"]["resources"]:
        name = next((n for n, t in TYPES.items() if t == resource["type"]), None)
        if name is None or name not in pickles:
            continue
        for section in ("inputs", "outputs"):
            stored: Any = resource[section]["__provider"]
            # Exported with --show-secrets, a secret is {<sig>: ..., "plaintext": <JSON text>}.
            stored["plaintext"] = json.dumps(pickles[name])
        rewritten += 1
    path = stack.program_dir / f"state-{version}.json"
    path.write_text(json.dumps(exported))
    stack.pulumi("stack", "import", "--file", str(path))
    return rewritten


def _providers_in_state(stack: ProgramStack) -> set[str]:
    return {
        r["inputs"]["__provider"]["plaintext"]
        for r in stack.export()["deployment"]["resources"]
        if r["type"] in TYPES.values()
    }


@pytest.mark.parametrize("version", ["0.1.0", "0.1.0-split", "0.2.0"])
def test_a_stack_written_by_an_earlier_version_refreshes_updates_and_destroys(
    version: str, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, source=PROGRAM)
    stack.up()
    cluster_id = h.only_cluster(emu)["cluster_id"]
    assert _stored_as(stack, version) >= 3
    old = _providers_in_state(stack)

    stack.refresh()  # read() runs in the providers the stack stored
    stack.expect_no_changes()
    assert _providers_in_state(stack) == old

    stack.set_config("numGpus", "16")
    stack.up()
    cluster = h.only_cluster(emu)
    assert (cluster["cluster_id"], cluster["num_gpus"]) == (cluster_id, 16)

    _stored_as(stack, version)
    stack.destroy()  # delete() runs in the providers the stack stored
    assert h.clusters(emu) == [] and h.volumes(emu) == []
    assert stack.export()["deployment"].get("resources") in (None, [])


def test_the_outputs_a_gpu_cluster_registered_before_are_no_change(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    """Earlier versions had a GpuCluster register a copy of its outputs; now each value is stored once,
    on the part that owns it. A stack holding the copy previews no change, and its next up drops it."""
    stack = h.program_stack(tmp_path, emu, engine_bin, source=PROGRAM)
    stack.up()
    exported = stack.export()
    (component,) = (r for r in exported["deployment"]["resources"] if r["type"] == GPU_CLUSTER_TYPE)
    assert not component.get("outputs")
    component["outputs"] = {"cluster_id": h.only_cluster(emu)["cluster_id"], "status": "Ready", "num_gpus": 8}
    path = stack.program_dir / "state-with-component-outputs.json"
    path.write_text(json.dumps(exported))
    stack.pulumi("stack", "import", "--file", str(path))

    stack.expect_no_changes()
    stack.up()
    (component,) = (r for r in stack.export()["deployment"]["resources"] if r["type"] == GPU_CLUSTER_TYPE)
    assert not component.get("outputs")
    readiness = stack.only_resource(h.READINESS_TYPE)["outputs"]
    assert (readiness["status"], readiness["num_gpus"]) == ("Ready", 8)
    stack.destroy()
    assert h.clusters(emu) == [] and h.volumes(emu) == []
