"""Stacks of the team tests: program directories run with the plain CLI on a chosen backend."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from backend_servers import StateServer
from e2e.harness import CONFIGURABLE_PROGRAM, FAST_POLL_ENV
from e2e.pulumi_cli import VENV_BIN, CommandResult, ProgramStack, user_env, write_program
from e2e.test_interrupts import wait_for_ready_begins
from emulator_process import DEFAULT_API_KEY, EmulatorProcess

__all__ = ["PROTECTED_PROGRAM", "backend_env", "backend_stack", "killed_up", "together_pulumi"]


def backend_env(
    engine_bin: Path, home: Path, server: StateServer | None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A user's environment (``e2e.pulumi_cli.user_env``) with the state in ``server``, or in a file
    backend under ``home`` when None; the passphrase secrets provider either way."""
    env = user_env(engine_bin, home, {**FAST_POLL_ENV, **(extra or {})})
    if server is not None:
        env.update(server.env)
        env["PULUMI_BACKEND_URL"] = server.backend_url
    return env


def backend_stack(
    tmp_path: Path,
    emulator: EmulatorProcess,
    env: Mapping[str, str],
    *,
    stack: str = "e2e",
    project: str = "together-e2e",
    source: str = CONFIGURABLE_PROGRAM,
    config: Mapping[str, str] | None = None,
    api_key: str = DEFAULT_API_KEY,
) -> ProgramStack:
    """``pulumi stack init`` of a program of ``project`` (its own directory), configured for the emulator."""
    program = write_program(tmp_path / f"{project}-{stack}", source, project=project)
    made = ProgramStack(program, stack, env)
    made.init(config={"together:baseUrl": emulator.base_url, **(config or {})}, secrets={"together:apiKey": api_key})
    return made


#: A cluster beside a protected volume: a teardown destroys the cluster and keeps the volume.
PROTECTED_PROGRAM = """\
import pulumi

import together_pulumi as together

data = together.SharedVolume(
    "data", together.SharedVolumeArgs(region="us-central-8", size_tib=1), opts=pulumi.ResourceOptions(protect=True)
)
gpu = together.GpuCluster("gpu", region="us-central-8", gpu_type="H100_SXM", num_gpus=8)
pulumi.export("volume_id", data.volume_id)
"""


def together_pulumi(env: Mapping[str, str], *args: str, cwd: Path | None = None) -> CommandResult:
    """The ``together-pulumi`` console script of this virtualenv, run as a user runs it."""
    done = subprocess.run(
        [str(VENV_BIN / "together-pulumi"), *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return CommandResult(("together-pulumi", *args), done.returncode, done.stdout, done.stderr)


def killed_up(stack: ProgramStack, emulator: EmulatorProcess) -> None:
    """``pulumi up`` killed (kill -9, as a cancelled CI job) while it waits for its cluster to be Ready:
    the state keeps a pending operation, and the stack keeps the dead run's lock."""
    up = stack.start("up", "--yes")
    with stack.killed_if_abandoned(up):
        wait_for_ready_begins(up, emulator)
        ProgramStack.kill(up)
    assert stack.export(show_secrets=False)["deployment"].get("pending_operations"), "no pending operation"
