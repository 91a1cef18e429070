"""One read of the account serves every resource of a run: clusters and volumes listed, not fetched one by one.

The dynamic-provider host is one process per ``pulumi`` command, and serves every resource of the
stack. So a stack of many clusters waiting for Ready shares one list call per poll period instead of
sending a GET per cluster per poll (status requests per minute stay flat as the stack grows), and the
look-ups around creates share one list too. A :class:`SharedListing` hands out the last list it read
when that is recent enough for the caller, and otherwise reads once for every caller waiting.

Two bounds say what "recent enough" is: ``max_age`` (a poll accepts a list up to one poll period
old) and ``after`` (a list whose read started before that instant cannot be used: a wait must see
its cluster as it is after this process last changed it, and the look-up after a create must see the
create). :class:`Changes` remembers those changes, so a wait that was queued behind others uses
the last list at once instead of waiting a poll period for one of its own. While a read is slow
(the client backs off on a 429, honouring ``Retry-After``), pollers get the last list instead of
piling up more requests: the backoff slows the shared poller for everyone.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from ..api.clock import Clock

__all__ = ["SHARED_POLL_SECONDS", "Changes", "SharedListing", "shared_poll", "shared_poll_seconds"]

_T = TypeVar("_T")

#: How old a list a poll may use: one list call per period, whatever the number of waiting resources
#: (12 a minute), and each is seen Ready within about one period of becoming so.
SHARED_POLL_SECONDS = 5.0


def shared_poll_seconds() -> float:
    """The poll period, lowered like every wait's by ``TOGETHER_PULUMI_MAX_POLL_SECONDS`` (tests, demos)."""
    configured = os.environ.get("TOGETHER_PULUMI_MAX_POLL_SECONDS")
    return min(SHARED_POLL_SECONDS, float(configured)) if configured else SHARED_POLL_SECONDS


class SharedListing(Generic[_T]):
    """The last list of one kind of object, shared by the threads of this process (see the module)."""

    def __init__(self, fetch: Callable[[], list[_T]], clock: Clock) -> None:
        self._fetch = fetch
        self._clock = clock
        self._changed = threading.Condition()
        self._items: list[_T] | None = None
        self._read_at = -math.inf  # when the read that gave _items started
        self._reading_since: float | None = None  # when the read in flight started, if any
        self._answered_at = -math.inf  # when the last read ended: spacing counts from there
        self.reads = 0  # how many list calls were sent (benchmarks, tests)

    def get(self, *, after: float = -math.inf, max_age: float = math.inf, spacing: float = 0.0) -> list[_T]:
        """A list whose read started at or after ``after`` and is at most ``max_age`` seconds old.

        ``spacing``: a read starts at least that long after the last one was answered; a caller that
        needs a newer list than the last waits for the next read, which then serves every caller
        waiting (pollers use the poll period: one read per period however many waits start within
        it). Counting from the answer keeps reads more than a period apart wherever the API's rate
        limit timestamps them, so 12 a minute at 5 s is never 13 in one 60 s window.
        """
        while True:
            with self._changed:
                now = self._clock.monotonic()
                usable = self._items is not None and self._read_at >= after
                if usable and now - self._read_at <= max_age:
                    return list(self._items or [])
                if self._reading_since is not None:
                    if usable and max_age != math.inf:
                        return list(self._items or [])  # a slow read in flight (backing off): the last list
                    self._changed.wait(timeout=1.0)
                    continue
                early = self._answered_at + spacing - now
                if early <= 0:
                    started = self._reading_since = now
                    self.reads += 1
                    break
            self._clock.sleep(early)  # (outside the lock; the clock tests drive)
        try:
            items = self._fetch()
        except BaseException:
            with self._changed:
                self._reading_since, self._answered_at = None, self._clock.monotonic()
                self._changed.notify_all()
            raise
        with self._changed:
            if started >= self._read_at:
                self._items, self._read_at = items, started
            self._reading_since, self._answered_at = None, self._clock.monotonic()
            self._changed.notify_all()
        return list(items)

    def invalidate(self) -> None:
        """Forget the last list: the account changed in a way this process cannot see (a create that
        may have landed), so the next caller reads again."""
        with self._changed:
            self._items, self._read_at = None, -math.inf

    def now(self) -> float:
        """The clock this listing reads time from (``after`` bounds are taken with it)."""
        return self._clock.monotonic()


class Changes:
    """When this process last changed each object (created, updated, adopted it).

    A list read before a change cannot say whether the change is done (a cluster being scaled is
    still listed Ready with its old size), so a wait of that object needs a read from after it.
    Object ids are unique across the API, so one instance serves every project and kind.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._at: dict[str, float] = {}

    def changed(self, object_id: str) -> None:
        """``object_id`` was just changed, and the API has answered the change."""
        with self._lock:
            self._at[object_id] = self._clock.monotonic()

    def changed_at(self, object_id: str) -> float:
        """When this process last changed ``object_id`` (minus infinity: never)."""
        with self._lock:
            return self._at.get(object_id, -math.inf)


def shared_poll(
    listing: SharedListing[_T],
    changes: Changes,
    object_id: str,
    id_of: Callable[[_T], str],
    fetch_one: Callable[[str], _T | None],
) -> Callable[[], _T | None]:
    """How a wait reads its object: from the list every wait of the process shares, read after this
    process last changed the object and at most one poll period old. An object the list does not
    show (one of another project, say) is fetched on its own, so "not listed" never reads as "gone"."""

    def fetch() -> _T | None:
        period = shared_poll_seconds()
        listed = listing.get(after=changes.changed_at(object_id), max_age=period, spacing=period)
        found = next((item for item in listed if id_of(item) == object_id), None)
        return found if found is not None else fetch_one(object_id)

    return fetch
