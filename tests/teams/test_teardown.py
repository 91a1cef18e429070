"""``together-pulumi teardown`` through the Automation API, on a file backend and on PostgreSQL.

Stacks of two projects are made with the plain CLI against the emulator; teardown's dry run changes
nothing and says what it would do; ``--yes`` destroys what is due, keeps protected resources, skips
a stack with a pending operation, and logs every object it deletes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend_servers import StateServer
from e2e import harness as h
from emulator_process import EmulatorProcess, start_emulator

from .stacks import PROTECTED_PROGRAM, backend_env, backend_stack, killed_up, together_pulumi

pytestmark = pytest.mark.e2e

PAST = "2020-01-01T00:00:00Z"


@pytest.fixture
def slow_emulator() -> Iterator[EmulatorProcess]:
    """Clusters take an hour of real time to be Ready: an `up` stays in its wait until killed."""
    with start_emulator(provisioning_seconds=3600) as emulator:
        emulator.admin.set_clock_scale(1)
        yield emulator


def _by_stack(result_stdout: str) -> dict[str, dict[str, Any]]:
    doc = json.loads(result_stdout)
    return {f"{s['project']}/{s['stack']}": s for s in doc["stacks"]}


@pytest.mark.parametrize("backend", ["file", "postgres"])
def test_teardown_destroys_what_is_due_and_only_that(
    backend: str, request: pytest.FixtureRequest, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    server: StateServer | None = request.getfixturevalue("postgres_server") if backend == "postgres" else None
    env = backend_env(engine_bin, tmp_path / "home", server)
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    expired = backend_stack(tmp_path, emu, env, project="team-a", stack="pr-1")
    expired.pulumi("stack", "tag", "set", "together:expiresAt", PAST)
    later = backend_stack(tmp_path, emu, env, project="team-a", stack="pr-2", config={"together:expiresAt": future})
    main = backend_stack(tmp_path, emu, env, project="team-a", stack="main")
    slow = request.getfixturevalue("slow_emulator")
    pending = backend_stack(tmp_path, slow, env, project="team-a", stack="pr-4")
    protected = backend_stack(tmp_path, emu, env, project="team-b", stack="pr-3", source=PROTECTED_PROGRAM)
    for stack in (expired, later, main, protected):
        stack.up()
    killed_up(pending, slow)
    before = {c["cluster_id"] for c in h.clusters(emu)}
    assert len(before) == 4

    dry = together_pulumi(env, "teardown", "--stacks", "pr-*", "--json")

    assert dry.returncode == 0, dry.output
    plan = _by_stack(dry.stdout)
    assert sorted(plan) == ["team-a/pr-1", "team-a/pr-2", "team-a/pr-4", "team-b/pr-3"]
    assert plan["team-a/pr-1"]["action"] == "destroy" and "tag together:expiresAt" in plan["team-a/pr-1"]["reason"]
    assert plan["team-a/pr-2"]["action"] == "keep" and "config together:expiresAt" in plan["team-a/pr-2"]["reason"]
    assert plan["team-a/pr-4"]["action"] == "skip" and plan["team-a/pr-4"]["pending_operations"]
    assert plan["team-b/pr-3"]["action"] == "destroy" and plan["team-b/pr-3"]["protected"]
    assert plan["team-a/pr-1"]["num_gpus"] == 8
    assert {c["cluster_id"] for c in h.clusters(emu)} == before, "a dry run destroys nothing"

    done = together_pulumi(env, "teardown", "--stacks", "pr-*", "--yes", "--parallel", "2")

    assert done.returncode == 0, done.output
    assert len(h.clusters(emu)) == 2, done.output  # pr-2 (not due) and main (not selected)
    assert len(h.clusters(slow)) == 1, "the stack with a pending operation is not touched"
    assert expired.resources(h.CLUSTER_TYPE) == [] and protected.resources(h.CLUSTER_TYPE) == []
    assert len(protected.resources(h.VOLUME_TYPE)) == 1, "the protected volume stays"
    assert len(h.volumes(emu)) == 1
    assert "skipped: pending operation" in done.stdout
    assert "team-a/pr-1: deleted pulumi-python:dynamic/together:Cluster" in done.stderr, done.stderr
    assert "keeps protected: data" in done.stdout
    if server is not None:
        assert server.secret not in done.output, "the backend password is printed"

    aged = together_pulumi(
        env,
        "teardown",
        "--project",
        "team-a",
        "--older-than",
        "1h",
        "--now",
        (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat(),
        "--json",
    )
    assert aged.returncode == 0, aged.output
    plan = _by_stack(aged.stdout)
    assert plan["team-a/main"]["action"] == "destroy" and "older than 1h" in plan["team-a/main"]["reason"]
    assert plan["team-a/pr-2"]["action"] == "keep", "its own expiry wins over the age rule"
    assert "team-b/pr-3" not in plan
