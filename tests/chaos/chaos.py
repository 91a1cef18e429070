"""A seeded chaos run: a stack driven through the real CLI while the world misbehaves.

One run is one seed. It declares a SharedVolume and a GpuCluster attached to it, then walks them
through create, scale, growth, scale-down and destroy with plain ``pulumi up`` / ``pulumi destroy``.
Every attempt at a step may be disturbed, chosen by the seed:

* ``kill``: ``kill -9`` of the whole ``pulumi`` process group at a random moment, then
  ``pulumi cancel`` (what a cancelled CI job or a closed laptop leaves behind);
* ``restart``: the emulator is killed and started again from its state file on the same port;
* ``outage``: for a few seconds every API request has its connection cut;
* ``slow``: every API request takes up to 1.5 s longer;
* ``faults``: a share of requests answered 429/503 or cut, half of the 5xx and cuts after the
  change was made.

A disturbed attempt may fail; the step is then tried again (undisturbed after three tries), the
way a person re-runs ``pulumi up``. After every step that succeeds the invariants are checked: the
clusters and volumes at the emulator are exactly those in the stack state and exactly those
declared, no object is held by two resources, and after destroy nothing is left.
"""

from __future__ import annotations

import contextlib
import random
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from e2e import harness as h
from e2e.pulumi_cli import ProgramStack
from emulator_process import EmulatorProcess, start_emulator

PROGRAM = '''\
"""A volume and a cluster attached to it, sized by stack config (the chaos suite's program)."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
data = together.SharedVolume("data", region="us-central-8", size_tib=config.get_int("volumeTib") or 4)
cluster = together.GpuCluster(
    "train",
    region="us-central-8",
    gpu_type="H100_SXM",
    num_gpus=8 * (config.get_int("nodes") or 1),
    volume_id=data.volume_id,
)
pulumi.export("cluster_id", cluster.cluster_id)
pulumi.export("volume_id", data.volume_id)
'''

#: (command, config to set first) of every step; the last one destroys.
STEPS: tuple[tuple[str, dict[str, str]], ...] = (
    ("up", {"nodes": "1", "volumeTib": "4"}),
    ("up", {"nodes": "2"}),
    ("up", {"volumeTib": "6"}),
    ("up", {"nodes": "1"}),
    ("destroy", {}),
)
SHORT_STEPS = (STEPS[0], STEPS[1], STEPS[-1])

DISTURBANCES = ("none", "kill", "restart", "outage", "slow", "faults")
_UNDISTURBED_AFTER = 3
VOLUME_PROVISIONING_SECONDS = 0.5
_MAX_ATTEMPTS = 8
#: How much of a failed command's output a report keeps (its end, where pulumi says why).
_TAIL_CHARS = 4000


@dataclass
class Report:
    """What a run (or several) did and found."""

    runs: int = 0
    steps: int = 0
    attempts: int = 0
    failed_attempts: int = 0
    disturbances: Counter[str] = field(default_factory=Counter)
    injected_faults: int = 0
    duplicates: int = 0
    orphans: int = 0
    leftovers: int = 0
    shared_objects: int = 0
    violations: list[str] = field(default_factory=list)
    #: Every failed attempt, so that a failure says why: see :class:`Failure`.
    failures: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: Report) -> None:
        for name, value in asdict(other).items():
            if name == "disturbances":
                self.disturbances.update(other.disturbances)
            elif name in ("violations", "failures"):
                setattr(self, name, getattr(self, name) + getattr(other, name))
            else:
                setattr(self, name, getattr(self, name) + value)

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.disturbances.items()))
        return (
            f"{self.runs} runs, {self.steps} steps, {self.attempts} attempts ({self.failed_attempts} failed); "
            f"disturbances: {kinds}; {self.injected_faults} injected faults; duplicates {self.duplicates}, "
            f"orphans {self.orphans}, leftovers {self.leftovers}, objects held twice {self.shared_objects}"
        )

    def failures_text(self) -> str:
        """Every failed attempt: its step, disturbance, exit code, pending operations and output tail."""
        return "\n\n".join(Failure(**f).text() for f in self.failures)


@dataclass
class Failure:
    """One failed attempt at a step, as recorded for the report."""

    seed: int
    step: str
    attempt: int
    disturbance: str
    returncode: int | None
    output_tail: str
    #: The stack's pending operations after the attempt, before ``pulumi cancel`` (type, op, id).
    pending_operations: list[str]
    #: ``pulumi cancel``: its exit code and output tail.
    cancel: str
    #: The emulator's objects after the attempt (id and status).
    emulator_objects: list[str]

    def text(self) -> str:
        return (
            f"seed {self.seed}, step {self.step}, attempt {self.attempt} ({self.disturbance}): exit {self.returncode}; "
            f"pending operations {self.pending_operations}; emulator {self.emulator_objects}; cancel: {self.cancel}\n"
            f"--- output (tail) ---\n{self.output_tail}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RestartableEmulator:
    """An emulator with a state file on a fixed port, which can crash and come back."""

    def __init__(self, state_file: Path) -> None:
        self.state_file = state_file
        self.port = free_port()
        self._stack = contextlib.ExitStack()
        self.process: EmulatorProcess | None = None
        self.faults_seen = 0

    def start(self) -> EmulatorProcess:
        self.process = self._stack.enter_context(
            start_emulator(
                provisioning_seconds=2,
                deletion_seconds=1,
                volume_provisioning_seconds=VOLUME_PROVISIONING_SECONDS,
                state_file=self.state_file,
                port=self.port,
                seed=None,
            )
        )
        return self.process

    def crash_and_restart(self) -> None:
        """kill -9, then start again from the state file (what was committed survives)."""
        assert self.process is not None
        self.faults_seen += self.injected_faults()
        self.process.process.kill()
        self.process.process.wait()
        self._stack.close()
        self._stack = contextlib.ExitStack()
        self.start()

    def injected_faults(self) -> int:
        assert self.process is not None
        return sum(1 for e in h.log_entries(self.process) if e["fault"] is not None)

    @property
    def emu(self) -> EmulatorProcess:
        assert self.process is not None
        return self.process

    def close(self) -> None:
        self._stack.close()


@contextlib.contextmanager
def _disturbance(kind: str, rng: random.Random, emulator: RestartableEmulator, stack: ProgramStack) -> Iterator[None]:
    """Set up a disturbance that lasts the whole attempt (faults, slow); the timed ones act in run_step."""
    if kind == "faults":
        rate = rng.uniform(0.05, 0.2)
        emulator.emu.admin.set_faults(
            rate_429=rate, rate_503=rate, drop_rate=rate / 2, after_commit_ratio=0.5,
            retry_after_seconds=0.2, seed=rng.randrange(1 << 30),
        )  # fmt: skip
    elif kind == "slow":
        emulator.emu.admin.set_faults(latency_ms=rng.randint(200, 1500))
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            emulator.emu.admin.set_faults(
                rate_429=0, rate_500=0, rate_503=0, drop_rate=0, latency_ms=0, methods=None, path_prefix="/v1"
            )


@dataclass
class Attempt:
    """What one try at a step did: its exit code, the disturbance that really happened (``"<kind>
    missed"`` when the command ended before its moment came) and, when it failed, what it left."""

    returncode: int | None
    happened: str
    output: str = ""
    pending_operations: list[str] = field(default_factory=list)
    cancel: str = ""
    emulator_objects: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0


def _attempt(
    command: str, kind: str, rng: random.Random, emulator: RestartableEmulator, stack: ProgramStack, *, scripted: bool
) -> Attempt:
    """One try at a step. ``scripted``: the timed disturbance comes at its event (:func:`_scripted`),
    not at a random moment."""
    args = ("up", "--yes") if command == "up" else ("destroy", "--yes")
    with _disturbance(kind, rng, emulator, stack):
        process = stack.start(*args)
        with stack.killed_if_abandoned(process):
            if scripted:
                happened = _scripted(process, kind, emulator, stack)
            else:
                happened = _disturb(process, kind, rng, emulator, stack)
            process.wait(timeout=600)
        output = process.stdout.read() if process.stdout is not None else ""
    attempt = Attempt(process.returncode, happened, output)
    if not attempt.succeeded:
        attempt.pending_operations = _pending_operations(stack)
        attempt.emulator_objects = _emulator_objects(emulator)
        cancelled = stack.pulumi("cancel", "--yes", check=False)  # a killed update leaves its lock behind
        attempt.cancel = f"exit {cancelled.returncode}: {_tail(cancelled.output, 500)}"
    return attempt


def _tail(text: str, chars: int = _TAIL_CHARS) -> str:
    return text if len(text) <= chars else "..." + text[-chars:]


def _pending_operations(stack: ProgramStack) -> list[str]:
    """The stack's pending operations (``type op id``), or why they could not be read."""
    try:
        deployment = stack.export().get("deployment") or {}
    except Exception as exc:  # (a report must not fail for what it only records)
        return [f"stack export failed: {_tail(str(exc), 500)}"]
    return [
        f"{(p.get('resource') or {}).get('type')} {p.get('type')} {(p.get('resource') or {}).get('id') or ''}".strip()
        for p in deployment.get("pending_operations") or []
    ]


def _emulator_objects(emulator: RestartableEmulator) -> list[str]:
    try:
        state = emulator.emu.admin.state()
    except Exception as exc:
        return [f"emulator state failed: {exc}"]
    return [f"{c['cluster_id']} {c.get('status')}" for c in state["clusters"]] + [
        f"{v['volume_id']} {v.get('status')} bound_to={v.get('bound_to')}" for v in state["volumes"]
    ]


def _disturb(
    process: subprocess.Popen[str], kind: str, rng: random.Random, emulator: RestartableEmulator, stack: ProgramStack
) -> str:
    """Carry out a timed disturbance (kill, restart, outage) at a random moment of the running command;
    the one that really happened (``"<kind> missed"`` when the command ended first). Faults and
    slowness last the whole attempt (``_disturbance``)."""
    if kind not in ("kill", "restart", "outage"):
        return kind
    deadline = time.monotonic() + rng.uniform(0.5, 10.0)
    if not _observed(process, lambda: time.monotonic() >= deadline):
        return f"{kind} missed"
    if kind == "kill":
        stack.kill(process)
    elif kind == "restart":
        emulator.crash_and_restart()
    else:
        emulator.emu.admin.set_faults(drop_rate=1.0, after_commit_ratio=0.5)
        timer = threading.Timer(rng.uniform(2.0, 8.0), lambda: emulator.emu.admin.set_faults(drop_rate=0))
        timer.start()
        process.wait(timeout=600)
        timer.join()
    return kind


def _scripted(process: subprocess.Popen[str], kind: str, emulator: RestartableEmulator, stack: ProgramStack) -> str:
    """The short form's disturbances, each at an event seen in the emulator while its clock is frozen,
    so the command cannot finish first however fast the machine: ``kill`` once the cluster's create
    arrived (the clock moves only to make the volume usable), ``restart`` once the scale's PUT
    arrived, ``outage`` once the cluster's DELETE arrived, lasting until it has cut a request."""
    emu = emulator.emu
    emu.admin.set_clock_scale(0)
    try:
        if kind == "kill":
            if not _observed(process, lambda: bool(h.volumes(emu))):
                return "kill missed"
            emu.admin.advance_clock(VOLUME_PROVISIONING_SECONDS)  # not enough to bring the cluster up
            if not _observed(process, lambda: bool(h.clusters(emu))):
                return "kill missed"
            stack.kill(process)
        elif kind == "restart":
            if not _observed(process, lambda: _arrived(emu, "PUT", h.CLUSTER_ROUTE)):
                return "restart missed"
            emulator.crash_and_restart()  # it comes back with its clock running
        elif kind == "outage":
            if not _observed(process, lambda: _arrived(emu, "DELETE", h.CLUSTER_ROUTE)):
                return "outage missed"
            emu.admin.set_faults(drop_rate=1.0, after_commit_ratio=0.5)
            cut = _observed(process, lambda: any(e["fault"] == "drop" for e in _after(emu, "DELETE", h.CLUSTER_ROUTE)))
            emu.admin.set_faults(drop_rate=0)
            if not cut:
                return "outage missed"
        return kind
    finally:
        emulator.emu.admin.set_clock_scale(1)


def _observed(process: subprocess.Popen[str], event: Callable[[], bool]) -> bool:
    """Wait until ``event`` is true; False when the command ended first."""
    while process.poll() is None:
        if event():
            return True
        time.sleep(0.05)
    return False


def _arrived(emu: EmulatorProcess, method: str, route: str) -> bool:
    return any(e["method"] == method and e["route"] == route for e in h.log_entries(emu))


def _after(emu: EmulatorProcess, method: str, route: str) -> list[dict[str, Any]]:
    """The emulator's log after the first ``method route``."""
    log = h.log_entries(emu)
    first = next(i for i, e in enumerate(log) if e["method"] == method and e["route"] == route)
    return log[first + 1 :]


def _check(stack: ProgramStack, emulator: RestartableEmulator, declared: int, report: Report) -> None:
    """The invariants after a successful step."""
    state = stack.export().get("deployment") or {}
    resources = state.get("resources") or []
    for type_, route_key in ((h.CLUSTER_TYPE, "clusters"), (h.VOLUME_TYPE, "volumes")):
        in_state = [r["id"] for r in resources if r.get("type") == type_]
        objects = emulator.emu.admin.state()[route_key]
        live = [
            o["cluster_id" if route_key == "clusters" else "volume_id"]
            for o in objects
            if o.get("status") != "Deleting"
        ]
        dupes = max(0, len(live) - declared)
        orphans = len(set(live) - set(in_state))
        shared = len(in_state) - len(set(in_state))
        report.duplicates += dupes
        report.orphans += orphans
        report.shared_objects += shared
        if sorted(in_state) != sorted(live) or len(live) != declared or shared:
            report.violations.append(f"{type_}: state {in_state}, emulator {live}, declared {declared}")
    bound = [v.get("bound_to") for v in emulator.emu.admin.state()["volumes"]]
    if declared and bound != [next((r["id"] for r in resources if r.get("type") == h.CLUSTER_TYPE), None)]:
        report.violations.append(f"the volume is bound to {bound}, not to the stack's cluster")


def run(seed: int, workdir: Path, engine_bin: Path, *, short: bool = False) -> Report:
    """One seeded run; the report counts what happened and what was found."""
    rng = random.Random(seed)
    report = Report(runs=1)
    emulator = RestartableEmulator(workdir / "emulator-state.json")
    emulator.start()
    try:
        stack = h.program_stack(workdir, emulator.emu, engine_bin, source=PROGRAM)
        for command, config in SHORT_STEPS if short else STEPS:
            for key, value in config.items():
                stack.set_config(key, value)
            report.steps += 1
            for attempt in range(1, _MAX_ATTEMPTS + 1):
                kind = rng.choice(DISTURBANCES) if attempt <= _UNDISTURBED_AFTER else "none"
                # The short form always disturbs: it kills the create once the cluster was sent, then
                # restarts the emulator during the scale and cuts connections during the destroy.
                scripted = short and attempt == 1
                if scripted:
                    kind = ("outage", "kill", "restart")[report.steps % 3]
                report.attempts += 1
                tried = _attempt(command, kind, rng, emulator, stack, scripted=scripted)
                report.disturbances[tried.happened] += 1
                if tried.succeeded:
                    break
                report.failed_attempts += 1
                failure = Failure(
                    seed, f"{command} {config}", attempt, tried.happened, tried.returncode, _tail(tried.output),
                    tried.pending_operations, tried.cancel, tried.emulator_objects,
                )  # fmt: skip
                report.failures.append(asdict(failure))
            else:
                report.violations.append(f"step {command} {config} never succeeded")
                break
            _check(stack, emulator, 0 if command == "destroy" else 1, report)
        final = emulator.emu.admin.state()
        report.leftovers = len(final["clusters"]) + len(final["volumes"])
        if report.leftovers:
            report.violations.append(f"left at the emulator: {_emulator_objects(emulator)}")
        report.injected_faults = emulator.faults_seen + emulator.injected_faults()
    finally:
        emulator.close()
    return report


def as_dict(report: Report) -> dict[str, Any]:
    data = asdict(report)
    data["disturbances"] = dict(report.disturbances)
    return data
