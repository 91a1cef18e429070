"""A YAML program uses GpuCluster through the component plugin: create, no-op, scale in place, destroy,
with the state checked against the emulator after each; and what a user without the plugin's Python
on their way is told."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess

from . import harness as h
from .languages import component_stack, copy_language_program, package_add, require_language
from .pulumi_cli import ProgramStack

pytestmark = pytest.mark.e2e


def yaml_stack(tmp_path: Path, emu: EmulatorProcess, engine_bin: Path, **env: str) -> ProgramStack:
    require_language("yaml", engine_bin)
    program = copy_language_program(h.EXAMPLES / "yaml", tmp_path / "yaml")
    stack = component_stack(program, tmp_path, emu, engine_bin, env=env)
    package_add(stack)  # for YAML: only the `packages:` entry, no SDK
    return stack


def test_yaml_program_creates_scales_and_destroys(tmp_path: Path, emu: EmulatorProcess, engine_bin: Path) -> None:
    stack = yaml_stack(tmp_path, emu, engine_bin)

    stack.up()
    outputs = stack.outputs()
    cluster = h.only_cluster(emu)
    assert outputs["clusterId"] == cluster["cluster_id"] and outputs["status"] == "Ready"
    assert outputs["numNodes"] == 1
    assert "kubeconfig" in stack.secret_outputs()
    # GpuCluster is the component itself: its URN is a Python stack's.
    assert stack.only_resource(h.GPU_CLUSTER_TYPE)["urn"].endswith("::together:index:GpuCluster::gpu")
    h.assert_state_is_true(stack, emu)
    stack.expect_no_changes()

    stack.set_config("numGpus", "16")
    preview = stack.preview()
    assert preview.changes() == {h.CLUSTER_TYPE: ["update"], h.READINESS_TYPE: ["update"]}
    stack.up()
    assert h.only_cluster(emu)["num_gpus"] == 16
    assert stack.outputs()["numNodes"] == 2
    h.assert_state_is_true(stack, emu)

    stack.destroy()
    assert h.clusters(emu) == [] and stack.export()["deployment"].get("resources") in (None, [])


def test_a_python_without_the_package_is_named_with_the_fix(
    tmp_path: Path, emu: EmulatorProcess, engine_bin: Path
) -> None:
    """The dynamic resources run in PULUMI_PYTHON_CMD (else python3): one that cannot import together_pulumi
    stops the preview, before anything is made, with the setting that fixes it."""
    bare = tmp_path / "bare-python"
    bare.write_text('#!/bin/sh\nexec python3 -I -S "$@"\n')  # no site-packages: neither pulumi nor together_pulumi
    bare.chmod(bare.stat().st_mode | stat.S_IXUSR)
    stack = yaml_stack(tmp_path, emu, engine_bin)
    stack.env["PULUMI_PYTHON_CMD"] = str(bare)

    failed = stack.pulumi("preview", check=False)
    assert failed.returncode != 0
    assert f"would run in {bare} (PULUMI_PYTHON_CMD), which cannot import together_pulumi" in failed.output
    assert "Set PULUMI_PYTHON_CMD=" in failed.output and "plugin/venv/bin/python" in failed.output
    assert "Traceback" not in failed.output
    assert h.clusters(emu) == []
