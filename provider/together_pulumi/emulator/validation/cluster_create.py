"""Validation of ``POST /v1/compute/clusters``.

Each rule is a small function that reads its fields with a :class:`.Checker` into a draft;
:func:`parse_cluster_create` runs them in order and raises one 400 naming every bad field. Rules
that need the store (volume existence, capacity) live with the operations in :mod:`..clusters`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from ..catalog import GPU_TYPES, REGIONS, DriverVersion, Region, find_region
from .checker import Checker, require_object
from .drivers import resolve_driver
from .shapes import ADD_ON_TYPES, BILLING_TYPES, CLUSTER_TYPES, DCGM_LEVELS, check_add_on_config, check_cluster_config

__all__ = ["ClusterSpec", "InlineVolumeSpec", "parse_cluster_create"]

OIDC_STRINGS = ("client_id", "issuer_url", "username_claim", "username_prefix", "group_claim", "group_prefix")
MAX_RESERVED_DAYS = 90
#: The ``*_skipped`` switches of ``acceptance_tests_params``, one per test.
ACCEPTANCE_TESTS = (
    "dcgm_diag_skipped",
    "gpu_burn_skipped",
    "nccl_single_node_skipped",
    "nccl_multi_node_skipped",
    "storage_skipped",
)


@dataclass
class InlineVolumeSpec:
    """A ``shared_volume`` created together with the cluster."""

    volume_name: str
    size_tib: int
    region: str
    is_lifecycle_independent: bool
    project_id: str | None
    instance_cluster_id: str | None = None


@dataclass
class ClusterSpec:
    """A validated create request; the optional objects are kept as sent, for echoing."""

    cluster_name: str
    region: Region
    gpu_type: str
    num_gpus: int
    billing_type: str
    driver: DriverVersion
    cluster_type: str
    project_id: str | None
    duration_days: int | None
    num_reserved_gpus: int
    num_preemptible_gpus: int
    num_capacity_pool_gpus: int
    capacity_pool_id: str | None
    reservation_start_time: datetime | None
    reservation_end_time: datetime | None
    slurm_shm_size_gib: int | None
    install_traefik: bool | None
    volume_id: str | None
    shared_volume: InlineVolumeSpec | None
    oidc_config: dict[str, Any] | None
    cluster_config: dict[str, Any] | None
    add_ons: list[dict[str, Any]] = field(default_factory=list)
    #: Whether bring-up runs the GPU acceptance tests (``RunningAcceptanceTests``).
    acceptance_tests: bool = True


@dataclass
class _Draft:
    """What the create rules have read so far; ``None`` = absent or invalid."""

    cluster_name: str | None = None
    region_name: str | None = None
    region: Region | None = None
    gpu_type: str | None = None
    num_gpus: int | None = None
    billing_type: str | None = None
    driver: DriverVersion | None = None
    cluster_type: str = "KUBERNETES"
    project_id: str | None = None
    duration_days: int | None = None
    num_reserved_gpus: int | None = None
    reservation_start_time: datetime | None = None
    reservation_end_time: datetime | None = None
    slurm_shm_size_gib: int | None = None
    install_traefik: bool | None = None
    num_preemptible_gpus: int | None = None
    num_capacity_pool_gpus: int | None = None
    capacity_pool_id: str | None = None
    volume_id: str | None = None
    shared_volume: InlineVolumeSpec | None = None
    oidc_config: dict[str, Any] | None = None
    cluster_config: dict[str, Any] | None = None
    add_ons: list[dict[str, Any]] = field(default_factory=list)
    acceptance_tests: bool = True

    def spec(self) -> ClusterSpec:
        """The validated request: every rule has passed, so the required values are there."""
        assert self.cluster_name and self.region and self.gpu_type and self.num_gpus
        assert self.billing_type and self.driver
        values = {f.name: getattr(self, f.name) for f in fields(ClusterSpec)}
        return ClusterSpec(**{**values, **{name: values[name] or 0 for name in _COUNTS}})


#: Optional GPU counts that mean 0 when absent.
_COUNTS = ("num_reserved_gpus", "num_preemptible_gpus", "num_capacity_pool_gpus")

_Rule = Callable[[Checker, _Draft], None]


# --- create rules, in the order they run -----------------------------------------------------------


def _required_fields(c: Checker, d: _Draft) -> None:
    d.cluster_name = c.string("cluster_name", required=True)
    d.region_name = c.string("region", required=True)
    d.gpu_type = c.string("gpu_type", required=True)
    d.num_gpus = c.integer("num_gpus", required=True)
    d.billing_type = c.enum("billing_type", BILLING_TYPES, required=True)


def _region_offers_gpu_type(c: Checker, d: _Draft) -> None:
    if d.region_name is not None:
        d.region = find_region(d.region_name)
        if d.region is None:
            valid = ", ".join(r.name for r in REGIONS)
            c.fail("region", f"region {d.region_name!r} is not a known region; valid regions: {valid}")
    if d.gpu_type is None:
        return
    if d.gpu_type not in GPU_TYPES:
        c.fail("gpu_type", f"gpu_type must be one of {', '.join(GPU_TYPES)}; got {d.gpu_type!r}")
        d.gpu_type = None
    elif d.region is not None and d.gpu_type not in d.region.gpu_types:
        offering = [r.name for r in REGIONS if d.gpu_type in r.gpu_types]
        c.fail(
            "gpu_type",
            f"gpu_type {d.gpu_type} is not offered in region {d.region.name} (it offers "
            f"{', '.join(d.region.gpu_types)}); regions offering {d.gpu_type}: {', '.join(offering)}",
        )


def _whole_nodes(c: Checker, d: _Draft) -> None:
    c.multiple_of_8("num_gpus", d.num_gpus, positive=True)


def _driver(c: Checker, d: _Draft) -> None:
    d.driver = resolve_driver(c, d.region)


def _type_and_project(c: Checker, d: _Draft) -> None:
    d.cluster_type = c.enum("cluster_type", CLUSTER_TYPES) or "KUBERNETES"
    d.project_id = c.string("project_id")


def _billing(c: Checker, d: _Draft) -> None:
    d.duration_days = c.integer("duration_days")
    d.reservation_start_time = c.timestamp("reservation_start_time")
    d.reservation_end_time = c.timestamp("reservation_end_time")
    d.num_reserved_gpus = c.integer("num_reserved_gpus")
    if d.billing_type == "RESERVED":
        _reserved_duration(c, d.duration_days)
        if d.num_reserved_gpus is None:  # "the server defaults this to num_gpus"
            d.num_reserved_gpus = d.num_gpus
    else:
        if d.billing_type == "ON_DEMAND" and d.duration_days is not None:
            c.fail("duration_days", "duration_days applies to RESERVED billing only; omit it for ON_DEMAND")
        if d.num_reserved_gpus:
            c.fail(
                "num_reserved_gpus",
                f"num_reserved_gpus applies to RESERVED billing only; got billing_type {d.billing_type}",
            )
    if d.billing_type == "SCHEDULED_CAPACITY":
        for key in ("reservation_start_time", "reservation_end_time"):
            if c.body.get(key) is None:
                c.fail(key, f"{key} is required for SCHEDULED_CAPACITY billing")
    start, end = d.reservation_start_time, d.reservation_end_time
    if start is not None and end is not None and end <= start:
        c.fail("reservation_end_time", "reservation_end_time must be after reservation_start_time")
    reserved, num_gpus = d.num_reserved_gpus, d.num_gpus
    if reserved is not None and num_gpus is not None and not 0 <= reserved <= num_gpus:
        c.fail("num_reserved_gpus", f"num_reserved_gpus must be between 0 and num_gpus ({num_gpus}); got {reserved}")


def _reserved_duration(c: Checker, days: int | None) -> None:
    # Optional since SDK 2.15; the 1-90 range is in Together's billing guide and the CLI prompt.
    if days is not None and not 1 <= days <= MAX_RESERVED_DAYS:
        c.fail("duration_days", f"duration_days must be between 1 and 90 for RESERVED billing; got {days}")


def _slurm(c: Checker, d: _Draft) -> None:
    d.slurm_shm_size_gib = c.integer("slurm_shm_size_gib")
    shm = d.slurm_shm_size_gib
    if d.cluster_type == "SLURM" and (shm is None or shm <= 0):
        c.fail("slurm_shm_size_gib", "slurm_shm_size_gib is required (> 0 GiB) when cluster_type is SLURM")
    c.string("slurm_image")
    d.install_traefik = c.boolean("install_traefik")


def _preemptible(c: Checker, d: _Draft) -> None:
    d.num_preemptible_gpus = c.integer("num_preemptible_gpus")
    c.multiple_of_8("num_preemptible_gpus", d.num_preemptible_gpus, positive=False)
    # Source: the preemptible-compute guide ("Slurm clusters are not supported yet").
    if d.num_preemptible_gpus and d.cluster_type == "SLURM":
        c.fail(
            "num_preemptible_gpus",
            "num_preemptible_gpus must be 0 for a SLURM cluster: preemptible GPUs are for Kubernetes clusters only",
        )


def _capacity_pool(c: Checker, d: _Draft) -> None:
    pool_gpus = d.num_capacity_pool_gpus = c.integer("num_capacity_pool_gpus")
    d.capacity_pool_id = c.string("capacity_pool_id")
    c.multiple_of_8("num_capacity_pool_gpus", pool_gpus, positive=False)
    if not pool_gpus:
        return
    if d.num_gpus is not None and pool_gpus > d.num_gpus:
        c.fail(
            "num_capacity_pool_gpus", f"num_capacity_pool_gpus must not exceed num_gpus ({d.num_gpus}); got {pool_gpus}"
        )
    if d.capacity_pool_id is None:
        c.fail("capacity_pool_id", "capacity_pool_id is required when num_capacity_pool_gpus > 0")


def _auto_scale(c: Checker, d: _Draft) -> None:
    auto_scale = c.boolean("auto_scale")
    max_gpus = c.integer("auto_scale_max_gpus")
    if not auto_scale:
        return
    if max_gpus is None:
        c.fail("auto_scale_max_gpus", "auto_scale_max_gpus is required when auto_scale is true")
        return
    c.multiple_of_8("auto_scale_max_gpus", max_gpus, positive=True)
    if d.num_gpus is not None and max_gpus < d.num_gpus:
        c.fail("auto_scale_max_gpus", f"auto_scale_max_gpus must be >= num_gpus ({d.num_gpus}); got {max_gpus}")


def _volumes(c: Checker, d: _Draft) -> None:
    d.volume_id = c.string("volume_id")
    shared = c.obj("shared_volume")
    if shared is None:
        return
    if d.volume_id is not None:
        c.fail("shared_volume", "volume_id and shared_volume are mutually exclusive; set only one")
    sv = c.child("shared_volume", shared)
    name = sv.string("volume_name", required=True)
    size = sv.integer("size_tib", required=True)
    region = sv.string("region", required=True)
    if size is not None and size < 1:
        sv.fail("size_tib", f"shared_volume.size_tib must be a whole number of TiB >= 1; got {size}")
    if region is not None and d.region_name is not None and region != d.region_name:
        sv.fail("region", f"shared_volume.region must be the cluster region {d.region_name!r}; got {region!r}")
    independent = sv.boolean("is_lifecycle_independent")
    project_id = sv.string("project_id")
    near = sv.string("instance_cluster_id")
    if name is not None and size is not None and region is not None:
        d.shared_volume = InlineVolumeSpec(name, size, region, bool(independent), project_id, near)


def _oidc(c: Checker, d: _Draft) -> None:
    oidc = c.obj("oidc_config")
    if oidc is None:
        return
    sub = c.child("oidc_config", oidc)
    for key in OIDC_STRINGS:
        sub.string(key, required=True)
    # username_claim is a free string (SDK: "For example, 'sub' or 'email'").
    sub.string("ca_cert")
    d.oidc_config = {k: v for k, v in oidc.items() if k in (*OIDC_STRINGS, "ca_cert") and v is not None}


def _config(c: Checker, d: _Draft) -> None:
    d.cluster_config = check_cluster_config(c, "cluster_config")


def _add_ons(c: Checker, d: _Draft) -> None:
    items = c.array("add_ons")
    seen: set[str] = set()
    for i, item in enumerate(items or []):
        key = f"add_ons[{i}]"
        if not isinstance(item, dict):
            c.fail(key, f"{c.name(key)} must be an object with add_on_type and name")
            continue
        sub = c.child(key, item)
        add_on_type = sub.enum("add_on_type", ADD_ON_TYPES, required=True)
        name = sub.string("name", required=True)
        config = check_add_on_config(sub, "config")
        if name is not None and name in seen:
            sub.fail("name", f"{sub.name('name')} {name!r} is used by another add-on; names must be unique")
        if name is not None:
            seen.add(name)
        if add_on_type is not None and name is not None:
            d.add_ons.append({"add_on_type": add_on_type, "name": name, "config": config})


def _acceptance_tests(c: Checker, d: _Draft) -> None:
    """Checked field by field; they run unless ``enabled`` is false or every test is skipped."""
    tests = c.obj("acceptance_tests_params")
    if tests is None:
        return
    sub = c.child("acceptance_tests_params", tests)
    sub.enum("dcgm_diag_level", DCGM_LEVELS)
    duration = sub.integer("gpu_burn_duration")
    if duration is not None and duration < 0:
        sub.fail("gpu_burn_duration", f"acceptance_tests_params.gpu_burn_duration must be >= 0 seconds; got {duration}")
    enabled = sub.boolean("enabled")
    skipped = [sub.boolean(name) for name in ACCEPTANCE_TESTS]
    d.acceptance_tests = enabled is not False and not all(skipped)


_CREATE_RULES: tuple[_Rule, ...] = (
    _required_fields,
    _region_offers_gpu_type,
    _whole_nodes,
    _driver,
    _type_and_project,
    _billing,
    _slurm,
    _preemptible,
    _capacity_pool,
    _auto_scale,
    _volumes,
    _oidc,
    _config,
    _add_ons,
    _acceptance_tests,
)


def parse_cluster_create(raw: Any) -> ClusterSpec:
    """Validate a ``POST /v1/compute/clusters`` body (store-independent rules)."""
    c = Checker(require_object(raw))
    draft = _Draft()
    for rule in _CREATE_RULES:
        rule(c, draft)
    c.raise_if_failed()
    return draft.spec()
