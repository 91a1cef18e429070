"""Fixtures of the end-to-end tests: the real Pulumi engine (mandatory) and the emulator.

The engine is required, never skipped: ``engine_bin`` (tests/conftest.py) runs
``scripts/setup-engine.sh``, which builds or finds the pinned ``pulumi`` CLI and the Python language
host and raises when it cannot; that error fails every test here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator_process import EmulatorProcess, start_emulator


@pytest.fixture(autouse=True)
def _require_engine(engine_bin: Path) -> None:
    """Every e2e test needs the engine: resolve it first so its absence fails, loudly."""


@pytest.fixture(scope="module")
def timed_emulator() -> Iterator[EmulatorProcess]:
    """An emulator whose bring-up takes 3 s (scales 1 s), so that waits for Ready really wait."""
    with start_emulator(provisioning_seconds=3, deletion_seconds=0.5, volume_provisioning_seconds=0.5) as process:
        yield process


@pytest.fixture
def timed_emu(timed_emulator: EmulatorProcess) -> Iterator[EmulatorProcess]:
    timed_emulator.admin.reset()
    yield timed_emulator
