"""No duplicate, no orphan, no false green, through the plain CLI: broken settings fail the preview,
the name a preview shows is the one created, a crash during a create is recovered without a second
cluster, names given twice are refused, and every error reads as a message, not a traceback."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess, start_emulator

from . import harness as h
from .pulumi_cli import CommandFailed

pytestmark = pytest.mark.e2e

NOISE = ("Traceback", "KeyboardInterrupt", "Exception calling application")


def assert_clean(output: str) -> None:
    """A user reads our message alone: no Python traceback, ours or the engine's."""
    for noise in NOISE:
        assert noise not in output, f"{noise!r} in:\n{output}"


def test_broken_settings_fail_the_preview_in_one_line_and_create_nothing(engine_bin: Path, tmp_path: Path) -> None:
    with start_emulator(api_key="the-right-key") as emu:
        stack = h.program_stack(tmp_path, emu, engine_bin)
        cases = [
            ("together:apiKey", "wrong-key", "refused the key from together:apiKey / TOGETHER_API_KEY (401"),
            ("together:baseUrl", "http://127.0.0.1:9", "cannot reach the Together API at http://127.0.0.1:9"),
            ("together:baseUrl", "api.together.ai", "together:baseUrl / TOGETHER_BASE_URL: base URL 'api.together.ai'"),
        ]
        for key, value, says in cases:
            stack.set_config(key, value, secret=key == "together:apiKey")
            started = time.monotonic()
            result = stack.preview_diff(check=False)
            assert result.returncode != 0, result.output
            assert says in result.output, result.output
            assert time.monotonic() - started < 60, "the preview must fail quickly, not retry for minutes"
            assert_clean(result.output)
            stack.set_config("together:apiKey", "the-right-key", secret=True)
            stack.set_config("together:baseUrl", emu.base_url)
        stack.remove_config("together:apiKey")
        result = stack.preview_diff(check=False)
        assert result.returncode != 0 and "no Together API key" in result.output, result.output
        assert [e for e in h.log_entries(emu) if e["method"] != "GET"] == []
        assert h.clusters(emu) == []


TWO_NAMED_ALIKE = """\
import together_pulumi as together

for name in ("a", "b"):
    together.GpuCluster(name, region="us-central-8", gpu_type="H100_SXM", num_gpus=8, cluster_name="shared-name")
"""

FREE_NAME = """\
import together_pulumi as together

together.GpuCluster("a", region="us-central-8", gpu_type="H100_SXM", num_gpus=8, cluster_name="My Cluster")
"""


@pytest.mark.parametrize(
    ("source", "says"),
    [(TWO_NAMED_ALIKE, "GpuCluster b and GpuCluster a both declare the cluster named 'shared-name'")],
    ids=["named-twice"],
)
def test_names_are_checked_at_preview(
    source: str, says: str, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, source=source)
    result = stack.preview_diff(check=False)
    assert result.returncode != 0 and says in result.output, result.output


def test_a_name_that_is_not_a_dns_label_is_not_refused(emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    """cluster_name is a free string in every public source: the provider does not invent a rule."""
    stack = h.program_stack(tmp_path, emu, engine_bin, source=FREE_NAME)
    result = stack.preview_diff()
    assert 'cluster_name          : "My Cluster"' in result.stdout, result.stdout
    assert_clean(result.output)
    assert h.clusters(emu) == []


def test_the_previewed_name_is_created_and_an_interrupted_create_is_taken_over(
    engine_bin: Path, tmp_path: Path
) -> None:
    """kill -9 of `pulumi up` while the cluster's POST is in flight: the cluster lands, the state holds
    only a pending create. After `pulumi cancel`, the next `up` finds it by its name and takes it over."""
    with start_emulator(provisioning_seconds=2) as emu:
        stack = h.program_stack(tmp_path, emu, engine_bin)
        diff = stack.preview_diff().stdout
        previewed = re.search(r'cluster_name\s*: "(gpu-[0-9a-f]{7})"', diff)
        assert previewed, diff
        name = previewed.group(1)

        emu.admin.set_faults(latency_ms=4000, methods=["POST"])  # the create takes 4 s to answer
        up = stack.start("up", "--yes")
        assert up.stdout is not None
        for line in up.stdout:  # until the engine has sent the create
            if "together:Cluster" in line and "creating" in line:
                break
        time.sleep(1.5)
        stack.kill(up)
        emu.admin.set_faults(latency_ms=0)
        deadline = time.monotonic() + 30
        while not h.clusters(emu) and time.monotonic() < deadline:
            time.sleep(0.2)  # the service carries the request out although its client is gone
        assert [c["cluster_name"] for c in h.clusters(emu)] == [name], "the create landed under the previewed name"
        assert stack.resources(h.CLUSTER_TYPE) == [], "the engine never recorded it"

        stack.pulumi("cancel", "--yes", check=False)  # a killed update leaves its lock behind
        result = stack.up()

        assert "taking it over" in result.output, result.output
        cluster = h.only_cluster(emu)
        assert cluster["cluster_name"] == name
        assert stack.only_resource(h.CLUSTER_TYPE)["id"] == cluster["cluster_id"]
        assert stack.outputs()["status"] == "Ready"
        assert len([e for e in h.log_entries(emu) if e["method"] == "POST" and e["route"] == h.CLUSTERS_ROUTE]) == 1
        stack.destroy()
        assert h.clusters(emu) == []


def test_an_explicitly_named_cluster_that_exists_is_refused_with_the_adoption_step(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    made = {"cluster_id": h.console_cluster(emu, "train")}
    source = h.CONFIGURABLE_PROGRAM.replace('"gpu",', '"gpu", cluster_name="train",')
    stack = h.program_stack(tmp_path, emu, engine_bin, source=source)
    with pytest.raises(CommandFailed) as failed:
        stack.up()
    output = failed.value.result.output
    assert f"existing_cluster_id='{made['cluster_id']}'" in output, output
    assert_clean(output)
    assert [c["cluster_id"] for c in h.clusters(emu)] == [made["cluster_id"]]
