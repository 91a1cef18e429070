"""Provider methods called directly, as the dynamic provider host calls them, against the emulator.

Waits never sleep here: ``api`` installs a :class:`VirtualClock` for the provider process, whose
``sleep`` moves the emulator's frozen clock instead, so a wait of an hour takes milliseconds and
every step the provider polls through really happens at the emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult
from pulumi.output import Unknown

from emulator_process import DEFAULT_API_KEY, Admin, EmulatorProcess, start_emulator
from together_pulumi.api.client import TogetherClient
from together_pulumi.resources import session
from together_pulumi.resources.props import forget_claims
from together_pulumi.resources.provider import AUTONAME_PREFIX, NAME_SEED

#: A value not known yet, as the dynamic provider host hands it to check and diff during preview.
AN_UNKNOWN: Any = Unknown()  # type: ignore[no-untyped-call]

#: The private inputs a program passes for a resource named "train" (see resources/props.py).
NAMED_TRAIN: dict[str, Any] = {AUTONAME_PREFIX: "train", NAME_SEED: "0123456789abcdef"}

OIDC = {
    "issuer_url": "https://issuer.example",
    "client_id": "c",
    "username_claim": "email",
    "username_prefix": "oidc:",
    "group_claim": "groups",
    "group_prefix": "oidc:",
}


class VirtualClock:
    """A clock for the provider whose sleeps advance the emulator's (frozen) virtual clock."""

    def __init__(self, admin: Admin) -> None:
        self.admin = admin
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept.append(seconds)
        if seconds > 0:
            self.admin.advance_clock(seconds)


def point_providers_at(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    """Credentials for the provider methods (via the environment), the emulator's clock frozen and
    driven by the provider's waits, nothing cached from an earlier test."""
    monkeypatch.setenv("TOGETHER_API_KEY", DEFAULT_API_KEY)
    monkeypatch.setenv("TOGETHER_BASE_URL", emu.base_url)
    monkeypatch.delenv("TOGETHER_PROJECT_ID", raising=False)
    session.configure_from_stack({})
    session.forget()
    emu.admin.set_clock_scale(0)
    clock = VirtualClock(emu.admin)
    monkeypatch.setattr(session, "_clock", [clock])
    return clock


@pytest.fixture(autouse=True)
def _fresh_program() -> Iterator[None]:
    forget_claims()
    yield
    session.forget()


@pytest.fixture
def api(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorProcess]:
    """The reset emulator, with the provider's credentials pointing at it and its clock driven by waits."""
    point_providers_at(emu, monkeypatch)
    yield emu


@pytest.fixture
def clock(api: EmulatorProcess) -> VirtualClock:
    found = session.clock()
    assert isinstance(found, VirtualClock)
    return found


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorProcess]:
    """An emulator whose provisioning takes 60 virtual seconds (deletion 30, volumes 30)."""
    with start_emulator(provisioning_seconds=60, deletion_seconds=30, volume_provisioning_seconds=30) as emu:
        point_providers_at(emu, monkeypatch)
        yield emu


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    monkeypatch.delenv("TOGETHER_PROJECT_ID", raising=False)
    session.configure_from_stack({})
    session.forget()


@pytest.fixture
def sent_updates(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The bodies of every cluster update the provider sends (the requests still go to the emulator)."""
    sent: list[dict[str, Any]] = []
    original = TogetherClient.update_cluster

    def spy(self: TogetherClient, cluster_id: str, request: Any) -> Any:
        sent.append(request.to_wire())
        return original(self, cluster_id, request)

    monkeypatch.setattr(TogetherClient, "update_cluster", spy)
    return sent


def outs(result: CreateResult | UpdateResult | ReadResult) -> dict[str, Any]:
    """A provider method's outputs (typed as optional by the SDK; ours always has them)."""
    assert result.outs is not None
    return result.outs


result_outs = outs  # (for modules where ``outs`` names something else)


class NoResources(pulumi.runtime.Mocks):
    """A mocked engine for programs that only call functions."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return None, {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def program(api: EmulatorProcess) -> Iterator[None]:
    """Inside a Pulumi program (mocked engine, no stack config), with the provider settings of ``api``."""
    pulumi.runtime.set_mocks(NoResources(), project="p", stack="s", preview=False)
    pulumi.runtime.set_all_config({})
    yield
    pulumi.runtime.set_all_config({})
