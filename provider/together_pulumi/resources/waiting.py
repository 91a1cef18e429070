"""Waiting for the service, with our own deadlines and visible progress.

Pulumi's ``custom_timeouts`` never reach a Python dynamic provider, so every wait here carries its
own deadline. Progress goes to stdout: the engine shows a dynamic provider's stdout in ``pulumi up``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["WaitTimeoutError", "poll_until", "progress"]

_T = TypeVar("_T")

_FIRST_POLL_SECONDS = 0.5
_MAX_POLL_SECONDS = 15.0  # override with TOGETHER_PULUMI_MAX_POLL_SECONDS (tests, impatient demos)
_HEARTBEAT_SECONDS = 60.0


class WaitTimeoutError(Exception):
    """A wait ran past its deadline; the message says what exists and how to resume."""


def progress(message: str) -> None:
    """One line of progress in ``pulumi up`` output."""
    print(message, file=sys.stdout, flush=True)


def poll_until(
    fetch: Callable[[], _T],
    done: Callable[[_T], bool],
    *,
    describe: Callable[[_T], str],
    label: str,
    timeout_seconds: float,
    on_timeout: Callable[[_T, float], str],
    fail: Callable[[_T], str | None] = lambda _: None,
) -> _T:
    """Poll ``fetch`` until ``done``; print each new state with the elapsed time.

    ``fail`` may return a message to stop early (the object was deleted, say). On timeout,
    :class:`WaitTimeoutError` carries ``on_timeout(last_state, elapsed)``.
    """
    start = time.monotonic()
    deadline = start + timeout_seconds
    max_interval = float(os.environ.get("TOGETHER_PULUMI_MAX_POLL_SECONDS") or _MAX_POLL_SECONDS)
    interval = min(_FIRST_POLL_SECONDS, max_interval)
    last_description = None
    last_print = start
    while True:
        state = fetch()
        now = time.monotonic()
        description = describe(state)
        if description != last_description or now - last_print >= _HEARTBEAT_SECONDS:
            progress(f"{label}: {description} (+{now - start:.0f}s)")
            last_description, last_print = description, now
        if done(state):
            return state
        problem = fail(state)
        if problem:
            raise RuntimeError(problem)
        if now >= deadline:
            raise WaitTimeoutError(on_timeout(state, now - start))
        time.sleep(min(interval, max(0.0, deadline - now)))
        interval = min(interval * 1.5, max_interval)
