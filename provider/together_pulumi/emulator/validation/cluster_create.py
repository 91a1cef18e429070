"""Validation of ``POST /v1/compute/clusters``.

Each rule is a small function that reads its fields with a :class:`.Checker` into the
:class:`ClusterSpec`; :func:`parse_cluster_create` runs them in order and raises one 400 naming
every bad field, or returns the spec. A field of the request is one attribute of the spec, read
in one rule. Rules that need the store (volume existence, capacity) live with the operations in
:mod:`..services.clusters`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

from ..catalog import GPU_TYPES, REGIONS, DriverVersion, Region, find_region
from .checker import Checker, require_object
from .drivers import resolve_driver
from .shapes import ADD_ON_TYPES, BILLING_TYPES, CLUSTER_TYPES, DCGM_LEVELS, check_add_on_config, check_cluster_config

__all__ = ["ClusterSpec", "InlineVolumeSpec", "parse_cluster_create"]

_T = TypeVar("_T")
#: The metadata of a field the cluster echoes back under its own name when set (:meth:`ClusterSpec.echoed`).
ECHOED = {"echoed": True}

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
    """A create request, one attribute per field, filled by the rules below in order.

    ``None`` means absent or invalid. :func:`parse_cluster_create` returns the spec only when every
    rule has passed; then the values every request has are there, read through the properties.
    """

    # Required: as read, None until valid; read them as cluster_name, region, ... (the properties).
    _cluster_name: str | None = None
    region_name: str | None = None
    _region: Region | None = None
    _gpu_type: str | None = None
    _num_gpus: int | None = None
    _billing_type: str | None = None
    _driver: DriverVersion | None = None
    # Optional, each with what its absence means.
    cluster_type: str = "KUBERNETES"
    project_id: str | None = None
    duration_days: int | None = None
    num_reserved_gpus: int = 0
    num_preemptible_gpus: int = 0
    num_capacity_pool_gpus: int = 0
    reservation_start_time: datetime | None = None
    reservation_end_time: datetime | None = None
    volume_id: str | None = None
    shared_volume: InlineVolumeSpec | None = None
    add_ons: list[dict[str, Any]] = field(default_factory=list)
    #: Whether bring-up runs the GPU acceptance tests (``RunningAcceptanceTests``).
    acceptance_tests: bool = True
    # Echoed back by the cluster under the same name when set, in this order.
    capacity_pool_id: str | None = field(default=None, metadata=ECHOED)
    cluster_config: dict[str, Any] | None = field(default=None, metadata=ECHOED)
    oidc_config: dict[str, Any] | None = field(default=None, metadata=ECHOED)
    slurm_shm_size_gib: int | None = field(default=None, metadata=ECHOED)
    install_traefik: bool | None = field(default=None, metadata=ECHOED)

    def echoed(self) -> dict[str, Any]:
        """The set fields marked :data:`ECHOED`, by name, deep-copied (the cluster's own copy)."""
        return copy.deepcopy(
            {f.name: v for f in fields(self) if f.metadata.get("echoed") and (v := getattr(self, f.name)) is not None}
        )

    @property
    def cluster_name(self) -> str:
        """``cluster_name``, set once the request is valid."""
        return _known(self._cluster_name)

    @property
    def region(self) -> Region:
        """The catalogue entry of ``region``."""
        return _known(self._region)

    @property
    def gpu_type(self) -> str:
        """``gpu_type``, offered in :attr:`region`."""
        return _known(self._gpu_type)

    @property
    def num_gpus(self) -> int:
        """``num_gpus``, a positive multiple of 8."""
        return _known(self._num_gpus)

    @property
    def billing_type(self) -> str:
        """``billing_type``."""
        return _known(self._billing_type)

    @property
    def driver(self) -> DriverVersion:
        """The catalogue entry of the driver (``nvidia_version_id`` or the legacy pair)."""
        return _known(self._driver)


def _known(value: _T | None) -> _T:
    """A required value of a spec that passed every rule."""
    assert value is not None, "read a required value of a spec that has not passed its rules"
    return value


_Rule = Callable[[Checker, ClusterSpec], None]


# --- create rules, in the order they run -----------------------------------------------------------


def _required_fields(c: Checker, s: ClusterSpec) -> None:
    s._cluster_name = c.string("cluster_name", required=True)
    s.region_name = c.string("region", required=True)
    s._gpu_type = c.string("gpu_type", required=True)
    s._num_gpus = c.integer("num_gpus", required=True)
    s._billing_type = c.enum("billing_type", BILLING_TYPES, required=True)


def _region_offers_gpu_type(c: Checker, s: ClusterSpec) -> None:
    if s.region_name is not None:
        s._region = find_region(s.region_name)
        if s._region is None:
            valid = ", ".join(r.name for r in REGIONS)
            c.fail("region", f"region {s.region_name!r} is not a known region; valid regions: {valid}")
    gpu_type, region = s._gpu_type, s._region
    if gpu_type is None:
        return
    if gpu_type not in GPU_TYPES:
        c.fail("gpu_type", f"gpu_type must be one of {', '.join(GPU_TYPES)}; got {gpu_type!r}")
        s._gpu_type = None
    elif region is not None and gpu_type not in region.gpu_types:
        offering = [r.name for r in REGIONS if gpu_type in r.gpu_types]
        c.fail(
            "gpu_type",
            f"gpu_type {gpu_type} is not offered in region {region.name} (it offers "
            f"{', '.join(region.gpu_types)}); regions offering {gpu_type}: {', '.join(offering)}",
        )


def _whole_nodes(c: Checker, s: ClusterSpec) -> None:
    c.multiple_of_8("num_gpus", s._num_gpus, positive=True)


def _driver(c: Checker, s: ClusterSpec) -> None:
    s._driver = resolve_driver(c, s._region)


def _type_and_project(c: Checker, s: ClusterSpec) -> None:
    s.cluster_type = c.enum("cluster_type", CLUSTER_TYPES) or "KUBERNETES"
    s.project_id = c.string("project_id")


def _billing(c: Checker, s: ClusterSpec) -> None:
    billing, num_gpus = s._billing_type, s._num_gpus
    s.duration_days = c.integer("duration_days")
    start = s.reservation_start_time = c.timestamp("reservation_start_time")
    end = s.reservation_end_time = c.timestamp("reservation_end_time")
    reserved = c.integer("num_reserved_gpus")
    if billing == "RESERVED":
        _reserved_duration(c, s.duration_days)
        if reserved is None:  # "the server defaults this to num_gpus"
            reserved = num_gpus
    else:
        if billing == "ON_DEMAND" and s.duration_days is not None:
            c.fail("duration_days", "duration_days applies to RESERVED billing only; omit it for ON_DEMAND")
        if reserved:
            c.fail(
                "num_reserved_gpus", f"num_reserved_gpus applies to RESERVED billing only; got billing_type {billing}"
            )
    if billing == "SCHEDULED_CAPACITY":
        for key in ("reservation_start_time", "reservation_end_time"):
            if c.body.get(key) is None:
                c.fail(key, f"{key} is required for SCHEDULED_CAPACITY billing")
    if start is not None and end is not None and end <= start:
        c.fail("reservation_end_time", "reservation_end_time must be after reservation_start_time")
    if reserved is not None and num_gpus is not None and not 0 <= reserved <= num_gpus:
        c.fail("num_reserved_gpus", f"num_reserved_gpus must be between 0 and num_gpus ({num_gpus}); got {reserved}")
    s.num_reserved_gpus = reserved or 0


def _reserved_duration(c: Checker, days: int | None) -> None:
    # Optional since SDK 2.15; the 1-90 range is in Together's billing guide and the CLI prompt.
    if days is not None and not 1 <= days <= MAX_RESERVED_DAYS:
        c.fail("duration_days", f"duration_days must be between 1 and 90 for RESERVED billing; got {days}")


def _slurm(c: Checker, s: ClusterSpec) -> None:
    shm = s.slurm_shm_size_gib = c.integer("slurm_shm_size_gib")
    if s.cluster_type == "SLURM" and (shm is None or shm <= 0):
        c.fail("slurm_shm_size_gib", "slurm_shm_size_gib is required (> 0 GiB) when cluster_type is SLURM")
    c.string("slurm_image")
    s.install_traefik = c.boolean("install_traefik")


def _preemptible(c: Checker, s: ClusterSpec) -> None:
    preemptible = s.num_preemptible_gpus = c.integer("num_preemptible_gpus") or 0
    c.multiple_of_8("num_preemptible_gpus", preemptible, positive=False)
    # Source: the preemptible-compute guide ("Slurm clusters are not supported yet").
    if preemptible and s.cluster_type == "SLURM":
        c.fail(
            "num_preemptible_gpus",
            "num_preemptible_gpus must be 0 for a SLURM cluster: preemptible GPUs are for Kubernetes clusters only",
        )


def _capacity_pool(c: Checker, s: ClusterSpec) -> None:
    pool_gpus = s.num_capacity_pool_gpus = c.integer("num_capacity_pool_gpus") or 0
    s.capacity_pool_id = c.string("capacity_pool_id")
    c.multiple_of_8("num_capacity_pool_gpus", pool_gpus, positive=False)
    num_gpus = s._num_gpus
    if not pool_gpus:
        return
    if num_gpus is not None and pool_gpus > num_gpus:
        c.fail(
            "num_capacity_pool_gpus", f"num_capacity_pool_gpus must not exceed num_gpus ({num_gpus}); got {pool_gpus}"
        )
    if s.capacity_pool_id is None:
        c.fail("capacity_pool_id", "capacity_pool_id is required when num_capacity_pool_gpus > 0")


def _auto_scale(c: Checker, s: ClusterSpec) -> None:
    auto_scale = c.boolean("auto_scale")
    max_gpus = c.integer("auto_scale_max_gpus")
    if not auto_scale:
        return
    if max_gpus is None:
        c.fail("auto_scale_max_gpus", "auto_scale_max_gpus is required when auto_scale is true")
        return
    c.multiple_of_8("auto_scale_max_gpus", max_gpus, positive=True)
    num_gpus = s._num_gpus
    if num_gpus is not None and max_gpus < num_gpus:
        c.fail("auto_scale_max_gpus", f"auto_scale_max_gpus must be >= num_gpus ({num_gpus}); got {max_gpus}")


def _volumes(c: Checker, s: ClusterSpec) -> None:
    s.volume_id = c.string("volume_id")
    shared = c.obj("shared_volume")
    if shared is None:
        return
    if s.volume_id is not None:
        c.fail("shared_volume", "volume_id and shared_volume are mutually exclusive; set only one")
    sv = c.child("shared_volume", shared)
    name = sv.string("volume_name", required=True)
    size = sv.integer("size_tib", required=True)
    region = sv.string("region", required=True)
    if size is not None and size < 1:
        sv.fail("size_tib", f"shared_volume.size_tib must be a whole number of TiB >= 1; got {size}")
    if region is not None and s.region_name is not None and region != s.region_name:
        sv.fail("region", f"shared_volume.region must be the cluster region {s.region_name!r}; got {region!r}")
    independent = sv.boolean("is_lifecycle_independent")
    project_id = sv.string("project_id")
    near = sv.string("instance_cluster_id")
    if name is not None and size is not None and region is not None:
        s.shared_volume = InlineVolumeSpec(name, size, region, bool(independent), project_id, near)


def _oidc(c: Checker, s: ClusterSpec) -> None:
    oidc = c.obj("oidc_config")
    if oidc is None:
        return
    sub = c.child("oidc_config", oidc)
    for key in OIDC_STRINGS:
        sub.string(key, required=True)
    # username_claim is a free string (SDK: "For example, 'sub' or 'email'").
    sub.string("ca_cert")
    s.oidc_config = {k: v for k, v in oidc.items() if k in (*OIDC_STRINGS, "ca_cert") and v is not None}


def _config(c: Checker, s: ClusterSpec) -> None:
    s.cluster_config = check_cluster_config(c, "cluster_config")


def _add_ons(c: Checker, s: ClusterSpec) -> None:
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
            s.add_ons.append({"add_on_type": add_on_type, "name": name, "config": config})


def _acceptance_tests(c: Checker, s: ClusterSpec) -> None:
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
    s.acceptance_tests = enabled is not False and not all(skipped)


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
    spec = ClusterSpec()
    for rule in _CREATE_RULES:
        rule(c, spec)
    c.raise_if_failed()
    return spec
