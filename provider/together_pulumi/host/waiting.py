"""Waiting for the service, with our own deadlines, visible progress and a clock tests can drive.

Pulumi's ``custom_timeouts`` never reach a Python dynamic provider, so every wait here carries its
own deadline. Progress goes to stdout: the engine shows a dynamic provider's stdout in ``pulumi up``.
Every wait (clusters, volumes, the client's settling after an uncertain create) reads time from one
:class:`Clock`; tests swap in one that moves the emulator's virtual clock instead of sleeping.

A wait rides out transient API failures (throttling, 5xx, a dropped connection, an outage) until
its own deadline: one burst of 429s must not abort an hour-long wait.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TypeVar

from ..api import errors
from ..api.clock import SYSTEM_CLOCK, Clock
from . import interrupts
from .errors import ProviderError

__all__ = ["SYSTEM_CLOCK", "Clock", "WaitCancelledError", "WaitTimeoutError", "is_transient", "poll_until", "progress"]

_T = TypeVar("_T")

_FIRST_POLL_SECONDS = 0.5
_MAX_POLL_SECONDS = 15.0
#: Longest pause between polls; tests and impatient demos lower it.
MAX_POLL_ENV = "TOGETHER_PULUMI_MAX_POLL_SECONDS"
_HEARTBEAT_SECONDS = 60.0


class WaitTimeoutError(ProviderError):
    """A wait ran past its deadline; the message says what exists and how to resume."""


class WaitCancelledError(ProviderError):
    """The user pressed Ctrl-C during a wait; the message says what exists and how to resume."""


def progress(message: str) -> None:
    """One line of progress in ``pulumi up`` output."""
    print(message, file=sys.stdout, flush=True)


def is_transient(error: BaseException) -> bool:
    """A failure that waiting longer can cure: no connection, a timeout, throttling, a 5xx."""
    if isinstance(error, errors.TransportError):
        return True
    return isinstance(error, errors.RateLimitError | errors.ServerError)


def poll_until(
    fetch: Callable[[], _T],
    done: Callable[[_T], bool],
    *,
    describe: Callable[[_T], str],
    label: str,
    timeout_seconds: float,
    on_timeout: Callable[[_T | None, float], str],
    clock: Clock,
    fail: Callable[[_T], str | None] = lambda _: None,
    on_cancel: Callable[[_T | None, float], str] | None = None,
    max_interval: float | None = None,
) -> _T:
    """Poll ``fetch`` until ``done``; print each new state with the elapsed time.

    ``fail`` may return a message to stop early (the object was deleted, say). Transient API errors
    are reported and polled through until the deadline. On timeout, :class:`WaitTimeoutError` carries
    ``on_timeout(last answer, elapsed)`` (``None`` when no poll was ever answered). A Ctrl-C
    (:mod:`.interrupts`) ends the wait within a moment with :class:`WaitCancelledError` carrying
    ``on_cancel(last answer, elapsed)``, or by default a message that names ``label``.
    ``max_interval`` caps the pause between polls below the usual ceiling.
    """
    start = clock.monotonic()
    deadline = start + timeout_seconds
    ceiling = float(os.environ.get(MAX_POLL_ENV) or _MAX_POLL_SECONDS)
    # (A fetch that reads a shared list is cheap: it may run more often than the API is asked.)
    max_interval = min(ceiling, max_interval) if max_interval is not None else ceiling
    interval = min(_FIRST_POLL_SECONDS, max_interval)
    last_description: str | None = None
    last_print = start
    last: list[_T] = []  # the last answer, once there is one
    while True:
        answered = False
        try:
            state = fetch()
        except errors.TogetherError as error:
            if not is_transient(error):
                raise
            description = f"the API is not answering ({error}); still waiting"
        else:
            answered, last[:] = True, [state]
            description = describe(state)
        now = clock.monotonic()
        if description != last_description or now - last_print >= _HEARTBEAT_SECONDS:
            progress(f"{label}: {description} (+{now - start:.0f}s)")
            last_description, last_print = description, now
        if answered:
            if done(last[0]):
                return last[0]
            problem = fail(last[0])
            if problem:
                raise ProviderError(problem)
        if now >= deadline:
            raise WaitTimeoutError(on_timeout(last[0] if last else None, now - start))
        interrupts.pause(clock, min(interval, max(0.0, deadline - now)))
        if interrupts.cancelled():
            elapsed = clock.monotonic() - start
            raise WaitCancelledError((on_cancel or _cancelled_message(label))(last[0] if last else None, elapsed))
        interval = min(interval * 1.5, max_interval)


def _cancelled_message(label: str) -> Callable[[object, float], str]:
    """The default message of a wait that a Ctrl-C stopped."""
    return lambda _last, elapsed: (
        f"{label}: stopped waiting after {elapsed:.0f}s because the update was cancelled (Ctrl-C). "
        "It stays in the stack state; run the same command again to resume waiting."
    )
