"""The component plugin's contract without the engine: its schema is schema.json's (one source), and names
cross the boundary both ways as the field tables say."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
from pulumi.resource import DependencyResource

from together_pulumi.component import COMPONENTS, package_schema
from together_pulumi.component.dynamic_python import check_dynamic_python
from together_pulumi.component.provider import name_parent
from together_pulumi.component.values import from_schema, inputs_from_schema, to_schema
from together_pulumi.model.cluster.fields import CLUSTER_FIELDS
from together_pulumi.model.cluster.types import GPU_WORKER_NODE, INLINE_SHARED_VOLUME
from together_pulumi.model.fields import ListOf
from together_pulumi.program.inputs import ProgramError

ROOT = Path(__file__).resolve().parents[2]


def test_the_plugin_serves_schema_json_resources_as_components_and_its_functions() -> None:
    committed = json.loads((ROOT / "schema.json").read_text())
    served = package_schema()
    assert served["types"] == committed["types"]
    assert served["config"] == committed["config"]
    assert set(served["resources"]) == set(COMPONENTS) == set(committed["resources"])
    for token, spec in served["resources"].items():
        assert spec == {**committed["resources"][token], "isComponent": True}
    assert served["functions"] == committed["functions"], "the plugin serves every function as an invoke"
    assert "language" not in served, "an SDK generated for Python must not be named together_pulumi"


def test_kubeconfig_is_secret_and_replacing_inputs_say_so() -> None:
    cluster = package_schema()["resources"]["together:index:GpuCluster"]
    assert cluster["properties"]["kubeconfig"]["secret"] is True
    assert cluster["inputProperties"]["region"]["replaceOnChanges"] is True
    assert "replaceOnChanges" not in cluster["inputProperties"]["numGpus"]
    assert cluster["inputProperties"]["waitForReady"]["default"] is True


def test_inputs_take_python_names_at_every_level() -> None:
    sent = {
        "numGpus": 16.0,
        "gpuType": "H100_SXM",
        "sharedVolume": {"volumeName": "data", "sizeTib": 2.0},
        "addOns": [{"addOnType": "dashboard", "name": "d"}],
        "unheardOf": 1,
    }
    assert inputs_from_schema(sent, CLUSTER_FIELDS) == {
        "num_gpus": 16,
        "gpu_type": "H100_SXM",
        "shared_volume": {"volume_name": "data", "size_tib": 2},
        "add_ons": [{"add_on_type": "dashboard", "name": "d"}],
        "unheardOf": 1,  # passed on as sent, so that GpuCluster names it in its refusal
    }
    assert isinstance(inputs_from_schema(sent, CLUSTER_FIELDS)["num_gpus"], int)
    assert from_schema({"volumeName": "v"}, INLINE_SHARED_VOLUME) == {"volume_name": "v"}


def test_outputs_take_schema_names_at_every_level() -> None:
    nodes = [{"node_id": "n1", "status": "Ready"}]
    assert to_schema(nodes, ListOf(GPU_WORKER_NODE)) == [{"nodeId": "n1", "status": "Ready"}]


def test_a_top_level_component_is_named_as_in_a_python_program() -> None:
    stack = DependencyResource("urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev")
    name_parent(pulumi.ResourceOptions(parent=stack))
    assert (stack.pulumi_resource_type, stack.pulumi_resource_name) == ("", "")
    owner = DependencyResource("urn:pulumi:dev::proj::pulumi:pulumi:Stack$my:index:Team::ml")
    name_parent(pulumi.ResourceOptions(parent=owner))
    assert (owner.pulumi_resource_type, owner.pulumi_resource_name) == ("my:index:Team", "ml")


def test_a_python_that_cannot_run_the_dynamic_resources_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PULUMI_RUNTIME_VIRTUALENV", raising=False)
    monkeypatch.setenv("PULUMI_PYTHON_CMD", str(tmp_path / "no-such-python"))
    with pytest.raises(ProgramError, match=r"GpuCluster gpu: its dynamic resources would run in .*no-such-python"):
        check_dynamic_python("GpuCluster gpu")
