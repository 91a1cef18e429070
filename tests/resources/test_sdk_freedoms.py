"""What the installed ``together`` SDK allows, the provider's preview does not refuse.

The SDK's request types are read at test time (``Literal`` enums, free strings, flags, nested
objects), so upgrading the SDK shows here what changed: a new GPU type, billing type or add-on key
the provider does not know fails a test on its path. Values the provider checks against the live
region catalog (region, driver selectors), times (a format), counts (bounds with sources) and ids are
left to their own tests.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any, Literal, NotRequired, Required, get_args, get_origin

import pytest
from together.types import cluster_create_params, cluster_update_params
from typing_extensions import is_typeddict

from together_pulumi.host.cluster.provider import ClusterProvider

from .conftest import NAMED_TRAIN, OIDC

BASE: dict[str, Any] = {"region": "us-central-8", "gpu_type": "H100_SXM", "num_gpus": 16, **NAMED_TRAIN}

#: Free text that no invented rule (DNS label, fixed list) would let through.
FREE_TEXT = "Any value_1 Ä/x"

#: Paths whose strings are judged against the region catalog or are ids/times, not free text.
CHECKED_ELSEWHERE = {
    "region",
    "cuda_version",
    "nvidia_driver_version",
    "nvidia_version_id",
    "volume_id",
    "capacity_pool_id",
    "project_id",
    "reservation_start_time",
    "reservation_end_time",
    "shared_volume.region",
    "shared_volume.project_id",
    "shared_volume.instance_cluster_id",
}

#: Refusals that are the provider's own truth rules, not claims about the service.
OWN_RULES = {
    # An inline volume that outlives its cluster would be owned by no resource after `pulumi destroy`.
    ("shared_volume.is_lifecycle_independent", True): "declare a together.SharedVolume"
}

#: The smallest object around a nested value, so that only the value under test can be wrong.
CONTAINERS: dict[str, dict[str, Any]] = {
    "oidc_config": dict(OIDC),
    "cluster_config": {"load_balancer": "NONE"},
    "shared_volume": {"size_tib": 1},
    "acceptance_tests_params": {},
}


def _plain(hint: Any) -> Any:
    while get_origin(hint) in (Required, NotRequired, typing.Annotated):
        hint = get_args(hint)[0]
    return hint


def sdk_values(td: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) for every value an SDK TypedDict allows that the provider must take as is."""
    for name, raw in typing.get_type_hints(td, include_extras=True).items():
        path, hint = f"{prefix}{name}", _plain(raw)
        if path in CHECKED_ELSEWHERE:
            continue
        if get_origin(hint) is Literal:
            yield from ((path, v) for v in get_args(hint))
        elif hint is str:
            yield path, FREE_TEXT
        elif hint is bool:
            yield path, True
        elif is_typeddict(hint):
            yield from sdk_values(hint, f"{path}.")
        elif get_origin(hint) is not None and is_typeddict(item := get_args(hint)[0]):  # Iterable[...]
            yield from sdk_values(item, f"{path}[0].")


def _props(path: str, value: Any) -> dict[str, Any]:
    """The program inputs that set ``path`` to ``value`` and everything around it validly."""
    if path.startswith("add_ons[0]."):
        item: dict[str, Any] = {"add_on_type": "dashboard", "name": "a"}
        rest = path.removeprefix("add_ons[0].")
        if rest.startswith("config."):
            item["config"] = _nest(rest.removeprefix("config."), value)
        else:
            item[rest] = value
        return {"add_ons": [item]}
    head, _, rest = path.partition(".")
    if not rest:
        return {head: value}
    inner = {**CONTAINERS.get(head, {}), **_nest(rest, value)}
    return {head: inner}


def _nest(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: _nest(rest, value) if rest else value}


CREATE = sorted(
    {(p, v) for td in get_args(cluster_create_params.ClusterCreateParams) for p, v in sdk_values(td)}, key=repr
)
UPDATE = sorted(set(sdk_values(cluster_update_params.ClusterUpdateParams)), key=repr)


def _refusals(path: str, props: dict[str, Any], olds: dict[str, Any] | None = None) -> list[str]:
    result = ClusterProvider().check(olds or {}, {**BASE, **props})
    # A refusal of the value under test names its path (or the object holding it).
    return [
        f"{f.property}: {f.reason}"
        for f in result.failures
        if f.property and (path == f.property or path.startswith(f.property + ".") or f.property.startswith(path + "."))
    ]


def test_the_sdk_is_read() -> None:
    paths = {p for p, _ in CREATE}
    assert {"gpu_type", "billing_type", "oidc_config.username_claim", "add_ons[0].add_on_type"} <= paths
    assert ("gpu_type", "GB200_SXM") in CREATE


@pytest.mark.parametrize(("path", "value"), CREATE, ids=[f"{p}={v}" for p, v in CREATE])
def test_a_create_value_the_sdk_allows_is_not_refused(no_credentials: None, path: str, value: Any) -> None:
    refusals = _refusals(path, _props(path, value))
    if (path, value) in OWN_RULES:
        assert len(refusals) == 1 and OWN_RULES[path, value] in refusals[0]
    else:
        assert refusals == []


@pytest.mark.parametrize(("path", "value"), UPDATE, ids=[f"{p}={v}" for p, v in UPDATE])
def test_an_update_value_the_sdk_allows_is_not_refused(no_credentials: None, path: str, value: Any) -> None:
    # (add-ons are addressed by name on update, so the cluster was created with add-on "a")
    olds = {**BASE, "add_ons": [{"add_on_type": "dashboard", "name": "a"}]}
    props = _props(path, value)
    if "add_ons" in props:
        props["add_ons"][0].pop("add_on_type", None)
        props["add_ons"][0] = {"add_on_type": "dashboard", **props["add_ons"][0]}
    assert _refusals(path, {**olds, **props}, olds) == []
