"""A clock for unit tests of waits: time moves only when something sleeps (no real waiting)."""

from __future__ import annotations

import threading


class StepClock:
    """``monotonic()`` and ``sleep()`` of the client's and the waits' Clock protocol; thread-safe."""

    def __init__(self) -> None:
        self.now = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += max(0.0, seconds)
