"""What a user reads when something goes wrong (issue 17, item 8): every message names the resource
and the next step, on the plain CLI; after each command the state is checked against the API."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess, start_emulator

from . import harness as h
from .pulumi_cli import VENV_BIN, ProgramStack

pytestmark = pytest.mark.e2e

POLICY_PACK = h.ROOT / "policy"

#: One GpuCluster whose arguments come from config, including mistakes.
PROGRAM = '''\
"""One GpuCluster; a typo or a missing region from config (messages e2e test)."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
args = {
    "region": "us-central-8",
    "gpu_type": "H100_SXM",
    "num_gpus": config.get_int("numGpus") or 8,
    "ready_timeout_seconds": config.get_int("readyTimeoutSeconds") or 3600,
}
if config.get_bool("typo"):
    args["regoin"] = args.pop("region")
if config.get_bool("noRegion"):
    del args["region"]
if config.get_bool("gpusFromVolume"):
    data = together.SharedVolume("data", region="us-central-8", size_tib=1)
    args["num_gpus"] = data.volume_id.apply(lambda _: 8)  # unknown during the first preview
together.GpuCluster("gpu", **args)
'''


def _stack(tmp_path: Path, emu: EmulatorProcess, engine_bin: Path) -> ProgramStack:
    return h.program_stack(tmp_path, emu, engine_bin, source=PROGRAM)


def _state_matches_api(stack: ProgramStack, emu: EmulatorProcess) -> None:
    """Every cluster the state names exists at the API, and the API has no other."""
    in_state = sorted(r["id"] for r in stack.resources(h.CLUSTER_TYPE))
    assert in_state == sorted(c["cluster_id"] for c in h.clusters(emu))


def test_a_failing_service_during_preview_names_the_resource_and_the_next_step(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = _stack(tmp_path, emu, engine_bin)
    emu.admin.set_faults(rate_503=1.0, retry_after_seconds=0, methods=["GET"])
    failed = stack.preview_diff(check=False)
    emu.admin.set_faults(rate_503=0.0)

    assert failed.returncode != 0
    assert "GpuCluster gpu: could not check it with the Together API (GET /v1/compute/regions -> 503" in (
        failed.output
    ), failed.output
    assert "nothing was changed: run `pulumi preview` again later" in failed.output
    assert "Traceback" not in failed.output
    assert stack.resources(h.CLUSTER_TYPE) == [] and h.clusters(emu) == []
    stack.up()  # the service is back: the same program goes through
    _state_matches_api(stack, emu)
    cluster = h.only_cluster(emu)

    # The same on refresh: the read fails naming the cluster, and the state keeps it.
    emu.admin.set_faults(rate_503=1.0, retry_after_seconds=0, methods=["GET"])
    failed = stack.refresh(check=False)
    emu.admin.set_faults(rate_503=0.0)
    assert failed.returncode != 0
    name = f"GpuCluster {cluster['cluster_name']} ({cluster['cluster_id']}): could not read it with the Together API"
    assert name in failed.output, failed.output
    assert "nothing was changed: run `pulumi refresh` again later" in failed.output
    _state_matches_api(stack, emu)


def test_an_update_of_a_cluster_deleted_outside_pulumi_says_refresh(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = _stack(tmp_path, emu, engine_bin)
    stack.up()
    _state_matches_api(stack, emu)
    old_id = h.only_cluster(emu)["cluster_id"]

    emu.admin.delete_cluster(old_id)
    stack.set_config("numGpus", "16")
    failed = stack.up(check=False)

    assert failed.returncode != 0
    assert f"({old_id}) no longer exists at the API (deleted outside Pulumi?)" in failed.output, failed.output
    assert "Run `pulumi refresh` to drop it from the stack state, or `pulumi up --refresh`" in failed.output
    stack.up("--refresh")
    _state_matches_api(stack, emu)
    assert h.only_cluster(emu)["num_gpus"] == 16


VOLUME_PROGRAM = '''\
"""One SharedVolume whose size comes from config (messages e2e test)."""

import pulumi

import together_pulumi as together

together.SharedVolume("data", region="us-central-8", size_tib=pulumi.Config().get_int("sizeTib") or 1)
'''


def test_a_resize_of_a_volume_deleted_outside_pulumi_says_refresh(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, source=VOLUME_PROGRAM)
    stack.up()
    (volume,) = h.volumes(emu)
    assert stack.only_resource(h.VOLUME_TYPE)["id"] == volume["volume_id"]
    with emu.client() as api:
        api.delete(f"{h.VOLUMES_ROUTE}/{volume['volume_id']}").raise_for_status()

    stack.set_config("sizeTib", "2")
    failed = stack.up(check=False)
    assert failed.returncode != 0
    assert f"({volume['volume_id']}) no longer exists at the API (deleted outside Pulumi?)" in failed.output
    assert "Run `pulumi refresh` to drop it from the stack state, or `pulumi up --refresh`" in failed.output
    stack.up("--refresh")
    (again,) = h.volumes(emu)
    assert stack.only_resource(h.VOLUME_TYPE)["id"] == again["volume_id"] and again["size_tib"] == 2


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        ("typo", "GpuCluster gpu: regoin is not an argument of GpuClusterArgs; valid: "),
        ("noRegion", "GpuCluster gpu: region is required: Region to create the cluster in"),
    ],
)
def test_a_program_mistake_is_one_message_not_a_traceback(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path, mistake: str, message: str
) -> None:
    stack = _stack(tmp_path, emu, engine_bin)
    stack.set_config(mistake, "true")
    failed = stack.preview_diff(check=False)
    assert failed.returncode != 0
    assert message in failed.output, failed.output
    assert "Traceback" not in failed.output and "TypeError" not in failed.output, failed.output
    assert h.clusters(emu) == []


def test_a_policy_that_cannot_run_during_preview_says_which_value_and_when(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = _stack(tmp_path, emu, engine_bin)
    stack.set_config("gpusFromVolume", "true")
    config = tmp_path / "policy-config.json"
    config.write_text('{"together-max-gpus-per-cluster": {"maxGpus": 64}}')
    preview = stack.pulumi("preview", "--policy-pack", str(POLICY_PACK), "--policy-pack-config", str(config))
    assert (
        'during preview: num_gpus of GpuCluster "gpu" is not known until `pulumi up`, which runs this policy with '
        "the values" in preview.output
    ), preview.output
    assert "string value at" not in preview.output
    assert h.clusters(emu) == []


def test_the_review_gate_labels_a_preview_error_once(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = _stack(tmp_path, emu, engine_bin)
    stack.set_config("numGpus", "12")
    stack.env["PULUMI_ENABLE_STREAMING_JSON_PREVIEW"] = "1"
    events = stack.pulumi("preview", "--json", check=False)
    assert events.returncode != 0
    review = subprocess.run(
        [str(VENV_BIN / "together-pulumi"), "review", "--fail-on=error"],
        input=events.stdout,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert review.returncode == 1, review.stdout + review.stderr
    assert "num_gpus must be a positive multiple of 8" in review.stderr, review.stderr
    assert "error: error:" not in review.stdout + review.stderr
    assert "together-pulumi review: gate failed: error: " in review.stderr
    assert h.clusters(emu) == []


def test_the_project_notice_shows_without_a_refresh(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    emu.admin.set_projects("proj-emulator", "proj-b")
    stack = _stack(tmp_path, emu, engine_bin)
    stack.up()
    _state_matches_api(stack, emu)
    assert h.only_cluster(emu)["project_id"] == "proj-emulator"

    stack.set_config("together:projectId", "proj-b")
    preview = stack.preview_diff()
    assert "GpuCluster gpu: stays in project proj-emulator; the default project" in preview.output, preview.output
    assert "is proj-b, which applies to new objects only" in preview.output
    assert json.loads(stack.pulumi("preview", "--json").stdout)["changeSummary"] == {"same": 4}
    _state_matches_api(stack, emu)


def _up_advancing_the_clock(stack: ProgramStack, emulator: EmulatorProcess, marker: str) -> list[str]:
    """``pulumi up`` against a frozen emulator clock: once a line with ``marker`` is printed (the wait
    has seen the cluster as it is now), the clock moves on so that the wait can end."""
    process = stack.start("up", "--yes")
    lines: list[str] = []
    with ProgramStack.killed_if_abandoned(process):
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if marker in line and not any(marker in seen for seen in lines[:-1]):
                emulator.admin.advance_clock(600)
        assert process.wait() == 0, "".join(lines)
    return lines


def test_a_scale_down_says_how_many_nodes_remain(engine_bin: Path, tmp_path: Path) -> None:
    with start_emulator(provisioning_seconds=600) as emulator:
        emulator.admin.set_clock_scale(0)
        stack = _stack(tmp_path, emulator, engine_bin)
        # (A bound for a failure only: the clock moves as soon as the wait has printed what it saw.)
        stack.set_config("readyTimeoutSeconds", "300")
        stack.set_config("numGpus", "24")
        _up_advancing_the_clock(stack, emulator, "GPU nodes")
        assert len(h.only_cluster(emulator)["gpu_worker_nodes"]) == 3

        stack.set_config("numGpus", "8")
        lines = _up_advancing_the_clock(stack, emulator, "GPU nodes")
        text = "".join(lines)
        assert "3 GPU nodes, scaling down to 1" in text, text
        assert "3 of 1" not in text
        _state_matches_api(stack, emulator)
        assert len(h.only_cluster(emulator)["gpu_worker_nodes"]) == 1
