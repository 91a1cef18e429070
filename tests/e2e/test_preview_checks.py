"""What `pulumi preview` can know, it says: a name taken outside the stack, an object to adopt that is
not the one declared, a number no API field holds. And two stacks creating one name at once end with
one object, the other told why."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator_process import EmulatorProcess

from . import harness as h
from .pulumi_cli import CommandFailed, ProgramStack

pytestmark = pytest.mark.e2e

PROGRAM = '''\
"""One cluster and one volume; names, sizes and adoption from config."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
data = together.SharedVolume("data", region="us-central-8", size_tib=2, volume_name=config.get("volumeName"))
together.GpuCluster(
    "train",
    region="us-central-8",
    gpu_type=config.get("gpuType") or "H100_SXM",
    num_gpus=config.get_float("numGpus") or 8,
    cluster_name=config.get("clusterName"),
    existing_cluster_id=config.get("adopt"),
)
'''


def _failed_preview(stack: ProgramStack) -> str:
    with pytest.raises(CommandFailed) as failed:
        stack.preview_diff()
    output = failed.value.result.output
    assert "Traceback" not in output
    return output


def _nothing_created(emu: EmulatorProcess, before: int) -> None:
    assert [e for e in h.log_entries(emu) if e["method"] not in ("GET",)][before:] == []


@pytest.mark.parametrize("kind", ["cluster", "volume"])
def test_a_name_taken_outside_the_stack_is_named_at_preview_and_refused_at_up(
    kind: str, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    """A note, not a failure: on --replace and taint the engine checks without the old state, so the
    check cannot tell the object being replaced from a stranger's (see test_replacements)."""
    if kind == "cluster":
        taken, config, expected = h.console_cluster(emu, "console-x"), {"clusterName": "console-x"}, "cluster_name"
    else:
        with emu.client() as raw:
            made = raw.post(h.VOLUMES_ROUTE, json={"volume_name": "console-x", "region": "us-central-8", "size_tib": 1})
        taken, config, expected = made.json()["volume_id"], {"volumeName": "console-x"}, "volume_name"
    stack = h.program_stack(tmp_path, emu, engine_bin, source=PROGRAM, config=config)
    preview = stack.preview_diff().output
    assert f"{expected} 'console-x' is taken by" in preview and f"_id={taken!r}" in preview, preview
    with pytest.raises(CommandFailed) as failed:
        stack.up()
    output = failed.value.result.output
    assert f"_id={taken!r}" in output and "Traceback" not in output, output
    assert (
        len([o for o in h.clusters(emu) + h.volumes(emu) if o.get("cluster_name", o.get("volume_name")) == "console-x"])
        == 1
    )


def test_an_object_to_adopt_that_is_not_the_one_declared_fails_the_preview(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    other = h.console_cluster(emu, "console-h200", gpu_type="H200_SXM")
    stack = h.program_stack(tmp_path, emu, engine_bin, source=PROGRAM, config={"adopt": other})
    output = _failed_preview(stack)
    assert f"existing_cluster_id {other} cannot be adopted: its gpu_type is H200_SXM, declared H100_SXM" in output
    _nothing_created(emu, 1)


def test_a_number_beyond_the_api_s_integers_fails_the_preview(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, source=PROGRAM, config={"numGpus": "1e23"})
    output = _failed_preview(stack)
    assert "num_gpus must be at most 4294967295" in output, output
    _nothing_created(emu, 0)


def test_two_stacks_creating_one_name_at_once_end_with_one_cluster(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stacks = [
        h.program_stack(tmp_path / f"s{i}", emu, engine_bin, source=PROGRAM, config={"clusterName": "race-name"})
        for i in (1, 2)
    ]
    # Each create takes 2 s to land: both stacks look for the name first and find nothing.
    emu.admin.set_faults(latency_ms=2000, methods=["POST"])
    runs = [stack.start("up", "--yes") for stack in stacks]
    outputs = []
    for stack, run in zip(stacks, runs, strict=True):
        with stack.killed_if_abandoned(run):
            out, _ = run.communicate(timeout=300)
        outputs.append((run.returncode, out))
    emu.admin.set_faults(latency_ms=0)

    named = [c for c in h.clusters(emu) if c["cluster_name"] == "race-name" and c["status"] != "Deleting"]
    assert len(named) == 1, named
    assert sorted(code == 0 for code, _ in outputs) == [False, True], [o for _, o in outputs]
    loser = next(out for code, out in outputs if code != 0)
    assert named[0]["cluster_id"] in loser and "race-name" in loser, loser
    assert "Traceback" not in loser
    for stack in stacks:
        held = [r["id"] for r in stack.resources(h.CLUSTER_TYPE)]
        assert held in ([], [named[0]["cluster_id"]]), held
