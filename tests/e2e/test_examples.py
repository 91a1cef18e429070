"""The shipped examples, run the way their READMEs say: each README's command block is typed into a
shell line by line, exactly as written (only the emulator's port differs), and between the lines the
test checks the stack, the emulator and what a reviewer would read."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from emulator_process import EmulatorProcess, start_emulator

from . import harness as h
from .pulumi_cli import CommandResult, ProgramStack, Shell, command_lines, copy_program, user_env

pytestmark = pytest.mark.e2e

#: The address the READMEs use for the emulator (`together-emulator --port 8787`).
README_EMULATOR_URL = "http://127.0.0.1:8787"
#: The key the READMEs give the emulator; the tests start it with `--api-key` set to this.
README_API_KEY = "emulator-key"


class Readme:
    """One example's README block, typed line by line into a shell in a copy of the repository."""

    def __init__(self, example: str, emulator: EmulatorProcess, engine_bin: Path, tmp_path: Path) -> None:
        text = (h.EXAMPLES / example / "README.md").read_text()
        match = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
        assert match, f"examples/{example}/README.md has no bash block"
        written = command_lines(match.group(1))
        assert any(README_EMULATOR_URL in line for line in written), "the README block must use the emulator"
        assert written[0] == f"cd examples/{example}", "the block starts in the repository root"
        self.lines = [line.replace(README_EMULATOR_URL, emulator.base_url) for line in written]
        exports = [re.match(r"export (\w+)=(\S+)", line) for line in written]
        self.exports = {m.group(1): m.group(2).strip('"') for m in exports if m}
        assert {"PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"} <= set(self.exports), "it must set up local state"
        workspace = tmp_path / "repo"
        copy_program(h.EXAMPLES / example, workspace / "examples" / example)
        # No backend and no passphrase from the test: the README's own commands must set them up.
        self.env = user_env(engine_bin, tmp_path / "home", h.FAST_POLL_ENV, backend=False)
        self.shell = Shell(workspace, self.env)
        self.printed: list[str] = []

    def through(self, prefix: str) -> CommandResult:
        """Run the lines up to and including the next one that starts with ``prefix``; each must succeed."""
        while self.lines:
            line = self.lines.pop(0)
            result = self.shell.run(line)
            self.printed.append(result.output)
            assert result.returncode == 0, f"`{line}` exited {result.returncode}:\n{result.output}"
            if line.startswith(prefix):
                return result
        raise AssertionError(f"no line starting with {prefix!r} is left in the README block")

    def finish(self) -> None:
        """Run what is left of the block."""
        while self.lines:
            self.through(self.lines[0])

    def stack(self) -> ProgramStack:
        """The README's stack, to look at between lines (same directory, and the block's exports)."""
        exported = {k: v.replace("$HOME", self.env["HOME"]) for k, v in self.exports.items()}
        return ProgramStack(self.shell.cwd, "dev", {**self.env, **exported})

    def close(self) -> None:
        self.shell.close()


@pytest.fixture
def keyed_emulator() -> Iterator[EmulatorProcess]:
    """An emulator that accepts only the README's key, so the key demonstrably reaches the provider."""
    with start_emulator(api_key=README_API_KEY) as process:
        yield process


OpenReadme = Callable[[str, EmulatorProcess], Readme]


@pytest.fixture
def readme_for(engine_bin: Path, tmp_path: Path) -> Iterator[OpenReadme]:
    opened: list[Readme] = []

    def open_readme(example: str, emulator: EmulatorProcess) -> Readme:
        opened.append(Readme(example, emulator, engine_bin, tmp_path))
        return opened[-1]

    yield open_readme
    for readme in opened:
        readme.close()


def step_ops(diff_text: str) -> dict[str, str]:
    """The resource steps of ``pulumi preview --diff`` output that change something: type -> op."""
    found = re.findall(r"^\s*[-+~]+ ([\w:/.-]+): \((\w[\w-]*)\)", diff_text, re.MULTILINE)
    return {type_: op for type_, op in found if op not in ("same", "read")}


def _no_changes_after_refresh(stack: ProgramStack) -> None:
    stack.expect_no_changes()
    refreshed = stack.refresh()
    assert not re.search(r"\b(updated|deleted|created)\b", refreshed.stdout.split("Resources:")[-1]), refreshed.stdout
    stack.expect_no_changes()


def test_quickstart(keyed_emulator: EmulatorProcess, readme_for: OpenReadme, tmp_path: Path) -> None:
    emu = keyed_emulator
    with emu.client(api_key="not-the-key") as wrong:
        assert wrong.get("/v1/compute/clusters").status_code == 401, "the emulator must require the key"
    readme = readme_for("quickstart", emu)

    preview = readme.through("pulumi preview --diff")
    assert "+ pulumi-python:dynamic/together:Cluster: (create)" in preview.output, preview.output
    assert 'gpu_type              : "H100_SXM"' in preview.output, preview.output
    assert h.clusters(emu) == []

    up = readme.through("pulumi up --yes")
    assert "Ready" in up.output, up.output
    stack = readme.stack()
    cluster = h.only_cluster(emu)
    outputs = stack.outputs()
    assert (outputs["cluster_id"], outputs["status"]) == (cluster["cluster_id"], "Ready")
    assert (cluster["gpu_type"], cluster["num_gpus"], len(cluster["gpu_worker_nodes"])) == ("H100_SXM", 8, 1)
    assert "kubeconfig" in stack.secret_outputs(), "the kubeconfig output must be secret"
    kubeconfig = outputs["kubeconfig"]
    assert yaml.safe_load(kubeconfig)["kind"] == "Config"
    _no_changes_after_refresh(stack)

    readme.through("pulumi stack output kubeconfig")
    assert yaml.safe_load((readme.shell.cwd / "kubeconfig.yaml").read_text()) == yaml.safe_load(kubeconfig)

    # Neither the key nor the kubeconfig is in the state or in anything printed, in plain text.
    exported = stack.pulumi("stack", "export").stdout
    assert h.CLUSTER_TYPE in exported and "ciphertext" in exported
    tokens = re.findall(r'token:\s*"?([0-9A-Za-z._-]{16,})', kubeconfig)
    assert tokens, "expected a bearer token in the emulator's kubeconfig"
    printed = "".join(readme.printed) + stack.preview_diff().output
    for needle in (
        README_API_KEY,
        "apiVersion: v1",
        kubeconfig,
        base64.b64encode(kubeconfig.encode()).decode(),
        *tokens,
    ):
        assert needle not in exported, f"{needle[:40]!r} is in the stack state in plain text"
        if needle != README_API_KEY:  # (the README types the emulator's key on a command line)
            assert needle not in printed, f"{needle[:40]!r} was printed in plain text"
    assert README_API_KEY not in (readme.shell.cwd / "Pulumi.dev.yaml").read_text()

    readme.through("pulumi destroy --yes")
    assert h.clusters(emu) == []
    readme.finish()
    assert not list(readme.shell.cwd.glob("Pulumi.dev.yaml")), "pulumi stack rm removes the stack's config file"
    assert len(h.applied_creates(emu)) == 1


def test_slurm_b200(emu: EmulatorProcess, readme_for: OpenReadme) -> None:
    """A volume wired into a cluster: the first preview, a scale and a volume growth all preview cleanly."""
    readme = readme_for("slurm-b200", emu)

    preview = readme.through("pulumi preview --diff")
    assert "+ pulumi-python:dynamic/together:SharedVolume: (create)" in preview.output, preview.output
    assert "volume_id" in preview.output and "[unknown]" in preview.output, preview.output

    readme.through("pulumi up --yes")
    stack = readme.stack()
    cluster = h.only_cluster(emu)
    (volume,) = h.volumes(emu)
    assert (cluster["gpu_type"], cluster["cluster_type"], len(cluster["gpu_worker_nodes"])) == ("B200_SXM", "SLURM", 2)
    assert (volume["status"], volume["bound_to"], volume["size_tib"]) == ("bound", cluster["cluster_id"], 4)
    outputs = stack.outputs()
    assert (outputs["volume_id"], outputs["num_nodes"], outputs["status"]) == (volume["volume_id"], 2, "Ready")

    # After a scale and a volume growth, the reviewer sees two in-place updates and nothing replaced.
    diff = readme.through("pulumi preview --diff").output
    assert step_ops(diff) == {
        h.CLUSTER_TYPE: "update",
        h.READINESS_TYPE: "update",
        h.VOLUME_TYPE: "update",
        h.VOLUME_READINESS_TYPE: "update",
    }, diff
    assert re.search(r"~ num_gpus\s*: 16 => 24", diff) and re.search(r"~ size_tib\s*: 4 => 8", diff), diff

    readme.through("pulumi up --yes")
    cluster = h.only_cluster(emu)
    (volume,) = h.volumes(emu)
    assert (cluster["num_gpus"], len(cluster["gpu_worker_nodes"]), volume["size_tib"]) == (24, 3, 8)
    stack.expect_no_changes()

    readme.through("pulumi destroy --yes")
    assert h.clusters(emu) == [] and h.volumes(emu) == []
    readme.finish()
    assert len(h.applied_creates(emu, h.CLUSTERS_ROUTE)) == 1
    assert len(h.applied_creates(emu, h.VOLUMES_ROUTE)) == 1


def test_h200_scaling(timed_emu: EmulatorProcess, readme_for: OpenReadme) -> None:
    """8 -> 32 -> 8 GPUs in place: one cluster throughout, and each up waits until it is Ready."""
    emu = timed_emu
    readme = readme_for("h200-scaling", emu)

    readme.through("pulumi up --yes")
    stack = readme.stack()
    cluster_id = h.only_cluster(emu)["cluster_id"]
    assert stack.outputs()["num_nodes"] == 1

    diff = readme.through("pulumi preview --diff").output
    assert step_ops(diff) == {h.CLUSTER_TYPE: "update", h.READINESS_TYPE: "update"}, diff
    assert re.search(r"~ num_gpus\s*: 8 => 32", diff), diff
    assert "[unknown]" not in diff, f"a scale shows only what it changes:\n{diff}"

    for num_gpus in (32, 8):
        up = readme.through("pulumi up --yes")
        # The provider saw the cluster not Ready after the PUT, and waited until it was.
        assert "WaitingForDataPlaneNodes" in up.output, up.output
        cluster = h.only_cluster(emu)
        assert (cluster["cluster_id"], cluster["status"], cluster["num_gpus"]) == (cluster_id, "Ready", num_gpus)
        assert len(cluster["gpu_worker_nodes"]) == num_gpus // 8
        outputs = stack.outputs()
        assert (outputs["cluster_id"], outputs["num_nodes"], outputs["status"]) == (cluster_id, num_gpus // 8, "Ready")
    stack.expect_no_changes()

    readme.through("pulumi destroy --yes")
    assert h.clusters(emu) == []
    readme.finish()
    assert len(h.applied_creates(emu)) == 1
    puts = [e for e in h.log_entries(emu) if e["method"] == "PUT" and e["route"] == h.CLUSTER_ROUTE]
    assert len(puts) == 2, puts
