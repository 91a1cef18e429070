"""The service's rules for a GpuCluster that span fields, checked at ``pulumi preview``.

Types, required fields and single-value bounds (multiples of 8, positive sizes) are on the fields
themselves (``fields.py``); here are the rules between fields. Each rule takes the checked inputs
``p`` and the old inputs ``olds`` (empty for a new cluster, and for the replacement of one) and
returns violations naming the property and what would be valid. Values still unknown during preview
are never reported.

Each rule cites its public source in a comment (the together 3.1.1 SDK's request types and
docstrings, Together's docs). A rule without one is not enforced here, since a user cannot work
around a refusal of a request the service accepts: the service decides. The emulator's own
assumptions are listed in docs/emulator.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ...api.enums import BillingType, ClusterType
from ...model.fields import UNKNOWN, Violation, known, show

__all__ = ["RULES", "catalog_rules", "inline_volume_name", "parse_time"]

Rule = Callable[[Mapping[str, Any], Mapping[str, Any]], list[Violation]]

_EXAMPLE_TIME = "2026-12-01T00:00:00Z"
_BARE_VERSION = re.compile(r"^\d+(\.\d+)*$")


def parse_time(value: str) -> datetime | None:
    """An RFC 3339 time (a missing zone is UTC), or None when it is not one."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def inline_volume_name(p: Mapping[str, Any]) -> Any:
    """The name an inline ``shared_volume`` gets: its own, else ``<cluster_name>-storage``."""
    volume = p.get("shared_volume")
    if isinstance(volume, Mapping) and volume.get("volume_name") is not None:
        return volume["volume_name"]
    name = p.get("cluster_name")
    return f"{name}-storage" if isinstance(name, str) and name != UNKNOWN else UNKNOWN


def _slurm(p: Mapping[str, Any], olds: Mapping[str, Any]) -> list[Violation]:
    if p.get("cluster_type") != ClusterType.SLURM:
        return []
    found = []
    # SDK ClusterCreateParams.slurm_shm_size_gib: "required if cluster_type is SLURM".
    # (A Kubernetes cluster switched to Slurm in place gets the service's default.)
    if p.get("slurm_shm_size_gib") is None and not olds:
        found.append(
            Violation(
                "slurm_shm_size_gib",
                "slurm_shm_size_gib is required when cluster_type is SLURM (shared memory per node in GiB, e.g. 64)",
            )
        )
    # SDK ClusterCreateParams.install_traefik: "only applicable for Kubernetes clusters".
    if p.get("install_traefik") is True:
        found.append(
            Violation(
                "install_traefik",
                "install_traefik applies to KUBERNETES clusters only; remove it or use cluster_type KUBERNETES",
            )
        )
    # Preemptible GPUs on Slurm are not refused: Together's preemptible-compute guide calls Slurm "not
    # supported yet" in a preview, a limit that can lift with no SDK change; the service decides.
    return found


def _capacity_pool(p: Mapping[str, Any], _: Mapping[str, Any]) -> list[Violation]:
    if not (known(p, "num_capacity_pool_gpus") and p["num_capacity_pool_gpus"] > 0):
        return []
    found = []
    # SDK ClusterCreateParams.num_capacity_pool_gpus: "allocate from the capacity pool ... not exceed num_gpus".
    if p.get("capacity_pool_id") is None:
        found.append(Violation("capacity_pool_id", "capacity_pool_id is required when num_capacity_pool_gpus > 0"))
    if known(p, "num_gpus") and p["num_capacity_pool_gpus"] > p["num_gpus"]:
        found.append(
            Violation(
                "num_capacity_pool_gpus",
                f"num_capacity_pool_gpus must not exceed num_gpus ({show(p['num_gpus'])}); "
                f"got {show(p['num_capacity_pool_gpus'])}",
            )
        )
    return found


def _auto_scale(p: Mapping[str, Any], _: Mapping[str, Any]) -> list[Violation]:
    found = []
    # SDK ClusterCreateParams.auto_scale: "scale ... between num_gpus and auto_scale_max_gpus"; Go/TS SDKs:
    # auto_scale_max_gpus "required if auto_scaled is true".
    if p.get("auto_scale") is True and p.get("auto_scale_max_gpus") is None:
        found.append(
            Violation(
                "auto_scale_max_gpus",
                "auto_scale_max_gpus is required when auto_scale is true (a multiple of 8, at least num_gpus)",
            )
        )
    if known(p, "auto_scale_max_gpus") and known(p, "num_gpus") and p["auto_scale_max_gpus"] < p["num_gpus"]:
        found.append(
            Violation(
                "auto_scale_max_gpus",
                f"auto_scale_max_gpus must be at least num_gpus ({show(p['num_gpus'])}); "
                f"got {show(p['auto_scale_max_gpus'])}",
            )
        )
    return found


def _reserved_within_total(p: Mapping[str, Any], _: Mapping[str, Any]) -> list[Violation]:
    # Go/TS SDK Cluster.num_reserved_gpus: a component of num_gpus.
    if known(p, "num_reserved_gpus") and known(p, "num_gpus") and p["num_reserved_gpus"] > p["num_gpus"]:
        return [
            Violation(
                "num_reserved_gpus",
                f"num_reserved_gpus must not exceed num_gpus ({show(p['num_gpus'])}); "
                f"got {show(p['num_reserved_gpus'])}",
            )
        ]
    return []


def _driver_pair(p: Mapping[str, Any], _: Mapping[str, Any]) -> list[Violation]:
    # SDK ClusterCreateParams.cuda_version / nvidia_driver_version: each "Must be paired with" the other.
    if (p.get("cuda_version") is None) == (p.get("nvidia_driver_version") is None):
        return []
    missing = "nvidia_driver_version" if p.get("nvidia_driver_version") is None else "cuda_version"
    return [
        Violation(
            missing,
            f"cuda_version and nvidia_driver_version go together: set {missing} too, or use nvidia_version_id instead",
        )
    ]


def _volumes(p: Mapping[str, Any], _: Mapping[str, Any]) -> list[Violation]:
    """Not the service's rules but the state's: every volume this stack makes is owned by one resource."""
    found = []
    if p.get("volume_id") is not None and p.get("shared_volume") is not None:
        found.append(
            Violation(
                "shared_volume",
                "set either volume_id (attach an existing volume) or shared_volume (create one with the cluster), "
                "not both",
            )
        )
    volume = p.get("shared_volume")
    if isinstance(volume, Mapping) and volume.get("is_lifecycle_independent") is True:
        found.append(
            Violation(
                "shared_volume.is_lifecycle_independent",
                "an inline shared_volume that outlives its cluster would be left behind by `pulumi destroy` "
                "(no resource of the stack owns it); declare a together.SharedVolume and pass its volume_id "
                "instead",
            )
        )
    return found


def _billing_fields(p: Mapping[str, Any], _: Mapping[str, Any]) -> list[Violation]:
    """Each billing type's own fields: required where it needs them, refused where it does not."""
    if not known(p, "billing_type"):
        return []
    billing = p["billing_type"]
    found = []
    # SDK ClusterCreateParams.billing_type: RESERVED uses duration_days (optional since SDK 2.15);
    # SDK ClusterUpdateParams: num_reserved_gpus "only applicable for ... RESERVED", reservation_end_time
    # "Only accepted for prepaid clusters"; SCHEDULED_CAPACITY "must specify" both reservation times.
    for name, applies_to in (
        ("duration_days", (BillingType.RESERVED,)),
        ("num_reserved_gpus", (BillingType.RESERVED,)),
        ("reservation_end_time", (BillingType.RESERVED, BillingType.SCHEDULED_CAPACITY)),
    ):
        if p.get(name) is not None and billing not in applies_to:
            allowed = " or ".join(str(b) for b in applies_to)
            found.append(Violation(name, f"{name} applies to {allowed} billing only; billing_type is {billing}"))
    if billing == BillingType.SCHEDULED_CAPACITY:
        for name in ("reservation_start_time", "reservation_end_time"):
            if p.get(name) is None:
                found.append(
                    Violation(
                        name, f"{name} is required for SCHEDULED_CAPACITY billing (RFC 3339, e.g. {_EXAMPLE_TIME})"
                    )
                )
    return found


def _reservation_times(p: Mapping[str, Any], _: Mapping[str, Any]) -> list[Violation]:
    """Well-formed (SDK: ``PropertyInfo(format="iso8601")``) and in order. Whether a time may lie in the
    past is the service's to say: no source gives a rule."""
    found = []
    times: dict[str, datetime | None] = {}
    for name in ("reservation_start_time", "reservation_end_time"):
        if known(p, name):
            times[name] = parse_time(str(p[name]))
            if times[name] is None:
                found.append(
                    Violation(name, f"{name} must be an RFC 3339 time such as {_EXAMPLE_TIME}; got {p[name]!r}")
                )
    start, end = times.get("reservation_start_time"), times.get("reservation_end_time")
    if start and end and end <= start:
        found.append(Violation("reservation_end_time", "reservation_end_time must be after reservation_start_time"))
    return found


#: Settings the API can change but not unset: removing them from the program cannot be applied.
_NOT_REMOVABLE = {
    "cluster_config": "cluster_config cannot be unset through the API; keep it and change its values",
    "reservation_end_time": "a reservation end cannot be unset; keep reservation_end_time (it can be moved)",
}


def _removals(p: Mapping[str, Any], olds: Mapping[str, Any]) -> list[Violation]:
    """Settings the user had and has now removed, where the removal cannot be carried out."""
    return [
        Violation(name, f"{name} was removed from the program, but {reason}")
        for name, reason in _NOT_REMOVABLE.items()
        if olds.get(name) is not None and p.get(name) is None
    ]


def _new_add_ons(p: Mapping[str, Any], olds: Mapping[str, Any]) -> list[Violation]:
    """An update addresses add-ons by name, so one that the cluster was not created with cannot be added
    (SDK ClusterUpdateParams.add_ons: "Each entry identifies an existing add-on by name")."""
    old, new = olds.get("add_ons"), p.get("add_ons")
    if not olds or not isinstance(new, list) or (old is not None and not isinstance(old, list)):
        return []
    before = {a.get("name") for a in old or [] if isinstance(a, Mapping)}
    added = [a.get("name") for a in new if isinstance(a, Mapping) and known(a, "name") and a["name"] not in before]
    if not added:
        return []
    return [
        Violation(
            "add_ons",
            f"add_ons {', '.join(map(str, added))} cannot be added to an existing cluster (an update can only change "
            "the add-ons it was created with, by name); declare them on a new cluster (a new resource or "
            "cluster_name), or enable them in the Together console",
        )
    ]


#: Every cross-field rule, in the order their messages are most useful.
RULES: tuple[Rule, ...] = (
    _slurm,
    _billing_fields,
    _reservation_times,
    _capacity_pool,
    _auto_scale,
    _driver_pair,
    _volumes,
    _reserved_within_total,
    _removals,
    _new_add_ons,
)


def catalog_rules(p: Mapping[str, Any], regions: Mapping[str, Any]) -> list[Violation]:
    """Rules that need the region catalog: region, GPU type and driver offered there."""
    if not known(p, "region"):
        return []
    region = regions.get(p["region"])
    # SDK ClusterCreateParams.region / gpu_type / nvidia_version_id: usable values come from list_regions().
    if region is None:
        return [
            Violation("region", f"region {p['region']!r} does not exist; valid regions: {', '.join(sorted(regions))}")
        ]
    found: list[Violation] = []
    if known(p, "gpu_type") and p["gpu_type"] not in region.supported_instance_types:
        offering = sorted(r.name for r in regions.values() if p["gpu_type"] in r.supported_instance_types)
        found.append(
            Violation(
                "gpu_type",
                f"gpu_type {p['gpu_type']} is not offered in {region.name} (it offers "
                f"{', '.join(region.supported_instance_types) or 'none'}); regions offering it: "
                f"{', '.join(offering) or 'none'}",
            )
        )
    entries = region.driver_versions
    by_id = {d.id: d for d in entries}
    if known(p, "nvidia_version_id") and p["nvidia_version_id"] not in by_id:
        found.append(
            Violation(
                "nvidia_version_id",
                f"nvidia_version_id {p['nvidia_version_id']!r} is not in the {region.name} driver catalog; "
                f"valid: {', '.join(by_id) or 'none'}",
            )
        )
    # SDK ClusterCreateParams.cuda_version: "Bare semantic values such as 12.5 select ubuntu-22.04;
    # existing OS-suffixed values remain accepted": only a bare value is checked against the catalog
    # (the suffixed form is not documented, so the service judges it).
    if known(p, "cuda_version") and known(p, "nvidia_driver_version") and _BARE_VERSION.match(str(p["cuda_version"])):
        pair = (str(p["cuda_version"]), str(p["nvidia_driver_version"]))
        matches = [d for d in entries if (d.cuda_version, d.nvidia_driver_version) == pair]
        if not matches:
            valid = ", ".join(f"{d.cuda_version}/{d.nvidia_driver_version}" for d in entries)
            found.append(
                Violation(
                    "cuda_version",
                    f"cuda_version {pair[0]} with nvidia_driver_version {pair[1]} is not offered in {region.name}; "
                    f"valid pairs: {valid or 'none'}",
                )
            )
        elif (
            known(p, "nvidia_version_id")
            and p["nvidia_version_id"] in by_id
            and all(d.id != p["nvidia_version_id"] for d in matches)
        ):
            found.append(
                Violation(
                    "nvidia_version_id",
                    f"nvidia_version_id {p['nvidia_version_id']} and cuda_version/nvidia_driver_version "
                    f"{pair[0]}/{pair[1]} name different catalog entries; set only one of them",
                )
            )
    return found
