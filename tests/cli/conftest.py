"""Fixtures of the ``together`` CLI tests: an emulator process and a way to run the real CLI.

The CLI is the official ``together`` 3.1.1 console script (``.venv/bin/together``), run as a
subprocess with a temporary HOME, ``TOGETHER_BASE_URL`` pointing at an emulator on a free
loopback port, ``--non-interactive``, and telemetry, the version check and shell-completion
installation switched off (``CI=1`` skips the latter, which costs seconds per command).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emulator_process import EmulatorProcess, start_emulator

CLI_KEY = "cli-test-key"


@dataclass
class Cli:
    """Runs ``together --non-interactive [--json|--no-json] ARGS...`` against the emulator."""

    executable: str
    env: dict[str, str]
    home: Path

    def run(self, *args: str, json_output: bool = True, check: bool = True) -> subprocess.CompletedProcess[str]:
        mode = "--json" if json_output else "--no-json"
        command = [self.executable, "--non-interactive", mode, *args]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(args)} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def json(self, *args: str) -> Any:
        """The command's JSON output."""
        return json.loads(self.run(*args).stdout)


@pytest.fixture(scope="module")
def cli_emulator() -> Iterator[EmulatorProcess]:
    # Remediations stay where the CLI put them long enough to look at them.
    with start_emulator("--remediation-seconds", "3600") as process:
        yield process


@pytest.fixture
def cli(cli_emulator: EmulatorProcess, tmp_path: Path) -> Cli:
    cli_emulator.admin.reset()
    home = tmp_path / "home"
    home.mkdir()
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "TOGETHER_BASE_URL": cli_emulator.base_url,
            "TOGETHER_API_KEY": CLI_KEY,
            "TOGETHER_TELEMETRY_DISABLED": "1",
            "TOGETHER_DISABLE_VERSION_CHECK": "1",
            "CI": "1",
            "COLUMNS": "200",
        }
    )
    executable = str(Path(sys.executable).with_name("together"))
    return Cli(executable, env, home)
