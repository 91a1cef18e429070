"""Shared state on real servers: Pulumi's PostgreSQL and S3 backends, each run by the test.

For each backend, through the plain CLI: ``stack init``, ``up``, a second ``up`` of the same stack
started while the first one runs (refused by the stack lock, changing nothing), ``refresh``,
``destroy``; the API key stays encrypted at rest (read straight from the server's storage).
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path

import pytest

from backend_servers import StateServer, psql
from e2e import harness as h
from e2e.test_interrupts import wait_for_ready_begins
from emulator_process import start_emulator

from .stacks import backend_env, backend_stack

pytestmark = pytest.mark.e2e

BRING_UP_SECONDS = 3600  # the first `up` waits for Ready until the test moves the emulator's clock
LOCKED = "the stack is currently locked"


def _at_rest(server: StateServer, backend: str) -> str:
    """Everything the backend stores, as the server holds it."""
    if backend == "postgres":  # one row per file: key, {"data": base64 of its bytes}, time
        rows = psql(server, "SELECT data FROM pulumi_state").splitlines()
        return "\n".join(base64.b64decode(json.loads(row)["data"]).decode(errors="replace") for row in rows)
    files = [p for p in server.data_dir.rglob("*") if p.is_file()]
    return "\n".join(p.read_text(errors="replace") for p in files)


@pytest.mark.parametrize("backend", ["postgres", "s3"])
def test_a_stack_on_a_shared_backend_is_locked_while_it_runs(
    backend: str, request: pytest.FixtureRequest, engine_bin: Path, tmp_path: Path
) -> None:
    server: StateServer = request.getfixturevalue(f"{backend}_server")
    api_key = f"key-{secrets.token_hex(8)}"
    with start_emulator(provisioning_seconds=BRING_UP_SECONDS, api_key=api_key) as emulator:
        emulator.admin.set_clock_scale(1)
        env = backend_env(engine_bin, tmp_path / "home", server)
        stack = backend_stack(tmp_path, emulator, env, api_key=api_key)
        first = stack.start("up", "--yes")
        with stack.killed_if_abandoned(first):
            wait_for_ready_begins(first, emulator)  # the first `up` holds the lock, inside its wait

            second = stack.up(check=False)

            assert second.returncode != 0, second.output
            assert LOCKED in second.output, second.output
            assert len(h.applied_creates(emulator)) == 1, "the refused `up` created nothing"
            emulator.admin.advance_clock(BRING_UP_SECONDS)
            rest, _ = first.communicate(timeout=300)
        assert first.returncode == 0, rest
        cluster_id = h.only_cluster(emulator)["cluster_id"]
        assert stack.only_resource(h.CLUSTER_TYPE)["id"] == cluster_id

        stack.refresh()
        stack.expect_no_changes()
        shown = stack.export(show_secrets=False)
        provider = next(r for r in shown["deployment"]["resources"] if r["type"] == "pulumi:providers:pulumi-python")
        assert "ciphertext" in provider["inputs"]["together:apiKey"]
        stored = _at_rest(server, backend)
        assert cluster_id in stored, "the state is in the server"
        assert api_key not in stored, "the API key is stored in plain text"

        stack.destroy()
        assert h.clusters(emulator) == []
        stack.remove()
