"""Helpers of the multi-language end-to-end tests: programs in TypeScript, Go and YAML that use the
component plugin (``plugin/``), driven with the plain ``pulumi`` CLI against the emulator.

What such a user has, and nothing more: the engine's bin directory (with the Node.js, Go and YAML
language hosts, ``scripts/setup-engine.sh``), the plugin's own environment (``scripts/setup-plugin.sh``)
named by ``PULUMI_PYTHON_CMD`` as docs/languages.md says, and Node.js/npm or Go on ``PATH``. A missing
tool fails the test saying what to install; nothing is skipped.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from emulator_process import DEFAULT_API_KEY, EmulatorProcess

from .harness import FAST_POLL_ENV, ROOT
from .pulumi_cli import VENV_BIN, CommandResult, ProgramStack, stack_for

PLUGIN = ROOT / "plugin"

#: What each language needs besides the engine, and what to install when it is missing.
TOOLS: dict[str, tuple[tuple[str, ...], str]] = {
    "nodejs": (("node", "npm"), "Node.js 20 or newer with npm (e.g. apt-get install nodejs npm)"),
    "go": (("go",), "Go 1.26.6 or newer (what Pulumi's Go SDK v3.260.0 requires)"),
    "yaml": ((), ""),
}


def require_language(language: str, engine_bin: Path) -> None:
    """Fail, saying what to install, unless a ``language`` program can run here."""
    programs, install = TOOLS[language]
    missing = [p for p in programs if shutil.which(p) is None]
    assert not missing, f"{', '.join(missing)} not found on PATH: install {install} to run {language} programs"
    host = engine_bin / f"pulumi-language-{language}"
    assert host.is_file(), (
        f"{host.name} is not in {engine_bin}: scripts/setup-engine.sh builds it with Go (install Go 1.26.6 or "
        "newer and run `make engine`; its log says why it was left out)"
    )


def plugin_python() -> Path:
    """The python of the plugin's own environment, made if needed (``scripts/setup-plugin.sh``)."""
    result = subprocess.run(["bash", str(ROOT / "scripts" / "setup-plugin.sh")], capture_output=True, text=True)
    assert result.returncode == 0, f"scripts/setup-plugin.sh failed:\n{result.stderr}"
    return Path(result.stdout.strip().splitlines()[-1])


@contextmanager
def plugin_lock() -> Iterator[None]:
    """One ``pulumi package add`` at a time: each runs pip in the plugin's one environment."""
    with (PLUGIN / "venv" / ".package-add.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def component_stack(
    program: Path, tmp_path: Path, emulator: EmulatorProcess, engine_bin: Path, env: Mapping[str, str] | None = None
) -> ProgramStack:
    """An initialized stack of a program in another language, configured for the emulator, with the
    dynamic resources running in the plugin's environment (``PULUMI_PYTHON_CMD``)."""
    python = plugin_python()
    stack = stack_for(
        program, tmp_path / "home", engine_bin, env={**FAST_POLL_ENV, "PULUMI_PYTHON_CMD": str(python), **(env or {})}
    )
    # Not a Python user: the project's virtualenv (which has together_pulumi) is not on PATH.
    stack.env.pop("VIRTUAL_ENV", None)
    stack.env["PATH"] = os.pathsep.join(p for p in stack.env["PATH"].split(os.pathsep) if p != str(VENV_BIN))
    stack.init(config={"together:baseUrl": emulator.base_url}, secrets={"together:apiKey": DEFAULT_API_KEY})
    return stack


def package_add(stack: ProgramStack) -> CommandResult:
    """``pulumi package add <plugin dir>`` in the program's directory: generates the SDK of its language."""
    with plugin_lock():
        return stack.pulumi("package", "add", str(PLUGIN), timeout=900)


def copy_language_program(source: Path, directory: Path) -> Path:
    """A copy of a program directory without what a build leaves (dependencies, SDKs, stack files)."""
    ignore = shutil.ignore_patterns("Pulumi.*.yaml", "node_modules", "sdks", "bin", "package-lock.json", "go.sum")
    shutil.copytree(source, directory, ignore=ignore)
    return directory
