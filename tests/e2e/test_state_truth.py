"""The state never lies (issue 17, items 5 and 6): a refresh records only what drifted, a review shows
only what the program changed, and stating the value the service already has is no change.

Every step is a plain ``pulumi`` command in a program directory against the emulator; after each
one the object the state names is checked at the API.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from emulator_process import EmulatorProcess

from . import harness as h
from .pulumi_cli import VENV_BIN, ProgramStack
from .test_review import REVIEW_PROGRAM

pytestmark = pytest.mark.e2e

#: Values the service (or the catalog) picks when the program gives none.
SERVICE_CHOSEN = ("nvidia_version_id", "cuda_version", "nvidia_driver_version", "project_id")


def _cluster_inputs(stack: ProgramStack) -> dict[str, Any]:
    inputs: dict[str, Any] = stack.only_resource(h.CLUSTER_TYPE)["inputs"]
    return inputs


def _state_matches_api(stack: ProgramStack, emu: EmulatorProcess) -> dict[str, Any]:
    """The cluster the state names exists at the API, and it is the only one."""
    cluster = h.only_cluster(emu)
    assert stack.only_resource(h.CLUSTER_TYPE)["id"] == cluster["cluster_id"]
    return cluster


def _review(preview_json: str) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "together-pulumi"), "review"],
        input=preview_json,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _without_status(diff: str) -> str:
    return "\n".join(line for line in diff.splitlines() if "status" not in line)


def test_refresh_without_drift_changes_nothing_a_reviewer_reads(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    """Values the service chose (driver, project) never become inputs: a refresh without drift leaves
    the inputs as they were, and the next replacement reads the same before and after it."""
    stack = h.program_stack(tmp_path, emu, engine_bin)
    stack.up()
    _state_matches_api(stack, emu)
    before = _cluster_inputs(stack)
    assert not set(SERVICE_CHOSEN) & set(before), before
    stack.set_config("gpuType", "H200_SXM")
    diff_before = stack.preview_diff().stdout
    stack.remove_config("gpuType")

    every_input = {r["urn"]: r.get("inputs") for r in stack.export()["deployment"]["resources"]}
    stack.refresh()
    _state_matches_api(stack, emu)
    after = _cluster_inputs(stack)
    assert after == before, f"a refresh without drift changed the inputs: {before} -> {after}"
    assert {r["urn"]: r.get("inputs") for r in stack.export()["deployment"]["resources"]} == every_input
    stack.expect_no_changes()

    # A replacement afterwards: only what the program changed shows, as it did before the refresh.
    stack.set_config("gpuType", "H200_SXM")
    diff_after = stack.preview_diff().stdout
    assert "~ gpu_type" in diff_after, diff_after
    assert _without_status(diff_after) == _without_status(diff_before)
    preview_json = stack.pulumi("preview", "--json").stdout
    (step,) = [s for s in json.loads(preview_json)["steps"] if s["op"] == "replace"]
    assert step["replaceReasons"] == ["gpu_type"], step["replaceReasons"]
    assert not set(SERVICE_CHOSEN) & set(step["oldState"]["inputs"]), step["oldState"]["inputs"]
    report = _review(preview_json)
    assert "gpu_type: H100_SXM → H200_SXM (forces replacement)" in report, report
    for name in (*SERVICE_CHOSEN, "cluster_name"):
        assert name not in report, report
    _state_matches_api(stack, emu)


def test_refresh_records_real_drift_of_a_user_setting(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin)
    stack.up()
    cluster = _state_matches_api(stack, emu)
    before = _cluster_inputs(stack)

    emu.admin.scale_cluster(cluster["cluster_id"], 16)
    stack.refresh()
    _state_matches_api(stack, emu)
    after = _cluster_inputs(stack)
    assert after == {**before, "num_gpus": 16}, f"{before} -> {after}"
    diff = stack.preview_diff().stdout
    assert "num_gpus" in diff and "16" in diff, diff
    for name in SERVICE_CHOSEN:
        assert name not in diff, diff
    stack.up()
    assert _state_matches_api(stack, emu)["num_gpus"] == 8
    stack.expect_no_changes()


#: A cluster whose orchestrator and every replacing input the service fills in come from config.
STATED_PROGRAM = '''\
"""One GpuCluster; its orchestrator and the replacing inputs the service fills in from config."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
together.GpuCluster(
    "gpu",
    region="us-central-8",
    gpu_type="H100_SXM",
    num_gpus=8,
    cluster_type=config.get("clusterType") or "KUBERNETES",
    slurm_shm_size_gib=config.get_int("slurmShm"),
    project_id=config.get("projectId"),
    nvidia_version_id=config.get("driver"),
    cuda_version=config.get("cuda"),
    nvidia_driver_version=config.get("nvidiaDriver"),
)
'''


def test_stating_the_value_the_service_has_is_no_change(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, source=STATED_PROGRAM)
    stack.up()
    stack.set_config("clusterType", "SLURM")
    assert stack.preview().changes() == {h.CLUSTER_TYPE: ["update"], h.READINESS_TYPE: ["update"]}
    stack.up()
    cluster = _state_matches_api(stack, emu)
    assert (cluster["cluster_type"], cluster["slurm_shm_size_gib"]) == ("SLURM", 64)

    # The service's own values, stated in the program one after the other: no change.
    stated = [
        {"slurmShm": "64"},
        {"projectId": cluster["project_id"]},
        {"driver": cluster["nvidia_driver_version_id"]},
        # (the legacy driver selector instead of the catalogue id: the pair goes together)
        {"driver": None, "cuda": cluster["cuda_version"], "nvidiaDriver": cluster["nvidia_driver_version"]},
    ]
    for settings in stated:
        for key, value in settings.items():
            if value is None:
                stack.remove_config(key)
            else:
                stack.set_config(key, value)
        stack.expect_no_changes()
    stack.refresh()
    _state_matches_api(stack, emu)
    stack.expect_no_changes()
    stack.up()
    assert _state_matches_api(stack, emu)["cluster_id"] == cluster["cluster_id"]

    # Another value is still a change of its kind.
    stack.set_config("slurmShm", "128")
    preview = stack.preview()
    assert preview.ops(h.CLUSTER_TYPE) == ["replace"], preview.ops_by_type()
    (replace,) = [s for s in preview.steps if s.op == "replace"]
    assert replace.replace_reasons == ("slurm_shm_size_gib",)
    assert _state_matches_api(stack, emu)["cluster_id"] == cluster["cluster_id"]


def test_refresh_of_a_volume_and_its_cluster_changes_no_input(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, source=REVIEW_PROGRAM)
    stack.up()
    every_input = {r["urn"]: r.get("inputs") for r in stack.export()["deployment"]["resources"]}

    stack.refresh()

    assert {r["urn"]: r.get("inputs") for r in stack.export()["deployment"]["resources"]} == every_input
    (volume,) = h.volumes(emu)
    assert stack.only_resource(h.VOLUME_TYPE)["id"] == volume["volume_id"]
    _state_matches_api(stack, emu)
    stack.expect_no_changes()
