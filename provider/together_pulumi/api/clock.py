"""The one clock every wait reads: retries, the settling after an uncertain create, and (in
``host``) the waits for clusters and volumes. Tests pass a clock that moves the emulator's
virtual time instead of sleeping."""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["SYSTEM_CLOCK", "Clock"]


class Clock(Protocol):
    """Where waits read the time and how they pause."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class _SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


#: The real clock, the default everywhere.
SYSTEM_CLOCK: Clock = _SystemClock()
