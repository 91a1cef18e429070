"""Ctrl-C and a killed CLI, through the plain CLI: one Ctrl-C (or SIGTERM) ends a wait for Ready (the
cluster stays in the state and the next `up` resumes) or for a deletion (the next `destroy` finishes),
and a provider process does not outlive its engine."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess, start_emulator

from . import harness as h
from .pulumi_cli import _descendants

pytestmark = pytest.mark.e2e

#: Long enough that a test which waited for Ready would run into its own time limit.
BRING_UP_SECONDS = 3600


def wait_for_ready_begins(up: subprocess.Popen[str], emulator: EmulatorProcess) -> list[str]:
    """Read the CLI's output until the readiness part started, then until the emulator has a poll of the
    cluster after it: the provider is inside its wait for Ready. The lines read so far."""
    assert up.stdout is not None
    lines: list[str] = []
    for line in up.stdout:
        lines.append(line)
        if "together:ClusterReadiness" in line and "creating" in line:
            break
    else:
        pytest.fail("pulumi up ended before the wait for Ready:\n" + "".join(lines))
    polls = _cluster_polls(emulator)
    while _cluster_polls(emulator) <= polls:
        assert up.poll() is None, "pulumi up ended during the wait:\n" + "".join(lines)
        time.sleep(0.1)  # the next poll of a 1 s interval (FAST_POLL_ENV)
    return lines


def _cluster_polls(emulator: EmulatorProcess) -> int:
    """Reads of the cluster's status: waits share a list of clusters (or fetch one they cannot see)."""
    routes = (h.CLUSTER_ROUTE, h.CLUSTERS_ROUTE)
    return sum(1 for e in h.log_entries(emulator) if e["method"] == "GET" and e["route"] in routes)


# SIGTERM: what many CI systems send first when a job is cancelled; the engine treats it as Ctrl-C.
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_one_ctrl_c_ends_the_wait_for_ready_and_the_next_up_resumes(
    sig: signal.Signals, engine_bin: Path, tmp_path: Path
) -> None:
    with start_emulator(provisioning_seconds=BRING_UP_SECONDS) as emulator:
        emulator.admin.set_clock_scale(1)  # real time: Ready is an hour away unless the test moves the clock
        stack = h.program_stack(tmp_path, emulator, engine_bin)
        up = stack.start("up", "--yes")
        with stack.killed_if_abandoned(up):
            lines = wait_for_ready_begins(up, emulator)
            interrupted = time.monotonic()
            os.killpg(up.pid, sig)  # what one Ctrl-C in a terminal does (SIGINT to the CLI's process group)
            rest, _ = up.communicate(timeout=120)  # far below the hour the wait would otherwise take
        print(f"pulumi up ended {time.monotonic() - interrupted:.1f}s after {sig.name}")
        output = "".join(lines) + rest

        assert up.returncode != 0, output
        cluster = h.only_cluster(emulator)
        assert cluster["status"] != "Ready", "pulumi up ended without waiting for Ready"
        cluster_id = cluster["cluster_id"]
        assert f"({cluster_id}): stopped waiting for Ready" in output, output
        assert "stays in the stack state: run `pulumi up` again to resume waiting" in output, output
        assert "Traceback" not in output, output
        assert stack.only_resource(h.CLUSTER_TYPE)["id"] == cluster_id
        assert stack.resources(h.READINESS_TYPE) == []

        emulator.admin.advance_clock(BRING_UP_SECONDS)
        result = stack.up()

        assert stack.outputs()["status"] == "Ready", result.output
        assert stack.outputs()["cluster_id"] == cluster_id
        assert len(h.applied_creates(emulator)) == 1, "one cluster was ever created"
        stack.destroy()
        assert h.clusters(emulator) == []


def test_one_ctrl_c_ends_the_wait_of_a_destroy_and_the_next_destroy_finishes(engine_bin: Path, tmp_path: Path) -> None:
    with start_emulator(deletion_seconds=BRING_UP_SECONDS) as emulator:
        stack = h.program_stack(tmp_path, emulator, engine_bin)
        stack.up()
        cluster_id = h.only_cluster(emulator)["cluster_id"]
        emulator.admin.set_clock_scale(1)  # the deletion takes an hour of real time
        destroy = stack.start("destroy", "--yes")
        with stack.killed_if_abandoned(destroy):
            while not any(e["method"] == "DELETE" for e in h.log_entries(emulator)):
                assert destroy.poll() is None, "pulumi destroy ended before deleting"
                time.sleep(0.1)  # until the deletion was sent
            polls = _cluster_polls(emulator)
            while _cluster_polls(emulator) <= polls:
                time.sleep(0.1)  # until the wait for it to be gone polled
            os.killpg(destroy.pid, signal.SIGINT)
            output, _ = destroy.communicate(timeout=120)

        assert destroy.returncode != 0, output
        assert f"({cluster_id}): stopped waiting after" in output, output
        assert "It stays in the stack state; run the same command again to resume waiting" in output, output
        assert h.only_cluster(emulator)["status"] == "Deleting"
        assert stack.only_resource(h.CLUSTER_TYPE)["id"] == cluster_id

        emulator.admin.advance_clock(BRING_UP_SECONDS)
        stack.destroy()
        assert h.clusters(emulator) == []
        assert stack.resources(h.CLUSTER_TYPE) == []


def test_a_killed_pulumi_leaves_no_provider_process_behind(engine_bin: Path, tmp_path: Path) -> None:
    with start_emulator(provisioning_seconds=BRING_UP_SECONDS) as emulator:
        emulator.admin.set_clock_scale(1)
        stack = h.program_stack(tmp_path, emulator, engine_bin)
        up = stack.start("up", "--yes")
        with stack.killed_if_abandoned(up), _process_handles() as handles:
            wait_for_ready_begins(up, emulator)
            handles.update({pid: os.pidfd_open(pid) for pid in _descendants(up.pid)})
            providers = {pid for pid in handles if "pulumi.dynamic" in _cmdline(pid)}
            assert providers, "no dynamic provider process found below pulumi"
            os.kill(up.pid, signal.SIGKILL)  # the CLI alone, as an OOM kill or `kill -9 <pid>` would
            up.wait()
            killed = time.monotonic()

            still_running = _wait_for_exit({handles[pid] for pid in providers}, timeout=120)
            print(f"the provider process exited {time.monotonic() - killed:.1f}s after kill -9 of pulumi")

            assert still_running == 0, "the provider process outlived its engine (and polls the API)"
        assert h.only_cluster(emulator)["status"] != "Ready"
        stack.pulumi("cancel", "--yes", check=False)  # the killed update's lock
        emulator.admin.advance_clock(BRING_UP_SECONDS)
        stack.up()
        assert stack.outputs()["status"] == "Ready"
        stack.destroy()


@contextlib.contextmanager
def _process_handles() -> Iterator[dict[int, int]]:
    """pidfds by pid, of processes a test started; whichever still runs at the end is killed (a pidfd
    names its process for good, so a reused pid is never hit)."""
    handles: dict[int, int] = {}
    try:
        yield handles
    finally:
        for fd in handles.values():
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            os.close(fd)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait_for_exit(pidfds: set[int], *, timeout: float) -> int:
    """Wait (on pidfds, no polling) until every process exited; how many still run at ``timeout``."""
    deadline = time.monotonic() + timeout
    while pidfds and (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select(list(pidfds), [], [], left)
        pidfds -= set(ready)
    return len(pidfds)
