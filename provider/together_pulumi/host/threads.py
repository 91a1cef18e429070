"""Enough threads in the dynamic-provider host for every resource the engine runs at once.

Pulumi's Python dynamic-provider host (``python -m pulumi.dynamic``, pulumi 3.260) serves gRPC from
a ``ThreadPoolExecutor(max_workers=4)``: a call holds a thread until it returns. A wait for Ready
holds one for minutes, so with four clusters waiting, every other call of the stack (the creates of
the next clusters, their volumes) queued behind them and a fleet came up in several provisioning
times. The engine itself runs up to ``--parallel`` operations at once (default 4 per CPU), so the
host gets room for far more than that; threads are only started when a call finds none idle.

Only in the dynamic-provider host, once, and harmless when the host changes: an executor that is
not found is left alone (the stack is then as slow as before, never wrong).
"""

from __future__ import annotations

import gc
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["HOST_THREADS", "widen"]

#: Calls the host may serve at once: above any ``--parallel`` a stack is likely to run with.
HOST_THREADS = 512

_done = threading.Lock()
_widened: list[int] = []


def widen() -> int:
    """Raise the host's gRPC thread limit to :data:`HOST_THREADS`; returns how many pools were widened."""
    host = sys.modules.get("__main__")
    if host is None or getattr(host, "__package__", None) != "pulumi.dynamic":
        return 0
    with _done:
        if not _widened:
            _widened.append(_widen_pools())
        return _widened[0]


def _widen_pools() -> int:
    # The host keeps its executor in a local of main(), reachable only through the gRPC server.
    pools = [o for o in gc.get_objects() if isinstance(o, ThreadPoolExecutor)]
    for pool in pools:
        # CPython starts a thread per submit while fewer than _max_workers run and none is idle.
        pool._max_workers = max(pool._max_workers, HOST_THREADS)
    return len(pools)
