"""``examples/per-team-environments`` run as its README says: a stack per pull request made and removed
by its Automation API script, and ``together-pulumi teardown`` cleaning the ones whose time passed.

The script runs as a subprocess in a copy of the example, against the emulator, with the state in a
file backend in a temporary directory; teardown judges the expiries two hours from now (``--now``),
so a one-hour environment is expired and a three-day one is not.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e import harness as h
from e2e.pulumi_cli import VENV_BIN, CommandResult, ProgramStack, copy_program
from e2e.test_examples import README_API_KEY, Readme
from emulator_process import DEFAULT_API_KEY, EmulatorProcess, start_emulator

from .stacks import backend_env, together_pulumi

pytestmark = pytest.mark.e2e

EXAMPLE = h.EXAMPLES / "per-team-environments"
PROJECT = "team-environments"


def _script(directory: Path, env: dict[str, str], *args: str) -> CommandResult:
    """``python environments.py ARGS`` in the example's directory, as the README runs it."""
    done = subprocess.run(
        [str(VENV_BIN / "python"), "environments.py", *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    result = CommandResult(("environments.py", *args), done.returncode, done.stdout, done.stderr)
    assert result.returncode == 0, result.output
    return result


class _NamedStack(ProgramStack):
    """One of several stacks of the same directory: every command names its stack (``--stack``)."""

    def pulumi(self, *args: str, check: bool = True, timeout: float = 600, stdin: str | None = None) -> CommandResult:
        return super().pulumi(*args, "--stack", self.stack, check=check, timeout=timeout, stdin=stdin)


def _cluster_ids(stack: ProgramStack) -> set[str]:
    return {r["id"] for r in stack.resources(h.CLUSTER_TYPE)}


def test_pull_request_stacks_made_by_the_script_and_cleaned_by_teardown(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    example = copy_program(EXAMPLE, tmp_path / "per-team-environments")
    env = backend_env(
        engine_bin, tmp_path / "home", None, {"TOGETHER_API_KEY": DEFAULT_API_KEY, "TOGETHER_BASE_URL": emu.base_url}
    )
    stacks = {name: _NamedStack(example, name, env) for name in ("pr-1", "pr-2", "pr-3")}

    # Three pull requests open: pr-1 and pr-3 for an hour, pr-2 for three days.
    _script(example, env, "up", "pr-1", "--ttl", "1h")
    made = _script(example, env, "up", "pr-2", "--ttl", "3d")
    _script(example, env, "up", "pr-3", "--ttl", "1h")
    assert "pr-2: succeeded, expires " in made.stdout and "cluster_id = t-" in made.stdout, made.output
    assert len(h.clusters(emu)) == 3
    assert all(c["num_gpus"] == 8 for c in h.clusters(emu))
    expires = stacks["pr-2"].pulumi("stack", "tag", "get", "together:expiresAt").stdout.strip()
    in_three_days = dt.datetime.fromisoformat(expires.replace("Z", "+00:00")) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=3) - dt.timedelta(minutes=5) < in_three_days <= dt.timedelta(days=3), expires

    # A new commit on pr-2, in a fresh checkout as a CI job has (no stack config file): the same
    # stack is updated in place, its cluster kept.
    pr2_cluster = _cluster_ids(stacks["pr-2"])
    checkout = copy_program(EXAMPLE, tmp_path / "checkout-2")
    assert not list(checkout.glob("Pulumi.*.yaml"))
    _script(checkout, env, "up", "pr-2", "--ttl", "3d")
    assert _cluster_ids(stacks["pr-2"]) == pr2_cluster and len(h.clusters(emu)) == 3

    # pr-3 is closed: the CI job on close destroys it and removes the stack.
    closed = _script(example, env, "destroy", "pr-3")
    assert "pr-3: destroyed and removed" in closed.stdout, closed.output
    listed = _script(example, env, "list").stdout
    assert [line.split("\t")[0] for line in listed.splitlines()] == ["pr-1", "pr-2"], listed
    assert len(h.clusters(emu)) == 2

    # pr-1 was forgotten. The nightly safety net, two hours on: a dry run first, then --yes.
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    dry = together_pulumi(env, "teardown", "--project", PROJECT, "--now", later, "--json")
    assert dry.returncode == 0, dry.output
    plan = {s["stack"]: s for s in json.loads(dry.stdout)["stacks"]}
    assert sorted(plan) == ["pr-1", "pr-2"], dry.stdout
    assert plan["pr-1"]["action"] == "destroy" and "tag together:expiresAt" in plan["pr-1"]["reason"]
    assert plan["pr-2"]["action"] == "keep", plan["pr-2"]
    assert len(h.clusters(emu)) == 2, "a dry run destroys nothing"

    done = together_pulumi(env, "teardown", "--project", PROJECT, "--now", later, "--yes")

    assert done.returncode == 0, done.output
    assert "team-environments/pr-1: deleted pulumi-python:dynamic/together:Cluster" in done.stderr, done.output
    assert stacks["pr-1"].resources(h.CLUSTER_TYPE) == []
    assert _cluster_ids(stacks["pr-2"]) == pr2_cluster
    h.assert_state_is_true(stacks["pr-2"], emu)  # the emulator holds exactly what pr-2 holds

    # The next night: nothing is left to destroy; pr-2 still stands.
    again = together_pulumi(env, "teardown", "--project", PROJECT, "--now", later, "--yes", "--json")
    assert again.returncode == 0, again.output
    actions = {s["stack"]: (s["action"], s["outcome"]) for s in json.loads(again.stdout)["stacks"]}
    assert actions == {"pr-1": ("skip", None), "pr-2": ("keep", None)}, again.stdout
    assert {c["cluster_id"] for c in h.clusters(emu)} == pr2_cluster


@pytest.fixture
def keyed_emulator() -> Iterator[EmulatorProcess]:
    """An emulator that accepts only the README's key."""
    with start_emulator(api_key=README_API_KEY) as process:
        yield process


def test_the_readme_block_as_written(keyed_emulator: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    """The README's commands typed line by line in a shell (only the emulator's port differs)."""
    emu = keyed_emulator
    readme = Readme("per-team-environments", emu, engine_bin, tmp_path)
    try:
        readme.through("python environments.py up pr-2")
        assert len(h.clusters(emu)) == 2
        listed = readme.through("python environments.py list")
        assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["pr-1", "pr-2"], listed.output
        readme.through("python environments.py destroy pr-2")
        assert len(h.clusters(emu)) == 1
        dry = readme.through("together-pulumi teardown")
        assert "would destroy 1 cluster (8 GPUs)" in dry.output and "team-environments/pr-1" in dry.output, dry.output
        assert len(h.clusters(emu)) == 1, "a dry run destroys nothing"
        readme.finish()
        assert h.clusters(emu) == [], "the teardown with --yes destroys the expired pr-1"
    finally:
        readme.close()
