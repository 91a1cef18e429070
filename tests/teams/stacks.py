"""Stacks of the team tests: program directories run with the plain CLI on a chosen backend."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from backend_servers import StateServer
from e2e.harness import CONFIGURABLE_PROGRAM, FAST_POLL_ENV
from e2e.pulumi_cli import ProgramStack, user_env, write_program
from emulator_process import DEFAULT_API_KEY, EmulatorProcess

__all__ = ["backend_env", "backend_stack"]


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
