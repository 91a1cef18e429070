"""The one line the emulator prints on stdout once it listens, which scripts and tests parse.

``together-emulator: serving http://HOST:PORT`` — keep it byte-identical: ``scripts/`` read the
port from it. Build it with :func:`serving_line`, read it with :func:`parse_serving_line`.
"""

from __future__ import annotations

__all__ = ["SERVING_PREFIX", "parse_serving_line", "serving_line"]

#: Everything before the URL.
SERVING_PREFIX = "together-emulator: serving "


def serving_line(url: str) -> str:
    """``together-emulator: serving <url>`` (no newline)."""
    return f"{SERVING_PREFIX}{url}"


def parse_serving_line(line: str) -> str | None:
    """The URL of a serving line, or ``None`` for any other line."""
    if not line.startswith(SERVING_PREFIX):
        return None
    return line[len(SERVING_PREFIX) :].strip()
