"""`make bench`: fleet figures through the plain CLI, each printed as a ratio beside its goal.

Not part of `make test` (marker ``bench``): it measures, it asserts no speed. Each ratio compares two
runs of the same machine in the same session, so it means the same on a fast or a slow machine:

- the preview of an unchanged stack of N clusters with volumes: API calls, and its time over the
  preview of the same number of no-op dynamic resources (goal: at most 3 calls, at most 1.3x);
- the `up` of those N clusters with volumes (instant emulator): list calls, and its time over the
  `up` of 2N no-op dynamic resources (goal: lists a fixed number of times, at most 1.3x); times are
  the fastest of BENCH_ROUNDS (3) interleaved runs;
- K clusters waiting together: status requests per minute for the whole stack, as the most in any
  60 s (what a rate limit counts; goal: at most 12 at K = 48), how long a Ready cluster went unread
  (goal: within 5 s) and how long after the last one became Ready the `up` ended;
- a fleet across three regions: its `up` over one provisioning time (goal: at most 1.15x).

Sizes come from the environment: BENCH_N (10), BENCH_WAITING (48), BENCH_FLEET (100),
BENCH_PROVISIONING_SECONDS (60), BENCH_ROUNDS (3). BENCH_REPORT=file also writes the table there.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from e2e import harness as h
from e2e.pulumi_cli import ProgramStack
from emulator_process import EmulatorProcess, start_emulator

pytestmark = pytest.mark.bench

N = int(os.environ.get("BENCH_N", "10"))
WAITING = int(os.environ.get("BENCH_WAITING", "48"))
FLEET = int(os.environ.get("BENCH_FLEET", "100"))
PROVISIONING = float(os.environ.get("BENCH_PROVISIONING_SECONDS", "60"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
INSTANT_POLL = 0.2

CLUSTERS = '''\
"""N clusters, each with its own volume, spread over regions (from config)."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
regions = [("us-central-8", "H200_SXM"), ("us-central-4", "H200_SXM"), ("us-west-2", "B200_SXM")]
spread = config.get_int("regions") or 1
volumes = config.get_bool("volumes")
for i in range(config.get_int("n") or 1):
    region, gpu = regions[i % spread]
    data = together.SharedVolume(f"data{i}", region=region, size_tib=1) if volumes else None
    together.GpuCluster(f"c{i}", region=region, gpu_type=gpu, num_gpus=8, volume_id=data.id if data else None)
'''

NOOPS = '''\
"""N no-op dynamic resources: the engine's and the dynamic host's own cost, for comparison."""

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider


class Noop(ResourceProvider):
    def create(self, props):
        return CreateResult("noop", {})

    def diff(self, _id, olds, news):
        return DiffResult(changes=False)


class NoopResource(Resource):
    def __init__(self, name, opts=None):
        super().__init__(Noop(), name, {}, opts)


class NoopComponent(pulumi.ComponentResource):
    """Shaped like a GpuCluster or a SharedVolume: a component with two dynamic children."""

    def __init__(self, name):
        super().__init__("bench:index:Noop", name, None, None)
        NoopResource(f"{name}-a", pulumi.ResourceOptions(parent=self))
        NoopResource(f"{name}-b", pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


shaped = pulumi.Config().get_bool("components")
for i in range(pulumi.Config().get_int("n") or 1):
    NoopComponent(f"noop{i}") if shaped else NoopResource(f"noop{i}")
'''

_rows: list[tuple[str, str, str]] = []


def _timed(stack: ProgramStack, *args: str) -> float:
    start = time.monotonic()
    stack.pulumi(*args)
    return time.monotonic() - start


def _calls(emu: EmulatorProcess) -> Counter[str]:
    return Counter(f"{e['method']} {e['route']}" for e in h.log_entries(emu))


def _row(figure: str, value: str, goal: str) -> None:
    _rows.append((figure, value, goal))
    print(f"{figure:<62} {value:>14}   goal {goal}", flush=True)


@pytest.fixture(scope="module", autouse=True)
def _table() -> object:
    yield None
    lines = ["| figure | measured | goal |", "|---|---:|---|", *(f"| {f} | {v} | {g} |" for f, v, g in _rows)]
    machine = f"{os.cpu_count()} cores, {os.uname().machine}, {os.uname().sysname} {os.uname().release}"
    text = "\n".join([*lines, "", f"Machine: {machine}."])
    print("\n" + text, flush=True)
    if os.environ.get("BENCH_REPORT"):
        Path(os.environ["BENCH_REPORT"]).write_text(text + "\n")


def test_preview_and_up_of_n_clusters_with_volumes(engine_bin: Path, tmp_path: Path) -> None:
    with start_emulator(provisioning_seconds=0, volume_provisioning_seconds=0) as emu:
        noops = h.program_stack(tmp_path / "noops", emu, engine_bin, source=NOOPS, config={"n": str(2 * N)})
        # The same engine resources as the fleet (a component with two children per cluster or volume):
        # what the provider itself adds.
        shaped = h.program_stack(
            tmp_path / "shaped", emu, engine_bin, source=NOOPS, config={"n": str(2 * N), "components": "true"}
        )
        fleet = h.program_stack(
            tmp_path / "fleet", emu, engine_bin, source=CLUSTERS, config={"n": str(N), "volumes": "true"}
        )
        # Nothing to wait for here: a short poll period, so the figure is the provider's work rather
        # than one poll period (what that costs is in docs/large-stacks.md).
        fleet.env["TOGETHER_PULUMI_MAX_POLL_SECONDS"] = str(INSTANT_POLL)
        ups: dict[str, list[float]] = {"noops": [], "shaped": [], "fleet": []}
        up_calls: Counter[str] = Counter()
        for _round in range(ROUNDS):  # interleaved, the fastest of each: noise on a shared machine is one-sided
            for name, stack in (("noops", noops), ("shaped", shaped), ("fleet", fleet)):
                if name == "fleet":
                    emu.admin.clear_requests()
                ups[name].append(_timed(stack, "up", "--yes", "--skip-preview"))
                if name == "fleet":
                    up_calls = _calls(emu)
                if _round < ROUNDS - 1:
                    stack.destroy()
        previews: dict[str, list[float]] = {"noops": [], "shaped": [], "fleet": []}
        emu.admin.clear_requests()
        for _round in range(ROUNDS):
            for name, stack in (("noops", noops), ("shaped", shaped), ("fleet", fleet)):
                previews[name].append(_timed(stack, "preview"))
        preview_calls = sum(_calls(emu).values()) / ROUNDS
        noop_up, shaped_up, fleet_up = (min(ups[k]) for k in ("noops", "shaped", "fleet"))
        noop_preview, shaped_preview, fleet_preview = (min(previews[k]) for k in ("noops", "shaped", "fleet"))

        lists = up_calls[f"GET {h.CLUSTERS_ROUTE}"] + up_calls[f"GET {h.VOLUMES_ROUTE}"]
        _row(f"preview, unchanged {N} clusters + {N} volumes: API calls", f"{preview_calls:.0f}", "<= 3")
        _row(f"  its time / preview of {2 * N} no-op resources", f"{fleet_preview / noop_preview:.2f}x", "<= 1.3x")
        _row(f"  its time / preview of {2 * N} no-op components", f"{fleet_preview / shaped_preview:.2f}x", "(shape)")
        _row(f"  seconds: {2 * N} no-op resources, no-op components, fleet", _seconds(previews), "(fastest)")
        _row(f"up of {N} clusters + {N} volumes: list calls", str(lists), "fixed, not per resource")
        _row(f"  its time / up of {2 * N} no-op resources", f"{fleet_up / noop_up:.2f}x", "<= 1.3x")
        _row(f"  its time / up of {2 * N} no-op components", f"{fleet_up / shaped_up:.2f}x", "(shape)")
        _row(f"  seconds: {2 * N} no-op resources, no-op components, fleet", _seconds(ups), "(fastest)")
        fleet.destroy()


def _seconds(runs: dict[str, list[float]]) -> str:
    return ", ".join(f"{min(times):.2f}" for times in runs.values())


def test_clusters_waiting_together(engine_bin: Path, tmp_path: Path) -> None:
    with start_emulator(provisioning_seconds=PROVISIONING) as emu:
        emu.admin.set_capacity("us-central-8", "H200_SXM", 8 * WAITING)
        stack = h.program_stack(tmp_path / "wait", emu, engine_bin, source=CLUSTERS, config={"n": str(WAITING)})
        stack.env.pop("TOGETHER_PULUMI_MAX_POLL_SECONDS", None)  # production poll periods
        emu.admin.clear_requests()
        start = time.monotonic()
        stack.pulumi("up", "--yes", "--skip-preview")
        took, ended = time.monotonic() - start, datetime.now(UTC)
        entries = h.log_entries(emu)
        status = [e for e in entries if e["method"] == "GET" and e["route"] in (h.CLUSTERS_ROUTE, h.CLUSTER_ROUTE)]
        # The emulator's clock runs at wall speed here: each cluster is Ready PROVISIONING after its create.
        created = [datetime.fromisoformat(c["created_at"].replace("Z", "+00:00")).timestamp() for c in h.clusters(emu)]
        polls = [e["answered_at"] for e in status if e["answered_at"] >= min(created)]  # (not the look-up before)
        unseen = max(min(t for t in polls if t >= c + PROVISIONING) - (c + PROVISIONING) for c in created)
        last_ready = max(created) + PROVISIONING
        # What an API's rate limit counts: requests in any minute, timestamped where they are answered.
        _row(f"{WAITING} clusters waiting: most status requests in any 60 s", str(_most_in_a_minute(polls)), "<= 12")
        window = ended.timestamp() - min(created)
        _row("  status requests from the first create to the end", f"{len(polls)} in {window:.1f} s", "(count)")
        every = _most_in_a_minute([e["answered_at"] for e in status])
        _row("  most cluster reads in any 60 s, the look-up before the creates too", str(every), "(info)")
        _row("  longest a Ready cluster went unread", f"{unseen:.1f} s", "<= 5 s")
        _row("  up ended after the last cluster was Ready", f"{ended.timestamp() - last_ready:.1f} s", "(engine)")
        _row(f"  up time / provisioning time ({PROVISIONING:.0f} s)", f"{took / PROVISIONING:.2f}x", "(info)")
        stack.destroy()


def _most_in_a_minute(times: list[float]) -> int:
    return max((sum(1 for t in times if s <= t < s + 60) for s in times), default=0)


def test_a_fleet_across_three_regions(engine_bin: Path, tmp_path: Path) -> None:
    with start_emulator(provisioning_seconds=PROVISIONING) as emu:
        for region, gpu in (("us-central-8", "H200_SXM"), ("us-central-4", "H200_SXM"), ("us-west-2", "B200_SXM")):
            emu.admin.set_capacity(region, gpu, 8 * FLEET)
        stack = h.program_stack(
            tmp_path / "fleet", emu, engine_bin, source=CLUSTERS, config={"n": str(FLEET), "regions": "3"}
        )
        stack.env.pop("TOGETHER_PULUMI_MAX_POLL_SECONDS", None)
        began = datetime.now(UTC)
        took = _timed(stack, "up", "--yes", "--skip-preview")
        _row(f"up of {FLEET} clusters in 3 regions / provisioning time", f"{took / PROVISIONING:.2f}x", "<= 1.15x")
        created = sorted(datetime.fromisoformat(c["created_at"].replace("Z", "+00:00")) for c in h.clusters(emu))
        _row("  first create after the up began", f"{(created[0] - began).total_seconds():.1f} s", "(startup)")
        _row("  last create after the first", f"{(created[-1] - created[0]).total_seconds():.1f} s", "(creates)")
        emu.admin.clear_requests()
        stack.preview()
        _row("  then its unchanged preview: API calls", str(sum(_calls(emu).values())), "<= 3")
        stack.destroy()
