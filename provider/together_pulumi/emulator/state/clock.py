"""The emulator's virtual clock and its timestamp format.

Lifecycles are evaluated lazily against this clock (see :mod:`.store`), so tests move time with
the admin API instead of sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

__all__ = ["Clock", "format_ts"]


def format_ts(ts: float) -> str:
    """RFC 3339 UTC with milliseconds and a ``Z``, e.g. ``2026-07-01T12:00:00.250Z``."""
    dt = datetime.fromtimestamp(ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


class Clock:
    """Virtual time: ``now = base + real elapsed * scale + offset`` (seconds since the epoch).

    Changing the scale re-anchors so time never jumps; ``advance`` only moves forward, so lazily
    evaluated lifecycles never run backwards.
    """

    def __init__(self, start: float | None = None) -> None:
        self.reset(start)

    def reset(self, start: float | None = None) -> None:
        """Back to real time (scale 1, no offset), starting at ``start`` or the wall clock."""
        self._anchor_real = time.monotonic()
        self._anchor_virtual = start if start is not None else time.time()
        self.scale = 1.0
        self.offset_seconds = 0.0

    def now(self) -> float:
        """Virtual seconds since the epoch."""
        return self._anchor_virtual + (time.monotonic() - self._anchor_real) * self.scale + self.offset_seconds

    def advance(self, seconds: float) -> None:
        """Jump forward; ``ValueError`` for a negative jump."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0 (the clock never goes back); got {seconds}")
        self.offset_seconds += seconds

    def set_scale(self, scale: float) -> None:
        """Run ``scale`` times faster than real time (0 freezes it); ``ValueError`` if negative."""
        if scale < 0:
            raise ValueError(f"scale must be >= 0; got {scale}")
        self._anchor_virtual = self.now() - self.offset_seconds
        self._anchor_real = time.monotonic()
        self.scale = scale

    def to_dict(self) -> dict[str, Any]:
        """The admin API's view: ``{"now", "scale", "offset_seconds"}``."""
        return {"now": format_ts(self.now()), "scale": self.scale, "offset_seconds": self.offset_seconds}
