"""What the Python path promises, across the language boundary: the TypeScript example
(examples/typescript) under the policy pack, ``together-pulumi review`` on its preview, and a
``pulumi up`` killed with kill -9 during the wait for Ready, then run again. The plain CLI against the
emulator, as tests/e2e/test_languages_typescript.py runs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess, start_emulator

from . import harness as h
from .languages import typescript_stack
from .policy_output import policy_violations
from .pulumi_cli import VENV_BIN
from .test_interrupts import BRING_UP_SECONDS, wait_for_ready_begins

pytestmark = pytest.mark.e2e

PACK = h.ROOT / "policy"
RATE_CARD = h.ROOT / "examples" / "rate-card.yaml"


def test_policy_pack_and_review_on_a_typescript_preview(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = typescript_stack(tmp_path, emu, engine_bin)

    # `together-pulumi review` reads the TypeScript program's preview like a Python one's.
    preview = stack.pulumi("preview", "--json", "--show-sames").stdout
    review = subprocess.run(
        [str(VENV_BIN / "together-pulumi"), "review", "--rate-card", str(RATE_CARD)],
        input=preview,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert review.returncode == 0, review.stdout + review.stderr
    assert "| GpuCluster `train` | create | — → 8 | — → 192 | — → 8.00 | — → 192.00 |" in review.stdout, review.stdout
    assert "| SharedVolume `data` | create |" in review.stdout, review.stdout
    assert "GPUs 0 → 8 (+8)" in review.stdout
    assert "pulumi-python:dynamic" not in review.stdout and "kubeconfig" not in review.stdout

    # The policy pack sees the component's cluster and volume: a disallowed region and too many GPUs
    # stop the preview with the rules' messages, and nothing is created.
    config = tmp_path / "policy-config.json"
    config.write_text(
        json.dumps(
            {
                "together-allowed-regions": {"allowedRegions": ["us-west-2"]},
                "together-max-gpus-per-cluster": {"maxGpus": 8},
            }
        )
    )
    stack.set_config("numGpus", "16")
    refused = stack.pulumi("preview", "--policy-pack", str(PACK), "--policy-pack-config", str(config), check=False)
    assert refused.returncode != 0, refused.output
    texts = {(v.level, v.policy, v.text) for v in policy_violations(refused.output)}
    for who in ('GpuCluster "train"', 'SharedVolume "data"'):
        assert any(
            level == "mandatory"
            and policy == "together-allowed-regions"
            and f"{who}: region us-central-8 is not allowed; allowed regions: us-west-2." in text
            for level, policy, text in texts
        ), refused.output
    assert any(
        'GpuCluster "train": 16 GPUs (num_gpus 16) exceed the maximum of 8 GPUs per cluster (maxGpus).' in text
        for _, policy, text in texts
        if policy == "together-max-gpus-per-cluster"
    ), refused.output

    # The same program within the limits passes (the unprotected volume only warns: advisory).
    stack.set_config("numGpus", "8")
    config.write_text(json.dumps({"together-allowed-regions": {"allowedRegions": ["us-central-8"]}}))
    passed = stack.pulumi("preview", "--policy-pack", str(PACK), "--policy-pack-config", str(config))
    assert [(v.level, v.policy) for v in policy_violations(passed.output)] == [
        ("advisory", "together-protect-data-volumes")
    ], passed.output
    assert h.clusters(emu) == [] and h.volumes(emu) == []


def test_a_typescript_up_killed_during_the_wait_for_ready_recovers(engine_bin: Path, tmp_path: Path) -> None:
    with start_emulator(provisioning_seconds=BRING_UP_SECONDS) as emulator:
        emulator.admin.set_clock_scale(1)  # real time: Ready is an hour away unless the test moves the clock
        stack = typescript_stack(tmp_path, emulator, engine_bin)
        up = stack.start("up", "--yes")
        with stack.killed_if_abandoned(up):
            wait_for_ready_begins(up, emulator)
            stack.kill(up)  # kill -9 of the CLI and everything it started (language host, plugin, providers)
        killed = h.only_cluster(emulator)
        assert killed["status"] != "Ready"
        stack.pulumi("cancel", "--yes", check=False)  # the killed update's lock

        emulator.admin.advance_clock(BRING_UP_SECONDS)
        stack.up()
        cluster = h.only_cluster(emulator)  # exactly one: the second up resumed the first one's cluster
        assert cluster["cluster_id"] == killed["cluster_id"]
        assert stack.outputs()["clusterId"] == cluster["cluster_id"] and stack.outputs()["status"] == "Ready"
        assert len(h.volumes(emulator)) == 1
        h.assert_state_is_true(stack, emulator)
        stack.expect_no_changes()

        stack.destroy()
        assert h.clusters(emulator) == [] and h.volumes(emulator) == []
        assert not stack.export()["deployment"].get("resources")
