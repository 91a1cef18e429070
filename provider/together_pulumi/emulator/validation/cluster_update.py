"""Validation of ``PUT /v1/compute/clusters/{cluster_id}`` against the cluster's current state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .checker import Checker, parse_timestamp, require_object
from .shapes import CLUSTER_TYPES, check_add_on_config, check_cluster_config

__all__ = ["ClusterUpdate", "parse_cluster_update"]


@dataclass
class ClusterUpdate:
    """The fields of a ``PUT /v1/compute/clusters/{id}`` the service acts on; ``None`` = keep."""

    num_gpus: int | None = None
    cluster_type: str | None = None
    num_reserved_gpus: int | None = None
    num_preemptible_gpus: int | None = None
    num_capacity_pool_gpus: int | None = None
    reservation_end_time: datetime | None = None
    add_ons: list[dict[str, Any]] | None = None
    cluster_config: dict[str, Any] | None = None


_UpdateRule = Callable[[Checker, ClusterUpdate, dict[str, Any], list[str]], None]


def _update_size_and_type(c: Checker, up: ClusterUpdate, current: dict[str, Any], _: list[str]) -> None:
    up.num_gpus = c.integer("num_gpus")
    c.multiple_of_8("num_gpus", up.num_gpus, positive=True)
    up.cluster_type = c.enum("cluster_type", CLUSTER_TYPES)


def _target_gpus(up: ClusterUpdate, current: dict[str, Any]) -> int:
    return up.num_gpus if up.num_gpus is not None else int(current["num_gpus"])


def _update_reserved(c: Checker, up: ClusterUpdate, current: dict[str, Any], _: list[str]) -> None:
    up.num_reserved_gpus = c.integer("num_reserved_gpus")
    if up.num_reserved_gpus is None:
        return
    billing, target = current["billing_type"], _target_gpus(up, current)
    if billing != "RESERVED":
        # Sending the current value back is fine: Terraform-style clients send whole models.
        if up.num_reserved_gpus != current["num_reserved_gpus"]:
            c.fail(
                "num_reserved_gpus",
                f"num_reserved_gpus can only be changed on RESERVED clusters; this cluster is {billing}",
            )
    elif not 0 <= up.num_reserved_gpus <= target:
        c.fail("num_reserved_gpus", f"num_reserved_gpus must be between 0 and num_gpus ({target})")


def _update_preemptible(c: Checker, up: ClusterUpdate, current: dict[str, Any], _: list[str]) -> None:
    up.num_preemptible_gpus = c.integer("num_preemptible_gpus")
    c.multiple_of_8("num_preemptible_gpus", up.num_preemptible_gpus, positive=False)
    cluster_type = up.cluster_type or current["cluster_type"]
    preemptible = (
        up.num_preemptible_gpus if up.num_preemptible_gpus is not None else current["desired_preemptible_gpus"]
    )
    if cluster_type == "SLURM" and preemptible:
        key = "num_preemptible_gpus" if up.num_preemptible_gpus else "cluster_type"
        c.fail(
            key,
            f"a SLURM cluster cannot have preemptible GPUs ({preemptible} requested): preemptible GPUs are for "
            "Kubernetes clusters only; set num_preemptible_gpus to 0 (in the same update to switch to SLURM)",
        )


def _update_capacity_pool(c: Checker, up: ClusterUpdate, current: dict[str, Any], _: list[str]) -> None:
    up.num_capacity_pool_gpus = c.integer("num_capacity_pool_gpus")
    if up.num_capacity_pool_gpus is None:
        return
    c.multiple_of_8("num_capacity_pool_gpus", up.num_capacity_pool_gpus, positive=False)
    target = _target_gpus(up, current)
    if not current.get("capacity_pool_id") and up.num_capacity_pool_gpus != current["num_capacity_pool_gpus"]:
        c.fail(
            "num_capacity_pool_gpus",
            "num_capacity_pool_gpus can only be changed on clusters created with a capacity_pool_id",
        )
    elif up.num_capacity_pool_gpus > target:
        c.fail("num_capacity_pool_gpus", f"num_capacity_pool_gpus must not exceed num_gpus ({target})")


def _update_reservation_end(c: Checker, up: ClusterUpdate, current: dict[str, Any], _: list[str]) -> None:
    up.reservation_end_time = end = c.timestamp("reservation_end_time")
    if end is None:
        return
    billing = current["billing_type"]
    if billing not in ("RESERVED", "SCHEDULED_CAPACITY"):
        current_end = current.get("reservation_end_time")
        if not isinstance(current_end, str) or parse_timestamp(current_end) != end:
            c.fail(
                "reservation_end_time",
                f"reservation_end_time can only be set on RESERVED or SCHEDULED_CAPACITY clusters; "
                f"this cluster is {billing}",
            )
        return
    start = current.get("reservation_start_time")
    start_dt = parse_timestamp(start) if isinstance(start, str) else None
    if start_dt is not None and end <= start_dt:
        c.fail("reservation_end_time", f"reservation_end_time must be after reservation_start_time ({start})")


def _update_config(c: Checker, up: ClusterUpdate, current: dict[str, Any], _: list[str]) -> None:
    up.cluster_config = check_cluster_config(c, "cluster_config")


def _update_add_ons(c: Checker, up: ClusterUpdate, current: dict[str, Any], add_on_names: list[str]) -> None:
    items = c.array("add_ons")
    if items is None:
        return
    existing = set(add_on_names)
    up.add_ons = []
    for i, item in enumerate(items):
        key = f"add_ons[{i}]"
        if not isinstance(item, dict):
            c.fail(key, f"{key} must be an object with a name")
            continue
        sub = c.child(key, item)
        name = sub.string("name", required=True)
        config = check_add_on_config(sub, "config")
        if name is not None and name not in existing:
            valid = ", ".join(sorted(existing)) or "none"
            sub.fail("name", f"{sub.name('name')} {name!r} does not match an add-on of this cluster ({valid})")
        elif name is not None:
            up.add_ons.append({"name": name, "config": config})


_UPDATE_RULES: tuple[_UpdateRule, ...] = (
    _update_size_and_type,
    _update_reserved,
    _update_preemptible,
    _update_capacity_pool,
    _update_reservation_end,
    _update_config,
    _update_add_ons,
)


def parse_cluster_update(raw: Any, current: dict[str, Any], add_on_names: list[str]) -> ClusterUpdate:
    """Validate an update against the current cluster (wire dict). Unknown/immutable keys are ignored."""
    c = Checker(require_object(raw))
    up = ClusterUpdate()
    for rule in _UPDATE_RULES:
        rule(c, up, current, add_on_names)
    c.raise_if_failed()
    return up
