"""Provider methods called directly, as the dynamic provider host calls them, against the emulator.

Each test has an emulator app of its own in this process (``emu``): every ``TogetherClient`` the
provider, the functions or the test build reaches it through the in-process transport, so no
process is started and no port is opened. Waits never sleep: ``api`` installs a
:class:`VirtualClock` for the provider process, whose ``sleep`` moves the emulator's frozen clock
instead, so a wait of an hour takes milliseconds and every step the provider polls through really
happens at the emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pulumi
import pytest
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult
from pulumi.output import Unknown

from emulator_admin import DEFAULT_API_KEY, Admin, EmulatorHandle
from emulator_inprocess import InProcessEmulator, in_process_emulator
from together_pulumi.api.client import TogetherClient
from together_pulumi.host import session
from together_pulumi.model.private_inputs import AUTONAME_PREFIX, NAME_SEED
from together_pulumi.program.name_claims import forget_claims

#: A value not known yet, as the dynamic provider host hands it to check and diff during preview.
AN_UNKNOWN: Any = Unknown()  # type: ignore[no-untyped-call]

#: The private inputs a program passes for a resource named "train" (see program/inputs.py).
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


def route_clients_to(emu: InProcessEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``TogetherClient`` built from now on (by the provider, a function or the test) talks to
    ``emu`` through its in-process transport, whatever base URL it was given."""
    original = TogetherClient.__init__

    def init(self: TogetherClient, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("transport") is None:
            kwargs["transport"] = emu.transport
        original(self, *args, **kwargs)

    monkeypatch.setattr(TogetherClient, "__init__", init)


@contextmanager
def emulator_for_providers(monkeypatch: pytest.MonkeyPatch, **config: Any) -> Iterator[InProcessEmulator]:
    """A fresh in-process emulator with ``config`` (:class:`EmulatorConfig` fields), clients routed to
    it, and the provider's credentials and clock pointing at it."""
    with in_process_emulator(**config) as emu:
        route_clients_to(emu, monkeypatch)
        point_providers_at(emu, monkeypatch)
        yield emu


def point_providers_at(emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    """Credentials for the provider methods (via the environment), the emulator's clock frozen and
    driven by the provider's waits, nothing cached from an earlier test."""
    monkeypatch.setenv("TOGETHER_API_KEY", DEFAULT_API_KEY)
    monkeypatch.setenv("TOGETHER_BASE_URL", emu.base_url)
    monkeypatch.delenv("TOGETHER_PROJECT_ID", raising=False)
    session.configure_from_stack({})
    session.forget()
    emu.admin.set_clock_scale(0)
    clock = VirtualClock(emu.admin)
    session.set_clock(clock)
    return clock


@pytest.fixture(autouse=True)
def _fresh_program() -> Iterator[None]:
    forget_claims()
    yield
    session.set_clock(None)  # also forgets every session


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessEmulator]:
    """This test's own emulator (in process, no delays, seed 1), every client routed to it."""
    with in_process_emulator() as found:
        route_clients_to(found, monkeypatch)
        yield found


@pytest.fixture
def api(emu: InProcessEmulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessEmulator]:
    """The test's emulator, with the provider's credentials pointing at it and its clock driven by waits."""
    point_providers_at(emu, monkeypatch)
    yield emu


@pytest.fixture
def clock(api: InProcessEmulator) -> VirtualClock:
    found = session.clock()
    assert isinstance(found, VirtualClock)
    return found


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessEmulator]:
    """An emulator whose provisioning takes 60 virtual seconds (deletion 30, volumes 30)."""
    with emulator_for_providers(
        monkeypatch, provisioning_seconds=60, deletion_seconds=30, volume_provisioning_seconds=30
    ) as emu:
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
def program(api: InProcessEmulator) -> Iterator[None]:
    """Inside a Pulumi program (mocked engine, no stack config), with the provider settings of ``api``."""
    pulumi.runtime.set_mocks(NoResources(), project="p", stack="s", preview=False)
    pulumi.runtime.set_all_config({})
    yield
    pulumi.runtime.set_all_config({})
