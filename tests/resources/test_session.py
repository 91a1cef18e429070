"""The provider process keeps one session per set of credentials, and reads one clock tests can set."""

from __future__ import annotations

import pytest

from emulator_admin import DEFAULT_API_KEY
from emulator_inprocess import InProcessEmulator
from together_pulumi.api import errors
from together_pulumi.api.clock import SYSTEM_CLOCK
from together_pulumi.host import session
from together_pulumi.model.credentials import API_KEY_CONFIG, BASE_URL_CONFIG

from .conftest import VirtualClock


def test_one_session_per_credentials(api: InProcessEmulator) -> None:
    first = session.current()
    assert session.current() is first and session.client() is first.client()
    assert session.catalog() is first.catalog()  # listed once, kept by the session
    session.configure_from_stack({API_KEY_CONFIG: "another-key", BASE_URL_CONFIG: api.base_url})
    try:
        other = session.current()
        assert other is not first and other.credentials.api_key == "another-key"
    finally:
        session.configure_from_stack({})
    assert session.current() is first and first.credentials.api_key == DEFAULT_API_KEY


def test_set_clock_reaches_every_new_session(api: InProcessEmulator, clock: VirtualClock) -> None:
    assert session.clock() is clock and session.current().clock is clock
    before = session.current()
    session.set_clock(None)
    assert session.clock() is SYSTEM_CLOCK and session.current() is not before
    assert session.current().clock is SYSTEM_CLOCK


@pytest.mark.usefixtures("no_credentials")
def test_no_key_no_session() -> None:
    assert session.catalog() is None and session.projects() is None and session.identity() is None
    with pytest.raises(errors.ConfigurationError, match="no Together API key"):
        session.current()
    assert "no Together API key" in (session.preflight_problem() or "")
