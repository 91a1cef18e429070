"""Shared fixtures: one emulator process for the whole session, reset per test by ``emu``.

- ``emulator`` (session): an :class:`emulator_process.EmulatorProcess` started with
  ``--port 0 --provisioning-seconds 0 --deletion-seconds 0 --volume-provisioning-seconds 0
  --remediation-seconds 0 --seed 1``.
  Attributes: ``base_url`` (host, no ``/v1``), ``admin`` (reset, set_faults, advance_clock,
  set_clock_scale, requests_log, clear_requests, scale_cluster, delete_cluster,
  set_cluster_status, state, set_capacity, faults, clock), ``client(api_key="test-key")``.
- ``emu`` (function): the same emulator, reset before the test (no clusters, volumes, faults or
  request log; clock back to scale 1).
- ``start_emulator`` (from ``emulator_process``): a context manager for an extra process with
  other flags, e.g. ``with start_emulator(api_key="k", provisioning_seconds=10) as e: ...``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess, start_emulator

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorProcess]:
    with start_emulator() as process:
        yield process


@pytest.fixture
def emu(emulator: EmulatorProcess) -> Iterator[EmulatorProcess]:
    emulator.admin.reset()
    yield emulator


@pytest.fixture(scope="session")
def engine_bin() -> Path:
    """The bin directory of the pinned Pulumi engine (``scripts/setup-engine.sh``: the CLI, the Python
    language host and its executor, the dynamic-provider plugin), built if needed. Never skipped: no
    engine is a failure."""
    result = subprocess.run(["bash", str(ROOT / "scripts" / "setup-engine.sh")], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"the Pulumi engine could not be set up:\n{result.stderr.strip()}")
    return Path(result.stdout.strip().splitlines()[-1])
