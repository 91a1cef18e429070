"""``together-pulumi review`` on real ``pulumi preview --json`` output of one program taken through a
create, a scale-up, a scale-down, a replacement and a deletion (resources removed from the program).

The previews are also the fixtures of the fast unit tests (tests/review/previews.py says how to
regenerate them); here the live ones must still read like the fixtures.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess
from review import previews
from together_pulumi.review import summarize

from . import harness as h
from .pulumi_cli import VENV_BIN, ProgramStack

pytestmark = pytest.mark.e2e

RATE_CARD = h.ROOT / "examples" / "rate-card.yaml"
STREAMING_ENV = "PULUMI_ENABLE_STREAMING_JSON_PREVIEW"

#: A volume and a cluster attached to it, each removable, every interesting setting from config.
REVIEW_PROGRAM = '''\
"""A SharedVolume and a GpuCluster attached to it (review e2e test)."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
volume_id = None
if config.get_bool("withVolume") is not False:
    data = together.SharedVolume(
        "data", region="us-central-8", size_tib=2, volume_name=config.get("volumeName") or "train-data"
    )
    volume_id = data.volume_id
if config.get_bool("withCluster") is not False:
    billing = config.get("billingType") or "ON_DEMAND"
    together.GpuCluster(
        "train",
        region="us-central-8",
        gpu_type=config.get("gpuType") or "H100_SXM",
        num_gpus=config.get_int("numGpus") or 8,
        billing_type=billing,
        duration_days=30 if billing == "RESERVED" else None,
        volume_id=volume_id,
    )
'''


def _preview(stack: ProgramStack) -> str:
    # --show-sames: unchanged resources are listed too, so the review can give the stack's totals.
    return stack.pulumi("preview", "--json", "--show-sames").stdout


def _review(preview_json: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The console script as a user runs it: the preview on standard input."""
    return subprocess.run(
        [str(VENV_BIN / "together-pulumi"), "review", "--rate-card", str(RATE_CARD), *args],
        input=preview_json,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_review_of_real_previews(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, source=REVIEW_PROGRAM)
    live: dict[str, str] = {}

    live["create"] = _preview(stack)
    stack.up()
    stack.set_config("numGpus", "16")
    live["scale-up"] = _preview(stack)
    stack.up()
    stack.set_config("numGpus", "8")
    live["scale-down"] = _preview(stack)
    stack.set_config("numGpus", "16")
    stack.set_config("gpuType", "H200_SXM")
    stack.set_config("billingType", "RESERVED")
    stack.set_config("volumeName", "train-data-2")
    live["replace"] = _preview(stack)
    # The same change previewed once with the policy pack, as the engine's event stream: rows and
    # policy verdicts in one input.
    policy_config = tmp_path / "policy-config.json"
    policy_config.write_text('{"together-max-gpus-per-cluster": {"maxGpus": 8}}')
    stack.env[STREAMING_ENV] = "1"
    streamed = stack.pulumi(
        "preview",
        "--json",
        "--policy-pack",
        str(h.ROOT / "policy"),
        "--policy-pack-config",
        str(policy_config),
        check=False,
    )
    del stack.env[STREAMING_ENV]
    assert streamed.returncode != 0, streamed.output  # mandatory violations fail the preview
    live_events = streamed.stdout
    for key in ("gpuType", "billingType", "volumeName"):
        stack.remove_config(key)
    stack.set_config("withCluster", "false")
    stack.set_config("withVolume", "false")
    live["delete"] = _preview(stack)

    gate = "--fail-on=replace,delete,scale-down,billing-change"
    reports = {name: _review(text, gate) for name, text in live.items()}
    for name, report in reports.items():
        assert report.returncode in (0, 1), f"{name}: {report.stderr}"
        assert "pulumi-python:dynamic" not in report.stdout, report.stdout
        assert "apiKey" not in report.stdout and "kubeconfig" not in report.stdout

    create = reports["create"]
    assert create.returncode == 0, create.stdout + create.stderr
    assert "| GpuCluster `train` | create | — → 8 | — → 192 | — → 8.00 | — → 192.00 |" in create.stdout, create.stdout
    assert "| SharedVolume `data` | create |" in create.stdout
    assert "PLACEHOLDER PRICES" in create.stdout
    assert "GPUs 0 → 8 (+8)" in create.stdout

    up = reports["scale-up"]
    assert up.returncode == 0, up.stdout + up.stderr
    assert "| GpuCluster `train` | update in place | 8 → 16 | 192 → 384 | 8.00 → 16.00 |" in up.stdout, up.stdout
    assert "num_gpus: 8 → 16" in up.stdout
    assert "cost +8.00 USD/hour (+192.00 USD/day)" in up.stdout

    down = reports["scale-down"]
    assert down.returncode == 1
    assert 'GpuCluster "train" scales DOWN 16 → 8 GPUs: 1 node(s) are removed' in down.stdout, down.stdout
    assert "scale-down:" in down.stderr

    replace = reports["replace"]
    assert replace.returncode == 1
    assert 'GpuCluster "train" is REPLACED' in replace.stdout and "running jobs die" in replace.stdout
    assert 'SharedVolume "data" is REPLACED (by volume_name)' in replace.stdout
    assert "billing_type ON_DEMAND → RESERVED" in replace.stdout
    assert "gpu_type: H100_SXM → H200_SXM (forces replacement)" in replace.stdout
    assert "commits to 18,432.00 USD up front (30 days)" in replace.stdout  # 16 GPUs x 1.60 x 24 h x 30 days

    delete = reports["delete"]
    assert delete.returncode == 1
    assert 'GpuCluster "train" is DELETED' in delete.stdout and 'SharedVolume "data" is DELETED' in delete.stdout
    assert "GPUs 16 → 0 (-16)" in delete.stdout

    # The plain-text form of the same preview, for a terminal.
    text = _review(live["replace"], "--format", "text")
    assert text.returncode == 0 and "!! REPLACE" in text.stdout and 'GpuCluster "train": REPLACE' in text.stdout

    events = _review(live_events, "--fail-on=policy")
    assert events.returncode == 1, events.stdout + events.stderr
    assert (
        '🚫 **POLICY** [together-max-gpus-per-cluster] GpuCluster "train": 16 GPUs (num_gpus 16) exceed the maximum '
        "of 8 GPUs per cluster (maxGpus)." in events.stdout
    ), events.stdout
    assert '[together-protect-prepaid-clusters] GpuCluster "train": billing_type RESERVED is paid up front' in (
        events.stdout
    )
    assert "**Policy warnings (advisory, 1):**" in events.stdout and "[together-protect-data-volumes]" in events.stdout
    assert 'GpuCluster "train" is REPLACED' in events.stdout

    if os.environ.get(previews.REGENERATE_ENV) == "1":
        for name, preview_json in live.items():
            previews.write(name, preview_json)
        previews.write_events(previews.EVENTS_SCENARIO, live_events)
    assert previews.fingerprint(summarize(live_events)) == previews.fingerprint(
        previews.fixture_summary(previews.EVENTS_SCENARIO)
    ), f"tests/review/fixtures/{previews.EVENTS_SCENARIO}.jsonl is stale: regenerate it ({previews.REGENERATE_ENV}=1)"
    for name, preview_json in live.items():
        assert previews.fingerprint(summarize(preview_json)) == previews.fingerprint(previews.fixture_summary(name)), (
            f"tests/review/fixtures/{name}.json is stale: regenerate it ({previews.REGENERATE_ENV}=1)"
        )
