"""``together-pulumi orphans`` on an S3 backend: what the account has and no stack holds.

A cluster and a volume made with the official ``together`` SDK outside any stack are listed, the
cluster of a live stack is not, and the cluster a deleted stack left behind (``pulumi stack rm
--force``) is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import together

from backend_servers import StateServer
from e2e import harness as h
from emulator_process import DEFAULT_API_KEY, EmulatorProcess

from .stacks import backend_env, backend_stack, together_pulumi

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DRIVER = "nv-us-central-8-cu128-570-u2204"


def test_orphans_are_what_no_stack_holds(
    s3_server: StateServer, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    env = backend_env(engine_bin, tmp_path / "home", s3_server)
    live = backend_stack(tmp_path, emu, env, project="team-a", stack="dev")
    live.up()
    held = live.only_resource(h.CLUSTER_TYPE)["id"]
    deleted = backend_stack(tmp_path, emu, env, project="team-b", stack="pr-7")
    deleted.up()
    leftover = deleted.only_resource(h.CLUSTER_TYPE)["id"]
    deleted.pulumi("stack", "rm", "--force", "--yes")  # the state goes, the cluster stays
    sdk = together.Together(api_key=DEFAULT_API_KEY, base_url=emu.base_url)
    console = sdk.clusters.create(
        cluster_name="console-test",
        region="us-central-8",
        gpu_type="H100_SXM",
        num_gpus=16,
        billing_type="ON_DEMAND",
        nvidia_version_id=DRIVER,
    ).cluster_id
    volume = sdk.clusters.storage.create(volume_name="scratch", size_tib=2, region="us-central-8").volume_id
    env = {**env, "TOGETHER_API_KEY": DEFAULT_API_KEY, "TOGETHER_BASE_URL": emu.base_url}

    listed = together_pulumi(env, "orphans", "--json")

    assert listed.returncode == 0, listed.output
    found = {o["id"]: o for o in json.loads(listed.stdout)}
    assert set(found) == {console, volume, leftover}, listed.stdout
    assert held not in found
    assert found[console]["kind"] == "cluster" and found[console]["num_gpus"] == 16
    assert found[console]["region"] == "us-central-8" and found[console]["created_at"]
    assert found[volume]["kind"] == "volume" and found[volume]["name"] == "scratch"
    for item in found.values():
        assert {"kind", "id", "name", "project_id", "region", "num_gpus", "created_at"} <= set(item)

    table = together_pulumi(env, "orphans", "--rate-card", str(ROOT / "examples" / "rate-card.yaml"), "--fail-if-any")

    assert table.returncode == 1, table.output
    assert "3 orphan(s), 24 GPUs" in table.stdout and "USD/h" in table.stdout, table.stdout
    assert DEFAULT_API_KEY not in table.output and s3_server.secret not in table.output
