"""Helpers of the end-to-end tests: stacks over the emulator, engine events, state and emulator logs.

Everything here drives the real ``pulumi`` CLI (through ``stackrunner.ProgramStack``) against a
real emulator process over HTTP; nothing is mocked.
"""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import stackrunner
from pulumi import automation as auto

from emulator_process import DEFAULT_API_KEY, EmulatorProcess

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

CLUSTER_TYPE = "pulumi-python:dynamic/together:Cluster"
READINESS_TYPE = "pulumi-python:dynamic/together:ClusterReadiness"
VOLUME_TYPE = "pulumi-python:dynamic/together:SharedVolume"

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
CONFIGURABLE_PROJECT = "together-e2e"


def write_program(directory: Path, project: str = CONFIGURABLE_PROJECT, source: str = CONFIGURABLE_PROGRAM) -> Path:
    """A program directory (Pulumi.yaml + __main__.py) under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n")
    (directory / "__main__.py").write_text(textwrap.dedent(source))
    return directory


def make_stack(
    program_dir: Path,
    tmp_path: Path,
    emulator: EmulatorProcess,
    engine_bin: Path,
    *,
    config: Mapping[str, str] | None = None,
    api_key: str = DEFAULT_API_KEY,
    env: Mapping[str, str] | None = None,
    stack_name: str = "e2e",
) -> stackrunner.ProgramStack:
    """A fresh stack of ``program_dir`` with its own backend and PULUMI_HOME under ``tmp_path``.

    Program config keys without a ``:`` are namespaced with the program's project name.
    """
    project = stackrunner.project_name(program_dir)
    namespaced = {(k if ":" in k else f"{project}:{k}"): v for k, v in (config or {}).items()}
    return stackrunner.ProgramStack(
        program_dir,
        stack_name,
        tmp_path / "state",
        config={"together:baseUrl": emulator.base_url, **namespaced},
        secrets={"together:apiKey": api_key},
        env={**FAST_POLL_ENV, **(env or {})},
        bin_dir=engine_bin,
    )


def set_program_config(stack: stackrunner.ProgramStack, key: str, value: str) -> None:
    stack.set_config(f"{stackrunner.project_name(stack.program_dir)}:{key}", value)


# --- engine events -------------------------------------------------------------------------------


def change_count(changes: Mapping[Any, int] | None, op: str) -> int:
    """A count of a change summary; its keys are the engine's op strings (typed as OpType, which
    hashes by member name, so ``dict.get(OpType.UPDATE)`` would miss)."""
    return sum(n for k, n in (changes or {}).items() if str(getattr(k, "value", k)) == op)


def preview_ops(stack: stackrunner.ProgramStack, **kwargs: Any) -> tuple[auto.PreviewResult, dict[str, list[str]]]:
    """Run ``preview``; return it with the step ops (``resourcePreEvent.metadata.op``) per resource type."""
    ops: dict[str, list[str]] = defaultdict(list)

    def on_event(event: auto.EngineEvent) -> None:
        if event.resource_pre_event is not None:
            meta = event.resource_pre_event.metadata
            ops[meta.type].append(str(getattr(meta.op, "value", meta.op)))

    result = stack.preview(on_event=on_event, **kwargs)
    return result, dict(ops)


# --- stack state ---------------------------------------------------------------------------------


def resources(stack: stackrunner.ProgramStack, type_: str) -> list[dict[str, Any]]:
    """Resources of one type in the stack state (secrets decrypted: Automation API export)."""
    deployment = stack.export().deployment or {}
    return [r for r in deployment.get("resources", []) if r.get("type") == type_]


def only_resource(stack: stackrunner.ProgramStack, type_: str) -> dict[str, Any]:
    found = resources(stack, type_)
    assert len(found) == 1, f"expected one {type_} in state, found {len(found)}"
    return found[0]


def cli_stack_export(stack: stackrunner.ProgramStack) -> str:
    """``pulumi stack export`` run by the CLI itself, without ``--show-secrets``."""
    workspace = stack.stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace)
    env = {**({"PULUMI_HOME": workspace.pulumi_home} if workspace.pulumi_home else {}), **workspace.env_vars}
    assert workspace.work_dir is not None
    result = workspace.pulumi_command.run(
        ["stack", "export", "--stack", stack.stack.name, "--non-interactive"], workspace.work_dir, env
    )
    return result.stdout


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
