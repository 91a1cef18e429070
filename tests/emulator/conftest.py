"""Fixtures of the emulator tests.

- ``app_emu``: a fresh in-process emulator (all delays 0, seed 1) for tests where sockets do not
  matter; see ``tests/emulator_inprocess.py``. ``make_app_emu(**config)`` builds others.
- ``emu``/``emulator`` (from ``tests/conftest.py``): the session's emulator *process*, for faults,
  the command line, persistence and anything that needs real HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from typing import Any

import pytest

from emulator_inprocess import InProcessEmulator, in_process_emulator

MakeAppEmu = Callable[..., InProcessEmulator]


@pytest.fixture
def make_app_emu() -> Iterator[MakeAppEmu]:
    """``make_app_emu(provisioning_seconds=10, api_key="k", ...)`` → a fresh in-process emulator."""
    with ExitStack() as stack:

        def make(**config: Any) -> InProcessEmulator:
            manager: AbstractContextManager[InProcessEmulator] = in_process_emulator(**config)
            return stack.enter_context(manager)

        yield make


@pytest.fixture
def app_emu(make_app_emu: MakeAppEmu) -> InProcessEmulator:
    """A fresh in-process emulator with all delays 0 and seed 1."""
    return make_app_emu()
