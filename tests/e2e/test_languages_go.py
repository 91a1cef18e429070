"""examples/go, a Go program over the component plugin: the SDK and the go.mod ``replace`` from ``pulumi
package add``, then create, no-op, scale 8 -> 16 in place and destroy, the state checked after each.
(The program's first ``go build`` takes about a minute on 2 cores; later ones use the build cache.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess

from . import harness as h
from .languages import component_stack, copy_language_program, package_add, require_language

pytestmark = pytest.mark.e2e


def test_go_program_creates_scales_and_destroys(tmp_path: Path, emu: EmulatorProcess, engine_bin: Path) -> None:
    require_language("go", engine_bin)
    program = copy_language_program(h.EXAMPLES / "go", tmp_path / "go")
    # Module files writable, as the engine's own build leaves the shared cache (scripts/setup-engine.sh).
    stack = component_stack(program, tmp_path, emu, engine_bin, env={"GOFLAGS": "-modcacherw"})
    package_add(stack)
    assert "replace example.com/pulumi-together/sdk/go => ./sdks/together" in (program / "go.mod").read_text()
    tidy = subprocess.run(["go", "mod", "tidy"], cwd=program, env=stack.env, capture_output=True, text=True)
    assert tidy.returncode == 0, tidy.stderr

    stack.up()
    outputs = stack.outputs()
    assert (outputs["clusterId"], outputs["status"], outputs["numNodes"]) == (
        h.only_cluster(emu)["cluster_id"],
        "Ready",
        1,
    )
    assert "kubeconfig" in stack.secret_outputs()
    h.assert_state_is_true(stack, emu)
    stack.expect_no_changes()

    stack.set_config("numGpus", "16")
    assert stack.preview().changes() == {h.CLUSTER_TYPE: ["update"], h.READINESS_TYPE: ["update"]}
    stack.up()
    assert h.only_cluster(emu)["num_gpus"] == 16
    h.assert_state_is_true(stack, emu)

    stack.destroy()
    assert h.clusters(emu) == [] and not stack.export()["deployment"].get("resources")
