"""Refresh reads back cluster_config, add_ons and reservation_end_time: the service's normalisation is
not drift, an out-of-band change is, and the next update puts the declared values back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from emulator_inprocess import InProcessEmulator
from together_pulumi.api.models import ClusterUpdateRequest
from together_pulumi.host import session
from together_pulumi.host.cluster.observed import observed_add_ons, observed_config, observed_time
from together_pulumi.host.cluster.provider import ClusterProvider
from together_pulumi.model.fields import UNKNOWN

from .conftest import outs
from .test_lifecycle import CLUSTER, checked

END = "2031-01-01T00:00:00Z"
DECLARED: dict[str, Any] = {
    **CLUSTER,
    "billing_type": "RESERVED",
    "duration_days": 7,
    "reservation_end_time": END,
    "cluster_config": {"load_balancer": "NGINX", "jumphost_enabled": False, "ingress": {"enabled": True}},
    "add_ons": [
        {"add_on_type": "dashboard", "name": "dash"},
        {"add_on_type": "ingress", "name": "ing", "config": {"ingress": {"enabled": True}}},
        {"add_on_type": "headlamp", "name": "lamp", "config": {"headlamp": {"enabled": False}}},
    ],
}
SETTINGS = ("reservation_end_time", "cluster_config", "add_ons")


def no_drift(provider: ClusterProvider, cluster_id: str, state: dict[str, Any]) -> bool:
    read = provider.read(cluster_id, state)
    assert read.inputs is None  # nothing drifted: the stored inputs stay as they are
    return provider.diff(cluster_id, outs(read), provider.check(DECLARED, DECLARED).inputs).changes is False


def test_the_services_own_normalisation_is_not_drift(api: InProcessEmulator) -> None:
    provider = ClusterProvider()
    created = provider.create(checked(DECLARED))
    served = session.client().get_cluster(created.id)
    # The service did normalise: another time format, and a disabled add-on left out.
    wire = next(c for c in api.admin.state()["clusters"] if c["cluster_id"] == created.id)
    assert wire["reservation_end_time"] == "2031-01-01T00:00:00.000Z"
    assert [a["name"] for a in served.add_ons] == ["dash", "ing"]

    read = provider.read(created.id, outs(created))

    assert {k: outs(read)[k] for k in SETTINGS} == {k: DECLARED[k] for k in SETTINGS}
    assert no_drift(provider, created.id, outs(created))


def test_out_of_band_changes_are_drift_and_the_update_reverts_them(
    api: InProcessEmulator, sent_updates: list[dict[str, Any]]
) -> None:
    provider = ClusterProvider()
    declared = checked(DECLARED)
    created = provider.create(declared)
    later = "2031-02-01T12:30:00Z"
    console = ClusterUpdateRequest.model_validate(
        {
            "cluster_config": {"load_balancer": "TRAEFIK"},
            "add_ons": [{"name": "dash", "config": {"dashboard": {"enabled": False}}}],
            "reservation_end_time": later,
        }
    )
    session.client().update_cluster(created.id, console)

    read = provider.read(created.id, outs(created))

    assert outs(read)["reservation_end_time"] == later
    assert outs(read)["cluster_config"] == {"load_balancer": "TRAEFIK", "jumphost_enabled": False}
    dash, ing, lamp = outs(read)["add_ons"]
    assert dash == {"add_on_type": "dashboard", "name": "dash", "config": {"dashboard": {"enabled": False}}}
    assert (ing, lamp) == (DECLARED["add_ons"][1], DECLARED["add_ons"][2])
    assert read.inputs is not None
    news = dict(provider.check(read.inputs, DECLARED).inputs)
    drift = provider.diff(created.id, outs(read), news)
    assert (drift.changes, drift.replaces) == (True, [])

    updated = provider.update(created.id, outs(read), news)

    _, body = sent_updates  # (the first is the out-of-band one)
    assert set(body) == set(SETTINGS)
    assert body["add_ons"][0] == {"name": "dash", "config": {"dashboard": {"enabled": True}}}
    served = session.client().get_cluster(created.id)
    assert served.cluster_config == DECLARED["cluster_config"]
    assert [a["name"] for a in served.add_ons] == ["dash", "ing"]
    assert served.reservation_end_time == datetime(2031, 1, 1, tzinfo=UTC)
    assert no_drift(provider, created.id, dict(outs(updated)))


def test_unset_settings_are_never_read_back(api: InProcessEmulator) -> None:
    provider = ClusterProvider()
    created = provider.create(checked(CLUSTER))
    console = ClusterUpdateRequest.model_validate({"cluster_config": {"load_balancer": "ISTIO"}})
    session.client().update_cluster(created.id, console)
    read = provider.read(created.id, outs(created))
    assert all(outs(read).get(k) is None for k in SETTINGS)


# --- the comparisons, case by case -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "served", "expected"),
    [
        (END, datetime(2031, 1, 1, tzinfo=UTC), END),
        ("2031-01-01T01:00:00+01:00", datetime(2031, 1, 1, tzinfo=UTC), "2031-01-01T01:00:00+01:00"),
        (END, datetime(2031, 1, 1, 0, 0, 0, 500000, tzinfo=UTC), "2031-01-01T00:00:00.500000Z"),
        (END, None, None),
    ],
    ids=["other-format", "other-zone", "moved", "unset"],
)
def test_observed_time(declared: str, served: datetime | None, expected: str | None) -> None:
    assert observed_time(declared, served) == expected


CONFIG = {"load_balancer": "NGINX", "ssh_ca_enabled": False, "slurm_startup_scripts": {"worker_prolog": "echo hi"}}


@pytest.mark.parametrize(
    ("served", "expected"),
    [
        ({**CONFIG, "gpu_operator_version": "v24.9"}, CONFIG),  # a service default is not drift
        ({"load_balancer": "NGINX", "slurm_startup_scripts": {"worker_prolog": "echo hi"}}, CONFIG),  # false left out
        (
            {"load_balancer": "NGINX", "ssh_ca_enabled": True, "slurm_startup_scripts": {"worker_prolog": "echo hi"}},
            {**CONFIG, "ssh_ca_enabled": True},
        ),
        (
            {"load_balancer": "NGINX", "slurm_startup_scripts": {"worker_prolog": "exit 1"}},
            {**CONFIG, "slurm_startup_scripts": {"worker_prolog": "exit 1"}},
        ),
        ({"load_balancer": "NGINX"}, {"load_balancer": "NGINX", "ssh_ca_enabled": False}),  # scripts gone
        (None, {"ssh_ca_enabled": False}),
    ],
    ids=["default-added", "false-omitted", "flag-flipped", "script-changed", "scripts-removed", "unset"],
)
def test_observed_config(served: dict[str, Any] | None, expected: dict[str, Any]) -> None:
    assert observed_config(CONFIG, served) == expected


def test_an_unknown_config_is_left_alone() -> None:
    assert observed_config({"load_balancer": UNKNOWN}, {"load_balancer": "NGINX"}) == {"load_balancer": UNKNOWN}


DASH = {"add_on_type": "dashboard", "name": "dash"}
DASH_OFF = {**DASH, "config": {"dashboard": {"enabled": False}}}
SERVED_DASH = {"add_on_type": "dashboard", "name": "dash", "config": {"dashboard": {"enabled": True}}, "state": {}}


@pytest.mark.parametrize(
    ("declared", "served", "expected"),
    [
        ([DASH], [SERVED_DASH], [DASH]),
        ([DASH], [], [DASH_OFF]),  # turned off elsewhere: the service no longer lists it
        ([DASH_OFF], [], [DASH_OFF]),
        ([DASH_OFF], [SERVED_DASH], [{**DASH, "config": {"dashboard": {"enabled": True}}}]),
        (  # on, and no longer (or never) listed by the program: drift, which the next up switches off
            [DASH],
            [SERVED_DASH, {"add_on_type": "ingress", "name": "other", "config": {}}],
            [DASH, {"add_on_type": "ingress", "name": "other"}],
        ),
        (
            [{**DASH, "config": {"dashboard": {"enabled": True}, "ingress": {"enabled": True}}}],
            [SERVED_DASH],
            [{**DASH, "config": {"dashboard": {"enabled": True}}}],
        ),
    ],
    ids=["on", "turned-off", "off", "turned-on", "undeclared", "merged-key-lost"],
)
def test_observed_add_ons(declared: list[Any], served: list[Any], expected: list[Any]) -> None:
    assert observed_add_ons(declared, served) == expected
