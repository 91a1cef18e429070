"""Ctrl-C and a vanished engine, as the provider process sees them.

On the first Ctrl-C the engine sends every provider the gRPC ``Cancel`` and then waits for the calls
in flight to return. Pulumi's Python dynamic-provider host (``python -m pulumi.dynamic``) answers
``Cancel`` and does nothing else, so a wait for Ready went on for up to an hour. :func:`watch` makes
that ``Cancel`` set a process-wide flag which every wait checks between polls (:func:`pause` wakes
at once), so the wait ends and fails with a message saying what exists and how to resume.

The engine gives each provider a stdin pipe and never writes to it, so end of file there means the
engine is gone (``kill -9``, a cancelled CI job): nothing can record what the provider would do next,
and the process exits instead of polling the API for hours.

Both start once per process, lazily (from ``configure``), and only in the dynamic-provider host:
never in a program or a test process, and nothing of it is held by a (pickled) provider.
"""

from __future__ import annotations

import importlib
import os
import stat
import sys
import threading
import types
from typing import Any

from ..api.clock import SYSTEM_CLOCK, Clock

__all__ = ["ENGINE_GONE_EXIT_CODE", "cancel_requested", "cancelled", "pause", "watch"]

#: The provider process's exit status when its engine went away.
ENGINE_GONE_EXIT_CODE = 3

_cancelled = threading.Event()
_watching = threading.Lock()
_started: list[bool] = []


def cancelled() -> bool:
    """Whether the engine asked this process to cancel (the user pressed Ctrl-C)."""
    return _cancelled.is_set()


def pause(clock: Clock, seconds: float) -> None:
    """Sleep between polls; with the real clock, a cancel ends the sleep at once."""
    if clock is SYSTEM_CLOCK:
        _cancelled.wait(seconds)
    else:
        clock.sleep(seconds)


def cancel_requested() -> Any:
    """The host's ``Cancel`` handler (see :func:`_hook_cancel`): flag the cancel, answer as before."""
    # Silent: the engine also sends Cancel when it closes a provider after every successful command.
    _cancelled.set()
    return importlib.import_module("google.protobuf.empty_pb2").Empty()


def watch() -> None:
    """In the dynamic-provider host, once: hear the engine's ``Cancel`` and notice when it is gone."""
    host = sys.modules.get("__main__")
    if host is None or getattr(host, "__package__", None) != "pulumi.dynamic":
        return
    with _watching:
        if _started:
            return
        _started.append(True)
    _hook_cancel(host)
    _exit_when_engine_gone()


def _host_cancel(self: Any, request: Any, context: Any) -> Any:
    # Runs as the host's own method, with the host's module globals: import by absolute name.
    from together_pulumi.host import interrupts

    return interrupts.cancel_requested()


def _hook_cancel(host: types.ModuleType) -> None:
    method = getattr(getattr(host, "DynamicResourceProviderServicer", None), "Cancel", None)
    if not isinstance(method, types.FunctionType) or method.__code__.co_freevars:
        print(
            "together-pulumi: this Pulumi's dynamic-provider host has no Cancel method to hook; Ctrl-C will not "
            "end a wait early (a second Ctrl-C stops pulumi, and the next `pulumi up` resumes the wait)",
            file=sys.stderr,
            flush=True,
        )
        return
    # gRPC bound the servicer's methods when the host started serving, so a new class attribute would
    # never be called; the function those bindings point to gets our code instead.
    method.__code__ = _host_cancel.__code__


def _exit_when_engine_gone() -> None:
    try:
        if not stat.S_ISFIFO(os.fstat(0).st_mode):
            return  # not started by an engine (which always gives its plugins a pipe)
    except OSError:
        return
    threading.Thread(target=_read_until_eof, name="together-engine-watch", daemon=True).start()


def _read_until_eof() -> None:
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    # The engine's end of the pipe closed: it died. In-flight calls can no longer be recorded.
    os._exit(ENGINE_GONE_EXIT_CODE)
