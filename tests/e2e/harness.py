"""Helpers of the end-to-end tests: stacks of program directories over the emulator, and its logs.

Every stack here is driven with the plain ``pulumi`` CLI in a program directory (``pulumi_cli``)
against a real emulator process over HTTP; nothing is mocked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator_process import DEFAULT_API_KEY, EmulatorProcess

# The engine type tokens, re-exported for the tests: as the provider and the review tools know them.
from together_pulumi.contract import CLUSTER_TYPE as CLUSTER_TYPE
from together_pulumi.contract import GPU_CLUSTER_TYPE as GPU_CLUSTER_TYPE
from together_pulumi.contract import READINESS_TYPE as READINESS_TYPE
from together_pulumi.contract import VOLUME_READINESS_TYPE as VOLUME_READINESS_TYPE
from together_pulumi.contract import VOLUME_TYPE as VOLUME_TYPE

from .pulumi_cli import ProgramStack, copy_program, stack_for, write_program

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


CLUSTERS_ROUTE = "/v1/compute/clusters"
CLUSTER_ROUTE = "/v1/compute/clusters/{cluster_id}"
VOLUMES_ROUTE = "/v1/compute/clusters/storage/volumes"

#: Provider waits poll at most every second (instead of 15 s) so that waiting tests stay short.
FAST_POLL_ENV = {"TOGETHER_PULUMI_MAX_POLL_SECONDS": "1"}

REPLACING_OPS = {"replace", "create-replacement", "delete-replaced"}

#: A program of our own whose every interesting input comes from stack config.
CONFIGURABLE_PROGRAM = '''\
"""One GpuCluster whose region, GPU type, size and wait come from stack config (e2e tests)."""

import pulumi

import together_pulumi as together

config = pulumi.Config()

cluster = together.GpuCluster(
    "gpu",
    region=config.get("region") or "us-central-8",
    gpu_type=config.get("gpuType") or "H100_SXM",
    num_gpus=config.get_int("numGpus") or 8,
    ready_timeout_seconds=config.get_int("readyTimeoutSeconds") or 3600,
)

pulumi.export("cluster_id", cluster.cluster_id)
pulumi.export("gpu_type", cluster.gpu_type)
pulumi.export("num_nodes", cluster.num_nodes)
pulumi.export("status", cluster.status)
'''


def example_stack(
    name: str,
    tmp_path: Path,
    emulator: EmulatorProcess,
    engine_bin: Path,
    *,
    config: Mapping[str, str] | None = None,
    api_key: str = DEFAULT_API_KEY,
    env: Mapping[str, str] | None = None,
) -> ProgramStack:
    """An initialized stack of a copy of ``examples/<name>``, configured for the emulator."""
    program = copy_program(EXAMPLES / name, tmp_path / name)
    return _initialized(program, tmp_path, emulator, engine_bin, config=config, api_key=api_key, env=env)


def program_stack(
    tmp_path: Path,
    emulator: EmulatorProcess,
    engine_bin: Path,
    *,
    source: str = CONFIGURABLE_PROGRAM,
    config: Mapping[str, str] | None = None,
    api_key: str = DEFAULT_API_KEY,
    env: Mapping[str, str] | None = None,
) -> ProgramStack:
    """An initialized stack of a test's own program, written to ``tmp_path/program``."""
    program = write_program(tmp_path / "program", source)
    return _initialized(program, tmp_path, emulator, engine_bin, config=config, api_key=api_key, env=env)


def _initialized(
    program: Path,
    tmp_path: Path,
    emulator: EmulatorProcess,
    engine_bin: Path,
    *,
    config: Mapping[str, str] | None,
    api_key: str,
    env: Mapping[str, str] | None,
) -> ProgramStack:
    stack = stack_for(program, tmp_path / "home", engine_bin, env={**FAST_POLL_ENV, **(env or {})})
    stack.init(config={"together:baseUrl": emulator.base_url, **(config or {})}, secrets={"together:apiKey": api_key})
    return stack


def replacing(preview_changes: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The resource types of a preview that would be replaced."""
    return {t: ops for t, ops in preview_changes.items() if REPLACING_OPS & set(ops)}


# --- emulator ------------------------------------------------------------------------------------


def clusters(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = emulator.admin.state()["clusters"]
    return result


def volumes(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = emulator.admin.state()["volumes"]
    return result


def only_cluster(emulator: EmulatorProcess) -> dict[str, Any]:
    found = clusters(emulator)
    assert len(found) == 1, f"expected one cluster in the emulator, found {[c['cluster_id'] for c in found]}"
    return found[0]


def log_entries(emulator: EmulatorProcess) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = emulator.admin.requests_log()["requests"]
    return result


def applied_creates(emulator: EmulatorProcess, route: str = CLUSTERS_ROUTE) -> list[dict[str, Any]]:
    """POSTs to ``route`` that the emulator carried out.

    That is the ones answered 2xx without a fault, plus the ones whose fault came *after commit*
    (the object was made, the client was told it failed): each of them made an object.
    """
    return [
        e
        for e in log_entries(emulator)
        if e["method"] == "POST"
        and e["route"] == route
        and ((e["fault"] is None and 200 <= e["status"] < 300) or e["after_commit"])
    ]


_CLUSTER_PATH = re.compile(r"^/v1/compute/clusters/(t-[0-9a-f-]+)$")


def cluster_ids_in_log(emulator: EmulatorProcess) -> set[str]:
    """Every cluster id the provider addressed (GET/PUT/DELETE .../clusters/<id>)."""
    return {m.group(1) for e in log_entries(emulator) if (m := _CLUSTER_PATH.match(e["path"]))}


def assert_state_is_true(stack: ProgramStack, emulator: EmulatorProcess) -> None:
    """The truth rule after any command: every cluster and volume the state names exists at the API
    (and is not being deleted), each is held by one resource only, and nothing exists that no
    resource holds."""
    resources = stack.export()["deployment"].get("resources") or []
    state = emulator.admin.state()
    for type_, kind, key in ((CLUSTER_TYPE, "clusters", "cluster_id"), (VOLUME_TYPE, "volumes", "volume_id")):
        held = [r["id"] for r in resources if r["type"] == type_ and not r.get("delete")]
        live = [o[key] for o in state[kind] if o.get("status") != "Deleting"]
        assert len(held) == len(set(held)), f"{kind} held twice in the state: {held}"
        assert sorted(held) == sorted(live), f"{kind}: the state holds {held}, the API has {live}"


def console_cluster(emulator: EmulatorProcess, name: str, gpu_type: str = "H100_SXM") -> str:
    """A cluster made outside Pulumi (as in the Together console), in us-central-8; its id."""
    with emulator.client() as raw:
        made: dict[str, Any] = raw.post(
            CLUSTERS_ROUTE,
            json={
                "cluster_name": name,
                "region": "us-central-8",
                "gpu_type": gpu_type,
                "num_gpus": 8,
                "billing_type": "ON_DEMAND",
                "nvidia_version_id": "nv-us-central-8-cu129-575-u2204",
            },
        ).json()
    return str(made["cluster_id"])
