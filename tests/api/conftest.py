"""Fixtures of the API client tests: a client of the shared emulator and a secret-leak guard.

Every test here runs with the autouse :func:`no_key_leaks` guard: all log records (root logger at
DEBUG, so ``together_pulumi.api``, httpx and httpcore too), everything printed, and every exception
a test passed through :func:`caught` are checked for the API key after the test.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from emulator_inprocess import InProcessEmulator, in_process_emulator
from emulator_process import EmulatorProcess
from together_pulumi.api import TogetherClient

from ._helpers import FAST, SECRET_KEY

E = TypeVar("E", bound=BaseException)

Catch = Callable[..., Any]


@pytest.fixture
def client(emu: EmulatorProcess) -> Iterator[TogetherClient]:
    with TogetherClient(SECRET_KEY, emu.base_url, retry=FAST) as c:
        yield c


@pytest.fixture
def app_emu() -> Iterator[InProcessEmulator]:
    """An emulator of this test's own in this process: for faults that are answers (429, 5xx), not
    cut connections or slow sockets, which need the process (``emu``)."""
    with in_process_emulator() as found:
        yield found


@pytest.fixture
def raised() -> list[BaseException]:
    """Exceptions collected by :func:`caught` during the test."""
    return []


@pytest.fixture
def caught(raised: list[BaseException]) -> Catch:
    """``caught(ErrorClass, fn, *args)``: call, assert it raises ``ErrorClass``, record and return it."""

    def call(expected: type[E], fn: Callable[..., Any], *args: Any, **kwargs: Any) -> E:
        with pytest.raises(expected) as info:
            fn(*args, **kwargs)
        raised.append(info.value)
        return info.value

    return call


def assert_no_key(text: str, where: str) -> None:
    assert SECRET_KEY not in text, f"the API key leaked into {where}: {text!r}"


def assert_exception_clean(exc: BaseException) -> None:
    assert_no_key(str(exc), f"str() of {type(exc).__name__}")
    assert_no_key(repr(exc), f"repr() of {type(exc).__name__}")
    assert_no_key("".join(traceback.format_exception(exc)), f"the traceback of {type(exc).__name__}")
    assert_no_key(repr(vars(exc)), f"the attributes of {type(exc).__name__}")


@pytest.fixture(autouse=True)
def no_key_leaks(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], raised: list[BaseException]
) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="together_pulumi.api")
    yield
    assert_no_key(caplog.text, "the captured log")
    for record in caplog.records:
        assert_no_key(record.getMessage(), f"log record {record.name}")
    out, err = capsys.readouterr()
    assert_no_key(out + err, "stdout/stderr")
    for exc in raised:
        assert_exception_clean(exc)
