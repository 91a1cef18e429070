"""The shared list: many waits, one read per poll period; a wait never reads a list older than itself."""

from __future__ import annotations

import itertools
import threading

from step_clock import StepClock
from together_pulumi.host.shared_reads import Changes, SharedListing, shared_poll


def test_polls_within_one_period_share_one_read() -> None:
    clock = StepClock()
    reads: list[float] = []

    def fetch() -> list[str]:
        reads.append(clock.now)
        return ["c"]

    listing = SharedListing(fetch, clock)
    # 48 waits polling every half second for a minute: reads stay at one per 5-second period.
    for _ in range(120):
        for _wait in range(48):
            assert listing.get(max_age=5.0, spacing=5.0) == ["c"]
        clock.sleep(0.5)
    assert listing.reads == len(reads) <= 13, reads


def test_reads_that_take_time_never_make_13_in_one_minute() -> None:
    # What a rate limit counts: requests in any 60 s, timestamped where the API answers them. Reads
    # spaced from the last answer stay more than a period apart; each wait still sees a list at most
    # a period and one read old.
    clock = StepClock()
    answered: list[float] = []

    def fetch() -> list[str]:
        clock.sleep(0.04)  # the request's round trip
        answered.append(clock.now)
        return ["c"]

    listing = SharedListing(fetch, clock)
    for _ in range(40):  # each poll needs a list newer than the last: creates keep landing, say
        listing.get(after=clock.monotonic(), max_age=5.0, spacing=5.0)
    assert max(sum(1 for t in answered if s <= t < s + 60) for s in answered) == 12
    gaps = [b - a for a, b in itertools.pairwise(answered)]
    assert max(gaps) < 5.05, gaps  # one period and one round trip


def test_a_wait_never_uses_a_list_read_before_it_began() -> None:
    clock = StepClock()
    items: list[str] = []
    listing = SharedListing(lambda: list(items), clock)
    assert listing.get() == []  # read at t=0, before the cluster exists
    items.append("new")
    began = clock.monotonic() + 0.1
    clock.sleep(0.1)
    # A read younger than the period, but from before the wait began: a new read, after the spacing.
    assert listing.get(after=began, max_age=5.0, spacing=5.0) == ["new"]
    assert clock.now >= 5.0 and listing.reads == 2


def test_look_ups_reuse_any_list_and_an_invalidated_one_is_read_again() -> None:
    clock = StepClock()
    items = ["a"]
    listing = SharedListing(lambda: list(items), clock)
    assert listing.get() == ["a"]
    items.append("b")
    clock.sleep(3600)
    assert listing.get() == ["a"] and listing.reads == 1  # the run's one look-up list
    listing.invalidate()
    assert listing.get() == ["a", "b"] and listing.reads == 2


def test_while_a_read_is_slow_pollers_get_the_last_list_instead_of_piling_up() -> None:
    clock = StepClock()
    release, started = threading.Event(), threading.Event()
    calls = [0]

    def fetch() -> list[str]:
        calls[0] += 1
        if calls[0] == 2:  # the second read backs off (a 429 with Retry-After, say)
            started.set()
            release.wait(timeout=10)
        return [f"read{calls[0]}"]

    listing = SharedListing(fetch, clock)
    assert listing.get() == ["read1"]
    clock.sleep(10)
    slow = threading.Thread(target=lambda: listing.get(max_age=5.0))
    slow.start()
    assert started.wait(timeout=10)
    assert [listing.get(max_age=5.0) for _ in range(20)] == [["read1"]] * 20  # no new request
    release.set()
    slow.join(timeout=10)
    assert calls[0] == 2 and listing.get(max_age=5.0) == ["read2"]


def test_a_wait_queued_behind_others_uses_the_last_list_at_once() -> None:
    clock = StepClock()
    items = {"c1": "Waiting", "c2": "Waiting"}
    listing, changes = SharedListing(lambda: sorted(items.items()), clock), Changes(clock)
    changes.changed("c1")
    changes.changed("c2")
    clock.sleep(60)
    items.update(c1="Ready", c2="Ready")
    first = shared_poll(listing, changes, "c1", lambda c: c[0], lambda _id: None)
    assert first() == ("c1", "Ready") and listing.reads == 1
    clock.sleep(1)  # c2's wait got its thread a moment later: the list of a second ago will do
    second = shared_poll(listing, changes, "c2", lambda c: c[0], lambda _id: None)
    assert second() == ("c2", "Ready") and listing.reads == 1


def test_a_wait_never_trusts_a_list_read_before_its_object_changed() -> None:
    clock = StepClock()
    items = {"c1": "Ready 8"}
    listing, changes = SharedListing(lambda: sorted(items.items()), clock), Changes(clock)
    assert listing.get() == [("c1", "Ready 8")]  # read just before the scale
    clock.sleep(1)
    items["c1"] = "Updating 16"
    changes.changed("c1")
    poll = shared_poll(listing, changes, "c1", lambda c: c[0], lambda _id: None)
    assert poll() == ("c1", "Updating 16") and listing.reads == 2  # not the list of a second ago


def test_an_object_the_list_does_not_show_is_fetched_not_reported_gone() -> None:
    clock = StepClock()
    listing: SharedListing[tuple[str, str]] = SharedListing(lambda: [], clock)
    changes = Changes(clock)
    poll = shared_poll(listing, changes, "other-project", lambda c: c[0], lambda i: (i, "Ready"))
    assert poll() == ("other-project", "Ready")
