"""Provider methods called directly, as the dynamic provider host calls them, against the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator_process import DEFAULT_API_KEY, EmulatorProcess
from together_pulumi.resources import session


def point_providers_at(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials for the provider methods (via the environment), fast polling, no cached catalogue."""
    monkeypatch.setenv("TOGETHER_API_KEY", DEFAULT_API_KEY)
    monkeypatch.setenv("TOGETHER_BASE_URL", emu.base_url)
    monkeypatch.setenv("TOGETHER_PULUMI_MAX_POLL_SECONDS", "0.2")
    session.configure_from_stack({})
    session.forget_catalogue()


@pytest.fixture
def api(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorProcess]:
    """The reset emulator, with the provider's credentials pointing at it."""
    point_providers_at(emu, monkeypatch)
    yield emu
    session.forget_catalogue()


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    session.configure_from_stack({})
