"""The store: all emulator state behind one lock, brought up to date before every operation.

The lifecycle is evaluated lazily: each object stores *when* its next phases are due, and every
operation first applies the transitions whose time has come (:meth:`Store.sync`). No background
thread runs, so tests drive time with the virtual clock instead of sleeping. Transition times in
``phase_transitions`` are the due times, not the time somebody happened to look.

Operations live in services (:mod:`.clusters`, :mod:`.volumes`, :mod:`.remediations`,
:mod:`.identity`, :mod:`.admin`) whose methods are wrapped by :func:`reads` or :func:`writes`: lock,
sync, run, and (for writes) persist. That sequence is written here once.

Mutating responses (create, update, delete) show the object as it is right after the mutation,
as the real service does (a new cluster answers ``WaitingForControlPlaneNodes``); transitions
that are already due (e.g. with ``--provisioning-seconds 0``) appear from the next request on.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from ..config import EmulatorConfig
from ..lifecycle.clusters import Lifecycle
from ..lifecycle.fabricate import Fabricator
from ..lifecycle.nodes import Nodes
from ..lifecycle.remediations import RemediationFlow
from .clock import Clock
from .memory import State
from .persistence import load_state, save_state

__all__ = ["Service", "Store", "reads", "writes"]

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="Service")


class Store:
    """State, clock, id stream and state machines of one emulator, serialised by ``lock``."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = Clock()
        self.lock = threading.RLock()
        self.state = State(projects=list(config.projects))
        self.fabricate = Fabricator(config.seed)
        self.nodes = Nodes(self.state, self.fabricate)
        self.lifecycle = Lifecycle(config, self.state, self.fabricate, self.nodes)
        self.remediation_flow = RemediationFlow(config, self.state, self.nodes)
        if config.state_file is not None:
            load_state(config.state_file, self.state, self.fabricate, self.clock)

    def reset(self) -> None:
        """Forget everything; the id stream and the clock start over."""
        with self.lock:
            self.state.clear(self.config.projects)
            self.fabricate.reset()
            self.clock.reset()
            self.save()

    def sync(self) -> float:
        """Apply every due transition; returns the virtual now. Persists if anything changed."""
        with self.lock:
            now = self.clock.now()
            changed = False
            for record in list(self.state.clusters.values()):
                changed |= self.lifecycle.advance(record, now)
            for remediation in list(self.state.remediations.values()):
                changed |= self.remediation_flow.advance(remediation, now)
            changed |= self.finish_volume_deletions(now)
            if changed:
                self.save()
            return now

    def finish_volume_deletions(self, now: float) -> bool:
        """Remove the volumes whose deletion is due, unless forced ``failed`` (a deletion that failed)."""
        due = [
            v.volume_id
            for v in self.state.volumes.values()
            if v.deleting_until is not None and v.deleting_until <= now and v.forced_status != "failed"
        ]
        for volume_id in due:
            del self.state.volumes[volume_id]
        return bool(due)

    def save(self) -> None:
        """Write the state file, if there is one."""
        if self.config.state_file is not None:
            with self.lock:
                save_state(self.config.state_file, self.state, self.fabricate, self.clock)

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[float]:
        """Hold the lock with state brought up to now (yielded); save afterwards if ``write``.

        A failed operation (an :class:`~.errors.ApiError`) saves nothing: operations validate
        before they change anything.
        """
        with self.lock:
            now = self.sync()
            yield now
            if write:
                self.save()


class Service:
    """Base of the operation groups; each method gets the store's "now" from :func:`reads`/:func:`writes`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def state(self) -> State:
        return self.store.state

    @property
    def config(self) -> EmulatorConfig:
        return self.store.config


def _transactional(write: bool) -> Callable[[Callable[Concatenate[S, float, P], R]], Callable[Concatenate[S, P], R]]:
    def decorate(method: Callable[Concatenate[S, float, P], R]) -> Callable[Concatenate[S, P], R]:
        @functools.wraps(method)
        def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            with self.store.transaction(write=write) as now:
                return method(self, now, *args, **kwargs)

        return run

    return decorate


#: Decorates a read-only :class:`Service` method ``(self, now, ...)``: called as ``(self, ...)``.
reads = _transactional(write=False)
#: Like :data:`reads`, and the state file is rewritten when the method returns.
writes = _transactional(write=True)
