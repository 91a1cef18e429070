"""A cancel (the engine's answer to Ctrl-C) ends every wait with a message; the process-level hooks stay
out of everything but the dynamic-provider host. The end-to-end proof is tests/e2e/test_interrupts.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from step_clock import StepClock
from together_pulumi.host import interrupts
from together_pulumi.host.waiting import SYSTEM_CLOCK, WaitCancelledError, poll_until


@pytest.fixture
def cancel(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """This test's own cancel flag (the process-wide one is never set in a test process)."""
    event = threading.Event()
    monkeypatch.setattr(interrupts, "_cancelled", event)
    yield event


def test_a_cancel_ends_a_wait_after_the_poll_with_the_waits_own_message(cancel: threading.Event) -> None:
    polls: list[int] = []

    def fetch() -> str:
        polls.append(1)
        if len(polls) == 3:
            interrupts.cancel_requested()  # what the engine's Cancel does
        return "Provisioning"

    with pytest.raises(WaitCancelledError) as raised:
        poll_until(
            fetch,
            lambda s: s == "Ready",
            describe=str,
            label="GpuCluster train (t-1)",
            timeout_seconds=3600,
            on_timeout=lambda s, t: "timed out",
            on_cancel=lambda s, t: f"cancelled while {s}",
            clock=StepClock(),
        )
    assert str(raised.value) == "cancelled while Provisioning"
    assert len(polls) == 3, "no poll after the cancel"


def test_without_its_own_message_a_cancelled_wait_names_what_it_waited_for(cancel: threading.Event) -> None:
    cancel.set()
    with pytest.raises(WaitCancelledError, match=r"^SharedVolume data \(v-1\): stopped waiting after 0s .*Ctrl-C"):
        poll_until(
            lambda: "Deleting",
            lambda s: s is None,
            describe=str,
            label="SharedVolume data (v-1)",
            timeout_seconds=60,
            on_timeout=lambda s, t: "timed out",
            clock=StepClock(),
        )


def test_a_cancel_wakes_a_sleeping_wait_at_once(cancel: threading.Event) -> None:
    sleeper = threading.Thread(target=interrupts.pause, args=(SYSTEM_CLOCK, 3600.0))
    sleeper.start()
    interrupts.cancel_requested()
    sleeper.join()  # an hour unless the cancel woke it (the suite's time limit would fail the test)
    assert interrupts.cancelled()


def test_outside_the_provider_host_nothing_is_hooked_or_started() -> None:
    threads = {t.name for t in threading.enumerate()}
    interrupts.watch()
    assert {t.name for t in threading.enumerate()} == threads
    assert not interrupts._started
