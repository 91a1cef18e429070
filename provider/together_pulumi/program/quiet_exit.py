"""The program's end after a failed update: no ``KeyboardInterrupt`` traceback after the real error."""

from __future__ import annotations

import signal
import threading
from typing import Any

__all__ = ["quiet_interrupts"]

#: The exit status with which Pulumi's Python executor says "the error was already shown".
_ALREADY_SHOWN = 32


def _exit_quietly(_signum: int, _frame: Any) -> None:
    raise SystemExit(_ALREADY_SHOWN)


def quiet_interrupts() -> None:
    """End the program quietly when the engine interrupts it.

    When an update fails (or the user presses Ctrl-C), Pulumi's language host sends the program
    SIGINT, and Python's default answer is a ``KeyboardInterrupt`` traceback, which the CLI prints
    after the real error as if it were one. A ``SystemExit`` ends the program the same way without
    printing anything. Only Python's own default handler is replaced (a program that set its own
    keeps it), and only from the main thread, where signal handlers live.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _exit_quietly)
