"""The shipped example programs, end to end: up, outputs, no-change previews, refresh, destroy, secrets."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from emulator_process import EmulatorProcess, start_emulator

from . import harness as h

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Example:
    name: str
    gpu_type: str
    nodes: int
    exports_kubeconfig: bool
    exports_num_nodes: bool
    has_volume: bool

    @property
    def directory(self) -> Path:
        return h.EXAMPLES / self.name


EXAMPLES = [
    Example("quickstart", "H100_SXM", 1, exports_kubeconfig=True, exports_num_nodes=False, has_volume=False),
    Example("slurm-b200", "B200_SXM", 2, exports_kubeconfig=True, exports_num_nodes=True, has_volume=True),
    Example("h200-scaling", "H200_SXM", 1, exports_kubeconfig=False, exports_num_nodes=True, has_volume=False),
]
IDS = [e.name for e in EXAMPLES]


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_up_outputs_and_no_change_previews(
    example: Example, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = h.make_stack(example.directory, tmp_path, emu, engine_bin)

    result = stack.up()

    assert result.summary.result == "succeeded"
    cluster = h.only_cluster(emu)
    outputs = stack.outputs()
    assert outputs["cluster_id"].value == cluster["cluster_id"]
    assert outputs["status"].value == "Ready"
    assert cluster["status"] == "Ready"
    assert cluster["gpu_type"] == example.gpu_type
    assert cluster["num_gpus"] == 8 * example.nodes
    assert len(cluster["gpu_worker_nodes"]) == example.nodes
    if example.exports_num_nodes:
        assert outputs["num_nodes"].value == example.nodes
    if example.exports_kubeconfig:
        kubeconfig = outputs["kubeconfig"]
        assert kubeconfig.secret, "the kubeconfig output must be secret"
        parsed = yaml.safe_load(kubeconfig.value)
        assert parsed["kind"] == "Config"
        assert parsed["clusters"], "the kubeconfig names no cluster"
    if example.has_volume:
        (volume,) = h.volumes(emu)
        assert outputs["volume_id"].value == volume["volume_id"]
        assert volume["status"] == "bound"
        assert volume["bound_to"] == cluster["cluster_id"]
        assert [v["volume_id"] for v in cluster["volumes"]] == [volume["volume_id"]]
    else:
        assert h.volumes(emu) == []

    stack.preview(expect_no_changes=True)
    refreshed = stack.refresh()
    assert set(refreshed.summary.resource_changes or {}) <= {"same"}, refreshed.summary.resource_changes
    stack.preview(expect_no_changes=True)
    assert h.only_cluster(emu)["cluster_id"] == cluster["cluster_id"]


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_destroy_leaves_nothing(example: Example, emu: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
    stack = h.make_stack(example.directory, tmp_path, emu, engine_bin)
    stack.up()
    assert h.clusters(emu)

    result = stack.destroy()

    assert result.summary.result == "succeeded"
    assert h.clusters(emu) == []
    assert h.volumes(emu) == []
    assert h.resources(stack, h.CLUSTER_TYPE) == []
    assert h.resources(stack, h.VOLUME_TYPE) == []
    stack.remove()
    assert stack.stack.name not in [s.name for s in stack.stack.workspace.list_stacks()]


API_KEY = "tgp-e2e-0f5d1c9a7b3e42d8-do-not-leak"


def test_state_holds_no_secret_in_plain_text(engine_bin: Path, tmp_path: Path) -> None:
    with start_emulator(api_key=API_KEY) as emulator:
        with emulator.client(api_key="not-the-key") as wrong:
            assert wrong.get("/v1/compute/clusters").status_code == 401, "the emulator must require the key"
        stack = h.make_stack(h.EXAMPLES / "slurm-b200", tmp_path, emulator, engine_bin, api_key=API_KEY)
        stack.up()
        kubeconfig = stack.outputs()["kubeconfig"].value
        assert kubeconfig.startswith("apiVersion: v1")
        tokens = re.findall(r'token:\s*"?([0-9A-Za-z._-]{16,})', kubeconfig)
        assert tokens, "expected a bearer token in the emulator's kubeconfig"

        exported = h.cli_stack_export(stack)

    assert h.CLUSTER_TYPE in exported and "ciphertext" in exported
    for needle in (
        API_KEY,
        base64.b64encode(API_KEY.encode()).decode(),
        "apiVersion: v1",
        "kind: Config",
        kubeconfig,
        base64.b64encode(kubeconfig.encode()).decode(),
        *tokens,
    ):
        assert needle not in exported, f"{needle[:40]!r} is in the stack state in plain text"
    stack_config = (tmp_path / "state" / "workspace").glob("Pulumi.*.yaml")
    for path in stack_config:
        assert API_KEY not in path.read_text(), f"{path.name} holds the API key in plain text"
