"""Run a Pulumi program directory through the real engine, fully offline.

Used by ``make demo`` and the end-to-end tests. The engine is the ``pulumi`` CLI built by
``scripts/setup-engine.sh``; the program runs through the Automation API's inline mode, whose
language server lives in this Python process. (The Python language host binary cannot be built
here: the Go module proxy serves none of its versions. The program files are run unchanged, exactly
as ``pulumi up`` in their directory would run them.) The backend is a local directory, secrets use a
passphrase, and nothing is downloaded.
"""

from __future__ import annotations

import argparse
import os
import re
import runpy
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "together-pulumi-local"  # protects only throw-away local state


def engine_bin_dir() -> Path:
    """The bin directory holding ``pulumi`` (built on first use; fails loudly if it cannot be)."""
    result = subprocess.run(["bash", str(ROOT / "scripts" / "setup-engine.sh")], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"the Pulumi engine could not be set up:\n{result.stderr.strip()}")
    return Path(result.stdout.strip().splitlines()[-1])


def project_name(program_dir: Path) -> str:
    """The ``name:`` of a program's Pulumi.yaml (config keys without a namespace use it)."""
    text = (program_dir / "Pulumi.yaml").read_text()
    match = re.search(r"^name:\s*(\S+)\s*$", text, re.MULTILINE)
    if not match:
        raise ValueError(f"{program_dir}/Pulumi.yaml has no name")
    return match.group(1)


def inline_program(program_dir: Path) -> Callable[[], None]:
    """The program's ``__main__.py`` as an inline program."""

    def program() -> None:
        runpy.run_path(str(program_dir / "__main__.py"), run_name="__main__")

    return program


class ProgramStack:
    """One stack of one program directory, with its own backend and PULUMI_HOME under ``state_dir``."""

    def __init__(
        self,
        program_dir: Path,
        stack_name: str,
        state_dir: Path,
        *,
        config: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        bin_dir: Path | None = None,
    ) -> None:
        self.program_dir = program_dir.resolve()
        self.state_dir = state_dir
        bin_dir = bin_dir or engine_bin_dir()
        backend = f"file://{state_dir / 'backend'}"
        (state_dir / "backend").mkdir(parents=True, exist_ok=True)
        work_dir = state_dir / "workspace"
        work_dir.mkdir(parents=True, exist_ok=True)
        env_vars = {
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "1",
            "PULUMI_BACKEND_URL": backend,
            # The dynamic provider plugin runs `$PULUMI_PYTHON_CMD -m pulumi.dynamic`: this venv.
            "PULUMI_PYTHON_CMD": sys.executable,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            **(env or {}),
        }
        name = project_name(self.program_dir)
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(work_dir),
            pulumi_home=str(state_dir / "pulumi-home"),
            pulumi_command=auto.PulumiCommand(root=str(bin_dir.parent)),
            env_vars=env_vars,
            project_settings=auto.ProjectSettings(name=name, runtime="python", backend=auto.ProjectBackend(backend)),
            secrets_provider="passphrase",
        )
        self.stack = auto.create_or_select_stack(
            stack_name, project_name=name, program=inline_program(self.program_dir), opts=opts
        )
        for key, value in (config or {}).items():
            self.stack.set_config(key, auto.ConfigValue(value))
        for key, value in (secrets or {}).items():
            self.stack.set_config(key, auto.ConfigValue(value, secret=True))

    def set_config(self, key: str, value: str, *, secret: bool = False) -> None:
        self.stack.set_config(key, auto.ConfigValue(value, secret=secret))

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self.stack.up(on_output=_echo, **kwargs)

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=_echo, **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self.stack.refresh(on_output=_echo, **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self.stack.destroy(on_output=_echo, **kwargs)

    def outputs(self) -> MutableMapping[str, auto.OutputValue]:
        return self.stack.outputs()

    def export(self) -> auto.Deployment:
        return self.stack.export_stack()

    def remove(self) -> None:
        self.stack.workspace.remove_stack(self.stack.name)


def _echo(line: str) -> None:
    print(line, end="" if line.endswith("\n") else "\n", flush=True)


def _main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "preview", "refresh", "destroy", "outputs", "rm"])
    parser.add_argument("program_dir", type=Path)
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--state-dir", type=Path, default=Path(tempfile.gettempdir()) / "together-pulumi-state")
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--secret", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()

    def pairs(items: list[str]) -> dict[str, str]:
        return dict(item.split("=", 1) for item in items)

    stack = ProgramStack(
        args.program_dir,
        args.stack,
        args.state_dir,
        config=pairs(args.config),
        secrets=pairs(args.secret),
        env={k: v for k, v in os.environ.items() if k.startswith("TOGETHER_")},
    )
    if args.command == "outputs":
        for key, value in stack.outputs().items():
            print(f"  {key}: {'[secret]' if value.secret else value.value}")
    elif args.command == "rm":
        stack.remove()
    else:
        getattr(stack, args.command)()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
