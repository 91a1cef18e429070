"""``together-pulumi teardown``: plan which stacks to destroy (dry run), then destroy them with ``--yes``.

Planning reads each candidate's tags and state through the Automation API; destroying runs
``pulumi destroy --exclude-protected`` for a bounded number of stacks at once. Never forced:

* a stack with a pending operation (an interrupted update) is skipped and reported;
* protected resources (and what they depend on) stay, and are reported;
* a locked stack (another update runs) is retried a few times, then reported as failed; the lock is
  never broken (``pulumi cancel`` removes every lock of a stack, a live one included).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from pulumi import automation as auto

from .backend import Backend, BackendError, StackRef, redact
from .rules import Rules, Verdict
from .state import StackState, read_state

__all__ = ["LOCK_ATTEMPTS", "Entry", "Log", "destroy_all", "plan"]

#: Tries of a destroy refused by the stack lock: two runs started at the same instant can both back off.
LOCK_ATTEMPTS = 3
LOCK_BACKOFF_SECONDS = (2.0, 6.0)

Log = Callable[[str], None]


@dataclass(frozen=True)
class Entry:
    """One candidate stack: what the plan says, and after ``--yes`` what happened."""

    ref: StackRef
    verdict: Verdict
    state: StackState = field(default_factory=StackState)
    #: "destroy", "skip" (due, but not safe to touch), "keep" (not due), "error" (could not be read)
    action: str = "keep"
    note: str = ""
    #: After --yes: "destroyed", "failed", or "" (not acted on)
    outcome: str = ""
    detail: str = ""


def _entry(ref: StackRef, verdict: Verdict, state: StackState) -> Entry:
    if not verdict.due:
        return Entry(ref, verdict, state, "keep")
    if state.pending:
        note = f"pending operation ({', '.join(state.pending)}): an update was interrupted; resolve it first"
        return Entry(ref, verdict, state, "skip", note)
    if state.resource_count == 0:
        return Entry(ref, verdict, state, "skip", "nothing to destroy (the stack holds no resources)")
    note = f"keeps protected: {', '.join(state.protected)}" if state.protected else ""
    return Entry(ref, verdict, state, "destroy", note)


def _inspect(backend: Backend, rules: Rules, ref: StackRef) -> Entry | None:
    """The plan for one stack, None when its tags do not match."""
    try:
        tags = backend.tags(ref)
        if not rules.matches_tags(tags):
            return None
        state = read_state(backend.export(ref))
    except BackendError as exc:
        return Entry(ref, Verdict(False, ""), action="error", note=f"cannot read the stack: {exc}")
    return _entry(ref, rules.verdict(ref, tags, state), state)


def plan(backend: Backend, rules: Rules, project: str | None, parallel: int) -> list[Entry]:
    """Every stack of the backend (or of ``project``) that passes the filters, with what to do with it."""
    candidates = [ref for ref in backend.stacks(project) if rules.matches_name(ref)]
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        found = list(pool.map(lambda ref: _inspect(backend, rules, ref), candidates))
    return [e for e in found if e is not None]


class _Progress:
    """Thread-safe progress lines: ``[2/5] project/stack: ...``."""

    def __init__(self, total: int, log: Log) -> None:
        self.total, self._log, self._lock, self._started = total, log, threading.Lock(), 0

    def start(self) -> int:
        with self._lock:
            self._started += 1
            return self._started

    def line(self, number: int, entry: Entry, text: str) -> None:
        with self._lock:
            self._log(f"[{number}/{self.total}] {entry.ref.label}: {text}")


def _on_event(progress: _Progress, number: int, entry: Entry) -> Callable[[auto.EngineEvent], None]:
    """Log every resource the destroy deletes, with its id."""

    def handle(event: auto.EngineEvent) -> None:
        done = event.res_outputs_event
        if done is not None and done.metadata.op == auto.OpType.DELETE:
            old = done.metadata.old
            name = done.metadata.urn.rsplit("::", 1)[-1]
            ident = f" ({old.id})" if old is not None and old.id else ""
            progress.line(number, entry, f"deleted {done.metadata.type} {name}{ident}")
        failed = event.res_op_failed_event
        if failed is not None:
            progress.line(number, entry, f"failed on {failed.metadata.type} {failed.metadata.urn.rsplit('::', 1)[-1]}")

    return handle


def _destroy_one(backend: Backend, entry: Entry, progress: _Progress, sleep: Callable[[float], None]) -> Entry:
    number = progress.start()
    what = describe(entry.state)
    progress.line(number, entry, f"destroying {what}" + (f"; {entry.note}" if entry.note else ""))
    started = time.monotonic()
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            result = backend.destroy(entry.ref, _on_event(progress, number, entry))
        except auto.errors.ConcurrentUpdateError:
            if attempt == LOCK_ATTEMPTS:
                detail = (
                    f"the stack is locked (tried {LOCK_ATTEMPTS} times): another update is running, or a killed "
                    f"one left its lock; check, then `pulumi cancel --stack {entry.ref.full_name}` (it removes "
                    "every lock of the stack, a live one included)"
                )
                progress.line(number, entry, f"FAILED: {detail}")
                return replace(entry, outcome="failed", detail=detail)
            wait = random.uniform(*LOCK_BACKOFF_SECONDS) * attempt
            progress.line(number, entry, f"locked by another update; trying again in {wait:.0f}s")
            sleep(wait)
            continue
        except auto.errors.CommandError as exc:
            detail = redact(_last_error(str(exc)), backend.url)
            progress.line(number, entry, f"FAILED: {detail}")
            return replace(entry, outcome="failed", detail=detail)
        deleted = sum((result.summary.resource_changes or {}).values())
        detail = f"deleted {deleted} resources in {time.monotonic() - started:.0f}s"
        progress.line(number, entry, f"destroyed: {detail}" + (f"; {entry.note}" if entry.note else ""))
        return replace(entry, outcome="destroyed", detail=detail)
    raise AssertionError("unreachable")  # pragma: no cover


def _last_error(text: str) -> str:
    errors = [line.strip() for line in text.splitlines() if "error:" in line]
    return " ".join(errors[-3:]) if errors else text.strip()[-400:]


def destroy_all(
    backend: Backend, entries: list[Entry], parallel: int, log: Log, sleep: Callable[[float], None] = time.sleep
) -> list[Entry]:
    """Destroy every entry whose action is ``destroy``, ``parallel`` stacks at a time; the entries with outcomes."""
    todo = [e for e in entries if e.action == "destroy"]
    progress = _Progress(len(todo), log)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        results = list(pool.map(lambda e: _destroy_one(backend, e, progress, sleep), todo))
    done = {id(before): after for before, after in zip(todo, results, strict=True)}
    return [done.get(id(e), e) for e in entries]


def describe(state: StackState) -> str:
    """``2 clusters (16 GPUs), 1 volume, 9 resources``: what a destroy deletes (protected objects stay)."""
    kept = set(state.protected)
    clusters = len([o for o in state.clusters if o.name not in kept])
    volumes = len([o for o in state.volumes if o.name not in kept])
    parts = []
    if clusters:
        parts.append(f"{clusters} cluster{'s' if clusters != 1 else ''} ({state.gpus} GPUs)")
    if volumes:
        parts.append(f"{volumes} volume{'s' if volumes != 1 else ''}")
    parts.append(f"{state.resource_count} resources")
    return ", ".join(parts)
