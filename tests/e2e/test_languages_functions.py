"""The functions from a program in another language: examples/yaml-lookups calls getCluster, getRegions,
listClusters and listSharedVolumes with ``fn::invoke``; the component plugin answers them with the
Python functions, with the stack's credentials. The values are checked against the emulator, the
kubeconfig must stay secret, and a lookup that finds nothing says what exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator_process import EmulatorProcess

from . import harness as h
from .languages import component_stack, copy_language_program, package_add, require_language
from .test_lookups import token_of

pytestmark = pytest.mark.e2e


def test_yaml_program_reads_the_api_through_invokes(tmp_path: Path, emu: EmulatorProcess, engine_bin: Path) -> None:
    require_language("yaml", engine_bin)
    cluster_id = h.console_cluster(emu, "console-made")
    with emu.client() as raw:
        volume: dict[str, Any] = raw.post(
            h.VOLUMES_ROUTE, json={"volume_name": "data", "size_tib": 2, "region": "us-central-8"}
        ).json()
        catalog = raw.get("/v1/compute/regions").json()["regions"]
    program = copy_language_program(h.EXAMPLES / "yaml-lookups", tmp_path / "yaml-lookups")
    stack = component_stack(program, tmp_path, emu, engine_bin)
    package_add(stack)

    stack.up()
    outputs = stack.outputs()
    cluster = h.only_cluster(emu)
    assert (outputs["clusterId"], outputs["region"], outputs["numGpus"]) == (
        cluster_id,
        cluster["region"],
        cluster["num_gpus"],
    )
    assert outputs["status"] == "Ready" and outputs["firstClusterName"] == "console-made"
    assert [n["nodeId"] for n in outputs["workerNodes"]] == [n["node_id"] for n in cluster["gpu_worker_nodes"]]
    assert cluster_id in outputs["kubernetesEndpoint"]
    assert [r["name"] for r in outputs["regions"]] == [r["name"] for r in catalog]
    central = next(r for r in outputs["regions"] if r["name"] == "us-central-8")
    assert central["gpuTypes"] == next(r for r in catalog if r["name"] == "us-central-8")["supported_instance_types"]
    assert [(v["volumeId"], v["volumeName"], v["sizeTib"]) for v in outputs["volumes"]] == [
        (volume["volume_id"], "data", 2)
    ]
    # The kubeconfig is a secret across the invoke too: an output of it is secret, its token not in the state.
    assert "kubeconfig" in stack.secret_outputs()
    assert token_of(emu, cluster_id) in outputs["kubeconfig"]
    assert token_of(emu, cluster_id) not in stack.pulumi("stack", "export").stdout
    # Reads only: nothing was made; the stack holds itself and the provider that answered the invokes.
    assert [c["cluster_id"] for c in h.clusters(emu)] == [cluster_id]
    held = [r["type"] for r in stack.export()["deployment"]["resources"]]
    assert held == ["pulumi:pulumi:Stack", "pulumi:providers:together"]

    stack.set_config("clusterName", "nope")
    failed = stack.preview(check=False)
    assert (
        f"together:index:getCluster: no cluster named 'nope' visible to this API key; clusters there: "
        f"console-made ({cluster_id})"
    ) in failed.messages()
    assert "Traceback" not in failed.messages()
