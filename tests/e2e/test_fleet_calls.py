"""API traffic that does not grow with the stack: counted in the emulator's request log, never timed.

A preview of an unchanged stack asks the API the same few things whatever the number of clusters and
volumes; an `up` of N new clusters with volumes lists clusters and volumes a fixed number of times
and waits for Ready through one shared list per poll, not a GET per cluster.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess, start_emulator

from . import harness as h
from .pulumi_cli import ProgramStack

pytestmark = pytest.mark.e2e

FLEET = '''\
"""N clusters, each with its own volume (N from config)."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
for i in range(config.get_int("n") or 1):
    data = together.SharedVolume(f"data{i}", region="us-central-8", size_tib=1)
    together.GpuCluster(f"train{i}", region="us-central-8", gpu_type="H100_SXM", num_gpus=8, volume_id=data.id)
'''


def _calls(emu: EmulatorProcess) -> Counter[str]:
    """API requests by method and route (the admin API is not logged)."""
    return Counter(f"{e['method']} {e['route']}" for e in h.log_entries(emu))


def _fleet(tmp_path: Path, emu: EmulatorProcess, engine_bin: Path, n: int) -> tuple[ProgramStack, Counter[str]]:
    stack = h.program_stack(tmp_path / f"n{n}", emu, engine_bin, source=FLEET, config={"n": str(n)})
    emu.admin.clear_requests()
    stack.pulumi("up", "--yes", "--skip-preview")
    return stack, _calls(emu)


@pytest.mark.parametrize("n", [1, 4])
def test_up_and_an_unchanged_preview_ask_the_api_the_same_whatever_the_fleet_size(
    n: int, engine_bin: Path, tmp_path: Path
) -> None:
    with start_emulator(provisioning_seconds=2, volume_provisioning_seconds=1) as emu:
        stack, up = _fleet(tmp_path, emu, engine_bin, n)
        lists = up[f"GET {h.CLUSTERS_ROUTE}"], up[f"GET {h.VOLUMES_ROUTE}"]
        assert up[f"POST {h.CLUSTERS_ROUTE}"] == n and up[f"POST {h.VOLUMES_ROUTE}"] == n, up
        # No GET per cluster or volume while waiting: the waits share one list per poll period.
        assert up[f"GET {h.CLUSTER_ROUTE}"] == 0, up
        assert up["GET /v1/compute/clusters/storage/volumes/{volume_id}"] <= n, (
            up
        )  # each new cluster checks its volume_id
        # Lists: one per kind for the look-ups before the creates, plus the shared polls while
        # waiting (a few seconds of provisioning, whatever n is).
        assert all(count <= 8 for count in lists), up

        emu.admin.clear_requests()
        stack.preview()
        preview = _calls(emu)
        assert sum(preview.values()) <= 3, preview  # identity and the region catalogue
        h.assert_state_is_true(stack, emu)
