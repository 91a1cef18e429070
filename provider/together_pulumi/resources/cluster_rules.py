"""The service's rules for a GpuCluster, checked at ``pulumi preview`` before anything is created.

Each returns violations naming the property and what would be valid. ``static_rules`` needs only the
inputs; ``catalogue_rules`` needs the region catalogue. Values still unknown during preview are
never reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..api.models import BillingType, ClusterType, Region
from .base import known
from .fields import UNKNOWN, Violation

__all__ = ["GPUS_PER_NODE", "catalogue_rules", "parse_time", "removal_rules", "static_rules"]

GPUS_PER_NODE = 8

_OIDC_USERNAME_CLAIMS = ("email", "preferred_username", "sub")
_MAX_RESERVED_DAYS = 90


def parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _multiple_of_8(props: dict[str, Any], name: str, *, allow_zero: bool) -> list[Violation]:
    if not known(props, name):
        return []
    value = props[name]
    if value % GPUS_PER_NODE or value < 0 or (value == 0 and not allow_zero):
        kind = "a non-negative" if allow_zero else "a positive"
        return [Violation(name, f"{name} must be {kind} multiple of 8 (one node = 8 GPUs); got {_show(value)}")]
    return []


def _show(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def static_rules(p: dict[str, Any]) -> list[Violation]:
    """Rules the service enforces that need nothing but the inputs."""
    found = _multiple_of_8(p, "num_gpus", allow_zero=False)
    for name in ("num_preemptible_gpus", "num_capacity_pool_gpus", "num_reserved_gpus"):
        found += _multiple_of_8(p, name, allow_zero=True)
    slurm = p.get("cluster_type") == ClusterType.SLURM
    if slurm and p.get("slurm_shm_size_gib") is None:
        found.append(
            Violation(
                "slurm_shm_size_gib",
                "slurm_shm_size_gib is required when cluster_type is SLURM (shared memory per node in GiB, e.g. 64)",
            )
        )
    if known(p, "slurm_shm_size_gib") and p["slurm_shm_size_gib"] <= 0:
        found.append(
            Violation(
                "slurm_shm_size_gib", f"slurm_shm_size_gib must be positive; got {_show(p['slurm_shm_size_gib'])}"
            )
        )
    if slurm and p.get("install_traefik") is True:
        found.append(
            Violation(
                "install_traefik",
                "install_traefik applies to KUBERNETES clusters only; remove it or use cluster_type KUBERNETES",
            )
        )
    found += _billing_rules(p)
    if known(p, "num_preemptible_gpus") and p["num_preemptible_gpus"] > 0:
        if p.get("project_id") is None:
            found.append(Violation("project_id", "project_id is required when num_preemptible_gpus > 0"))
        if slurm:
            found.append(
                Violation(
                    "num_preemptible_gpus",
                    "preemptible GPUs are offered for KUBERNETES "
                    "clusters only; set num_preemptible_gpus to 0 or use KUBERNETES",
                )
            )
    if known(p, "num_capacity_pool_gpus") and p["num_capacity_pool_gpus"] > 0:
        if p.get("capacity_pool_id") is None:
            found.append(Violation("capacity_pool_id", "capacity_pool_id is required when num_capacity_pool_gpus > 0"))
        if known(p, "num_gpus") and p["num_capacity_pool_gpus"] > p["num_gpus"]:
            found.append(
                Violation(
                    "num_capacity_pool_gpus",
                    f"num_capacity_pool_gpus must not exceed num_gpus "
                    f"({_show(p['num_gpus'])}); got {_show(p['num_capacity_pool_gpus'])}",
                )
            )
    if p.get("auto_scale") is True and p.get("auto_scale_max_gpus") is None:
        found.append(
            Violation(
                "auto_scale_max_gpus",
                "auto_scale_max_gpus is required when auto_scale is true (a multiple of 8, at least num_gpus)",
            )
        )
    if p.get("auto_scale_max_gpus") is not None and p.get("auto_scale") not in (True, UNKNOWN):
        found.append(Violation("auto_scale_max_gpus", "auto_scale_max_gpus only applies with auto_scale=true"))
    found += _multiple_of_8(p, "auto_scale_max_gpus", allow_zero=False)
    if known(p, "auto_scale_max_gpus") and known(p, "num_gpus") and p["auto_scale_max_gpus"] < p["num_gpus"]:
        found.append(
            Violation(
                "auto_scale_max_gpus",
                f"auto_scale_max_gpus must be at least num_gpus "
                f"({_show(p['num_gpus'])}); got {_show(p['auto_scale_max_gpus'])}",
            )
        )
    if (p.get("cuda_version") is None) != (p.get("nvidia_driver_version") is None):
        missing = "nvidia_driver_version" if p.get("nvidia_driver_version") is None else "cuda_version"
        found.append(
            Violation(
                missing,
                f"cuda_version and nvidia_driver_version go together: set {missing} "
                "too, or use nvidia_version_id instead",
            )
        )
    if p.get("volume_id") is not None and p.get("shared_volume") is not None:
        found.append(
            Violation(
                "shared_volume",
                "set either volume_id (attach an existing volume) or "
                "shared_volume (create one with the cluster), not both",
            )
        )
    volume = p.get("shared_volume")
    if isinstance(volume, dict) and volume.get("is_lifecycle_independent") is True:
        found.append(
            Violation(
                "shared_volume.is_lifecycle_independent",
                "an inline shared_volume that outlives its cluster would be left behind by `pulumi destroy` "
                "(no resource of the stack owns it); declare a together.SharedVolume and pass its volume_id "
                "instead",
            )
        )
    if known(p, "num_reserved_gpus") and known(p, "num_gpus") and p["num_reserved_gpus"] > p["num_gpus"]:
        found.append(
            Violation(
                "num_reserved_gpus",
                f"num_reserved_gpus must not exceed num_gpus ({_show(p['num_gpus'])}); "
                f"got {_show(p['num_reserved_gpus'])}",
            )
        )
    if isinstance(volume, dict) and known(volume, "size_tib") and volume["size_tib"] < 1:
        found.append(
            Violation(
                "shared_volume.size_tib",
                f"shared_volume.size_tib must be at least 1 (TiB); got {_show(volume['size_tib'])}",
            )
        )
    oidc = p.get("oidc_config")
    if isinstance(oidc, dict) and known(oidc, "username_claim") and oidc["username_claim"] not in _OIDC_USERNAME_CLAIMS:
        found.append(
            Violation(
                "oidc_config.username_claim",
                f"oidc_config.username_claim must be one of "
                f"{', '.join(_OIDC_USERNAME_CLAIMS)}; got {oidc['username_claim']!r}",
            )
        )
    for name in ("ready_timeout_seconds", "delete_timeout_seconds"):
        if known(p, name) and p[name] <= 0:
            found.append(Violation(name, f"{name} must be positive; got {_show(p[name])}"))
    return found


def _billing_rules(p: dict[str, Any]) -> list[Violation]:
    billing = p.get("billing_type")
    if not known(p, "billing_type"):
        return []
    found: list[Violation] = []
    if billing == BillingType.RESERVED:
        days = p.get("duration_days")
        if days is None:
            found.append(Violation("duration_days", "duration_days is required for RESERVED billing (1 to 90)"))
        elif known(p, "duration_days") and not 1 <= days <= _MAX_RESERVED_DAYS:
            found.append(Violation("duration_days", f"duration_days must be between 1 and 90; got {_show(days)}"))
    elif p.get("duration_days") is not None:
        found.append(
            Violation("duration_days", f"duration_days applies to RESERVED billing only; billing_type is {billing}")
        )
    if billing != BillingType.RESERVED and p.get("num_reserved_gpus") is not None:
        found.append(
            Violation(
                "num_reserved_gpus", f"num_reserved_gpus applies to RESERVED billing only; billing_type is {billing}"
            )
        )
    if billing == BillingType.SCHEDULED_CAPACITY:
        for name in ("reservation_start_time", "reservation_end_time"):
            if p.get(name) is None:
                found.append(
                    Violation(
                        name, f"{name} is required for SCHEDULED_CAPACITY billing (RFC 3339, e.g. 2026-12-01T00:00:00Z)"
                    )
                )
    elif p.get("reservation_start_time") is not None:
        found.append(
            Violation(
                "reservation_start_time",
                f"reservation_start_time applies to SCHEDULED_CAPACITY billing only; billing_type is {billing}",
            )
        )
    if billing == BillingType.ON_DEMAND and p.get("reservation_end_time") is not None:
        found.append(
            Violation(
                "reservation_end_time",
                "reservation_end_time applies to RESERVED or "
                "SCHEDULED_CAPACITY billing only; billing_type is ON_DEMAND",
            )
        )
    times = {}
    for name in ("reservation_start_time", "reservation_end_time"):
        if known(p, name):
            parsed = parse_time(str(p[name]))
            if parsed is None:
                found.append(
                    Violation(name, f"{name} must be an RFC 3339 time such as 2026-12-01T00:00:00Z; got {p[name]!r}")
                )
            times[name] = parsed
    start, end = times.get("reservation_start_time"), times.get("reservation_end_time")
    if start and end and end <= start:
        found.append(Violation("reservation_end_time", "reservation_end_time must be after reservation_start_time"))
    return found


#: Settings the API can change but not unset: removing them from the program cannot be applied.
_NOT_REMOVABLE = {
    "add_ons": "add-ons cannot be removed through the API; keep them listed and turn one off with "
    "config: {<type>: {enabled: false}}",
    "cluster_config": "cluster_config cannot be unset through the API; keep it and change its values",
    "reservation_end_time": "a reservation end cannot be unset; keep reservation_end_time (it can be moved)",
}


def removal_rules(olds: Mapping[str, Any], p: dict[str, Any]) -> list[Violation]:
    """Settings the user had and has now removed, where the removal cannot be carried out."""
    return [
        Violation(name, f"{name} was removed from the program, but {reason}")
        for name, reason in _NOT_REMOVABLE.items()
        if olds.get(name) is not None and p.get(name) is None
    ]


def catalogue_rules(p: dict[str, Any], regions: dict[str, Region]) -> list[Violation]:
    """Rules that need the region catalogue: region, GPU type and driver offered there."""
    if not known(p, "region"):
        return []
    region = regions.get(p["region"])
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
                f"nvidia_version_id {p['nvidia_version_id']!r} is not in the "
                f"{region.name} driver catalogue; valid: {', '.join(by_id) or 'none'}",
            )
        )
    if known(p, "cuda_version") and known(p, "nvidia_driver_version"):
        pair = (str(p["cuda_version"]), str(p["nvidia_driver_version"]))
        matches = [d for d in entries if (d.cuda_version, d.nvidia_driver_version) == pair]
        if not matches:
            valid = ", ".join(f"{d.cuda_version}/{d.nvidia_driver_version}" for d in entries)
            found.append(
                Violation(
                    "cuda_version",
                    f"cuda_version {pair[0]} with nvidia_driver_version {pair[1]} is "
                    f"not offered in {region.name}; valid pairs: {valid or 'none'}",
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
                    f"nvidia_version_id {p['nvidia_version_id']} and "
                    f"cuda_version/nvidia_driver_version {pair[0]}/{pair[1]} name different "
                    "catalogue entries; set only one of them",
                )
            )
    return found
