"""Errors a user reads, and showing them without a Python traceback.

Every failure the provider means to report is a :class:`ProviderError` whose message says what is
wrong, on which resource, and what to do. Pulumi's dynamic-provider host turns any exception from a
provider method into ``traceback.format_exc()``, so a user would read 8 to 40 lines of Python
before the message. :func:`show_errors_without_tracebacks` makes that host print only the message
of a :class:`ProviderError` (and of the API client's own errors, which carry the failed request);
anything else (a bug) keeps its traceback. ``TOGETHER_PULUMI_TRACEBACKS=1`` brings tracebacks back
for every error.
"""

from __future__ import annotations

import os
import sys
import traceback
from types import ModuleType
from typing import Any

from ..api import errors as api_errors

__all__ = ["TRACEBACKS_ENV", "ProviderError", "show_errors_without_tracebacks"]

TRACEBACKS_ENV = "TOGETHER_PULUMI_TRACEBACKS"


class ProviderError(Exception):
    """A failure explained to the user: the message is complete and stands alone."""


class _MessagesOnly:
    """Stands in for the ``traceback`` module inside the dynamic-provider host."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, ProviderError | api_errors.TogetherError) and not os.environ.get(TRACEBACKS_ENV):
            return str(error)
        return str(self._real.format_exc(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def show_errors_without_tracebacks() -> None:
    """In the dynamic-provider host process, report our errors by their message alone.

    The host (``python -m pulumi.dynamic``, running as ``__main__``) aborts each failed gRPC call with
    ``traceback.format_exc()``, looking ``traceback`` up in its module globals at call time; this
    swaps that one name. Anywhere else (tests, a program) it does nothing, and if a later Pulumi
    changes the host, errors simply keep their tracebacks.
    """
    host = sys.modules.get("__main__")
    if host is None or getattr(host, "__package__", None) != "pulumi.dynamic":
        return
    current = getattr(host, "traceback", None)
    if isinstance(current, ModuleType) and current is traceback:
        host.traceback = _MessagesOnly(current)  # type: ignore[attr-defined]
