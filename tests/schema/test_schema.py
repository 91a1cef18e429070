"""schema.json and docs/reference.md: generated from the field tables, valid, and never stale."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from together_pulumi.codegen import ARGS_MODULE, render_args
from together_pulumi.model.cluster.fields import CLUSTER_FIELDS
from together_pulumi.model.fields import Change, camel_case
from together_pulumi.model.volume.fields import VOLUME_FIELDS
from together_pulumi.schema import render_docs, schema_text

ROOT = Path(__file__).resolve().parents[2]
#: Every function of the contract, written independently of the code that lists them.
FUNCTION_NAMES = (
    "getRegions",
    "getCluster",
    "listClusters",
    "getSharedVolume",
    "listSharedVolumes",
    "listRemediations",
    "getRemediation",
    "listProjects",
)
SCHEMA_PATH = ROOT / "schema.json"
DOCS_PATH = ROOT / "docs" / "reference.md"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def pulumi_version() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    match = re.search(r'"pulumi==([0-9.]+)"', text)
    assert match, "pyproject.toml pins pulumi==N"
    return match.group(1)


@pytest.fixture(scope="module")
def metaschema() -> dict[str, Any]:
    """Pulumi's own package metaschema, from the pkg/v3 module of the pinned engine version."""
    module = f"github.com/pulumi/pulumi/pkg/v3@v{pulumi_version()}"
    result = subprocess.run(["go", "mod", "download", "-json", module], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"cannot fetch {module} (needed for its metaschema): {result.stdout}{result.stderr}"
    text = (Path(json.loads(result.stdout)["Dir"]) / "codegen" / "schema" / "pulumi.json").read_text()
    # Python's re spells named groups (?P<name>...), the metaschema's patterns use (?<name>...).
    meta: dict[str, Any] = json.loads(text.replace("(?<", "(?P<"))
    return meta


def test_committed_schema_is_what_the_code_generates() -> None:
    assert SCHEMA_PATH.read_text() == schema_text(), "schema.json is stale: run `make schema` and commit it"


def test_committed_args_module_is_what_the_code_generates() -> None:
    assert ARGS_MODULE.read_text() == render_args(), (
        "program/args.py is stale: run `python -m together_pulumi.codegen --out "
        "provider/together_pulumi/program/args.py` and commit it"
    )


def test_committed_docs_are_what_the_schema_renders(schema: dict[str, Any]) -> None:
    assert DOCS_PATH.read_text() == render_docs(schema), "docs/reference.md is stale: run `make docs` and commit it"


@pytest.mark.engine
def test_schema_validates_against_pulumis_metaschema(schema: dict[str, Any], metaschema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(metaschema)
    errors = sorted(validator.iter_errors(schema), key=lambda e: list(e.path))
    assert errors == [], "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.mark.engine
def test_metaschema_validation_really_catches_mistakes(schema: dict[str, Any], metaschema: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(schema))
    broken["resources"]["together:index:GpuCluster"]["inputProperties"]["numGpus"]["type"] = "int64"
    assert list(jsonschema.Draft202012Validator(metaschema).iter_errors(broken))


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_semantics_the_metaschema_does_not_check(schema: dict[str, Any]) -> None:
    for ref in _refs(schema):
        assert ref.startswith("#/types/"), ref
        assert ref.removeprefix("#/types/") in schema["types"], f"dangling {ref}"
    for token, resource in schema["resources"].items():
        assert set(resource["requiredInputs"]) <= set(resource["inputProperties"]), token
        assert set(resource["required"]) <= set(resource["properties"]), token
    for token, kind in schema["types"].items():
        if kind.get("type") == "object":
            assert set(kind.get("required", [])) <= set(kind["properties"]), token
    for token, function in schema["functions"].items():
        assert set(function["outputs"]["required"]) <= set(function["outputs"]["properties"]), token


def test_conventions_of_the_contract(schema: dict[str, Any]) -> None:
    assert schema["name"] == "together"
    assert set(schema["resources"]) == {"together:index:GpuCluster", "together:index:SharedVolume"}
    assert set(schema["functions"]) == {f"together:index:{name}" for name in FUNCTION_NAMES}
    cluster = schema["resources"]["together:index:GpuCluster"]
    assert cluster["properties"]["kubeconfig"]["secret"] is True
    # A looked-up kubeconfig is secret too, as the function and inside the listed type.
    assert schema["functions"]["together:index:getCluster"]["outputs"]["properties"]["kubeconfig"]["secret"] is True
    assert schema["types"]["together:index:ClusterInfo"]["properties"]["kubeconfig"]["secret"] is True
    assert set(schema["functions"]["together:index:getCluster"]["inputs"]["properties"]) == {
        "clusterId",
        "clusterName",
        "projectId",
    }
    project = schema["config"]["variables"]["projectId"]
    assert project["defaultInfo"]["environment"] == ["TOGETHER_PROJECT_ID"] and "secret" not in project
    api_key = schema["config"]["variables"]["apiKey"]
    assert api_key["secret"] is True and api_key["defaultInfo"]["environment"] == ["TOGETHER_API_KEY"]
    for name in ("GpuType", "ClusterType", "BillingType", "LoadBalancer", "DcgmDiagLevel"):
        assert "enum" in schema["types"][f"together:index:{name}"], name
    for token, table in (("together:index:GpuCluster", CLUSTER_FIELDS), ("together:index:SharedVolume", VOLUME_FIELDS)):
        resource = schema["resources"][token]
        for field in table:
            camel = camel_case(field.name)
            prop = resource["properties"][camel]
            assert prop["description"], f"{token}.{camel} has no description"
            assert prop["language"]["python"]["name"] == field.name
            if field.input:
                replaces = resource["inputProperties"][camel].get("replaceOnChanges", False)
                assert replaces == (field.change is Change.REPLACE), f"{token}.{camel}"


@pytest.mark.engine
def test_the_real_cli_binds_the_schema(engine_bin: Path, tmp_path: Path) -> None:
    """`pulumi schema check` runs the engine's own binder and its language checks.

    (`pulumi package gen-sdk --language python` would also do, but it needs the Python language host,
    which cannot be built here: the Go module proxy serves none of its versions.)
    """
    env = {
        "PULUMI_HOME": str(tmp_path / "home"),
        "PULUMI_SKIP_UPDATE_CHECK": "1",
        "PATH": "/usr/bin:/bin",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "1",
    }
    good = subprocess.run(
        [str(engine_bin / "pulumi"), "schema", "check", str(SCHEMA_PATH)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert good.returncode == 0, good.stdout + good.stderr
    broken = json.loads(SCHEMA_PATH.read_text())
    broken["resources"]["together:index:GpuCluster"]["inputProperties"]["region"]["$ref"] = "#/types/together:index:No"
    bad_path = tmp_path / "broken.json"
    bad_path.write_text(json.dumps(broken))
    bad = subprocess.run(
        [str(engine_bin / "pulumi"), "schema", "check", str(bad_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert bad.returncode != 0 and "together:index:No" in bad.stdout + bad.stderr


def test_generation_does_not_depend_on_set_or_dict_order() -> None:
    """The same schema.json and Args module in processes with different hash seeds."""
    for seed in ("1", "2"):
        for args in (["-m", "together_pulumi.schema", "schema"], ["-m", "together_pulumi.codegen"]):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            out = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, check=True).stdout
            expected = schema_text() if "schema" in args else render_args()
            assert out == expected, f"{' '.join(args)} differs with PYTHONHASHSEED={seed}"


def test_committed_args_module_is_what_the_tables_generate() -> None:
    assert ARGS_MODULE.read_text() == render_args(), "program/args.py is stale: run `make schema` and commit it"
