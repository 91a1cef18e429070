"""Which Python runs the dynamic resources, and whether it can.

The cluster and volume parts inside the components are Python dynamic resources. The engine runs them
in a process of their own, started by ``pulumi-resource-pulumi-python`` with ``$PULUMI_PYTHON_CMD``, else
the ``python3`` first on ``PATH`` (a Python program's ``virtualenv`` option aside), and that Python
must import ``together_pulumi`` to unpickle the providers. For a TypeScript, Go or YAML program it is
rarely so: the plugin's own environment has the package, the user's ``python3`` does not. The engine
does not let a plugin choose for it, so the plugin checks before it registers anything and, when that
Python cannot do it, stops at preview saying the one setting that fixes it (docs/languages.md).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..program.inputs import ProgramError

__all__ = ["PYTHON_CMD_ENV", "check_dynamic_python", "dynamic_python"]

PYTHON_CMD_ENV = "PULUMI_PYTHON_CMD"
_PROBE = "import pulumi.dynamic, together_pulumi"


def dynamic_python() -> str:
    """The command the engine's dynamic-provider plugin will run, resolved as it resolves it.

    The language host that runs this plugin puts the plugin's ``venv/bin`` first on ``PATH``; the
    engine, which starts the dynamic provider, does not, so that entry is left out here.
    """
    command = os.environ.get(PYTHON_CMD_ENV) or "python3"
    own_bin = str(Path(sys.prefix) / "bin")
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != own_bin)
    return shutil.which(command, path=path) or command


@functools.cache
def _can_import(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", _PROBE], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def check_dynamic_python(owner: str) -> None:
    """Raise a :class:`ProgramError` when the dynamic resources of ``owner`` could not run."""
    if os.environ.get("PULUMI_RUNTIME_VIRTUALENV"):
        return  # a Python program's own virtualenv: the Python path, which needs no help
    python = dynamic_python()
    if _can_import(python):
        return
    source = f"{PYTHON_CMD_ENV}" if os.environ.get(PYTHON_CMD_ENV) else "the python3 first on PATH"
    raise ProgramError(
        f"{owner}: its dynamic resources would run in {python} ({source}), which cannot import together_pulumi. "
        f"Set {PYTHON_CMD_ENV}={sys.executable} (this plugin's own environment) where you run pulumi, "
        "or install together-pulumi into that Python; see docs/languages.md."
    )
