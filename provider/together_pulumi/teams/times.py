"""Durations (``--older-than 24h``), timestamps (expiries) and ages, as the team commands read and show them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

__all__ = ["DURATION_HELP", "format_age", "parse_duration", "parse_timestamp"]

_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+)([smhdw])")
DURATION_HELP: Final = "a number with a unit s, m, h, d or w, or several: 90m, 24h, 7d, 1d12h"


def parse_duration(text: str) -> dt.timedelta:
    """``24h``, ``7d``, ``1d12h``, ``90m``, ``30s``, ``2w`` as a timedelta; ValueError says what is valid."""
    cleaned = text.strip().lower()
    parts = _PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise ValueError(f"{text!r} is not a duration; use {DURATION_HELP}")
    return dt.timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in parts))


def parse_timestamp(text: str) -> dt.datetime:
    """An ISO 8601 time (``2026-01-31T18:00:00Z``, with an offset, or a date meaning its midnight UTC);
    a time without an offset is UTC. ValueError says what is valid."""
    raw = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a timestamp; use ISO 8601, e.g. 2026-01-31T18:00:00Z or 2026-01-31"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def format_age(age: dt.timedelta | None) -> str:
    """``3d4h``, ``5h12m``, ``40m``, ``12s``; ``—`` when unknown; negative ages (the future) as ``in 2h``."""
    if age is None:
        return "—"
    seconds = int(age.total_seconds())
    if seconds < 0:
        return "in " + format_age(dt.timedelta(seconds=-seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else f"{secs}s"
