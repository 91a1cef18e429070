"""Request-body validation for the cluster and volume endpoints.

Checks are stateless here (shapes, enums, cross-field rules, the region catalogue); rules that need
the store (volume existence, capacity) live in :mod:`.store`. Every problem is collected as a
``(field, description)`` violation so one 400 answer names all bad fields, each description
saying what would be valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .catalog import GPU_TYPES, REGIONS, DriverVersion, Region, find_region
from .errors import ApiError, Violation

__all__ = [
    "ADD_ON_TYPES",
    "BILLING_TYPES",
    "CLUSTER_TYPES",
    "LOAD_BALANCERS",
    "Checker",
    "ClusterSpec",
    "ClusterUpdate",
    "InlineVolumeSpec",
    "parse_cluster_create",
    "parse_cluster_update",
    "parse_timestamp",
    "parse_volume_create",
]

BILLING_TYPES = ("RESERVED", "ON_DEMAND", "SCHEDULED_CAPACITY")
CLUSTER_TYPES = ("KUBERNETES", "SLURM")
LOAD_BALANCERS = ("NONE", "TRAEFIK", "NGINX", "ISTIO")
ADD_ON_TYPES = ("dashboard", "ingress", "torchpass", "headlamp", "slurm_web")
USERNAME_CLAIMS = ("email", "preferred_username", "sub")
DCGM_LEVELS = ("DCGM_DIAG_LEVEL_SHORT", "DCGM_DIAG_LEVEL_MEDIUM", "DCGM_DIAG_LEVEL_LONG", "DCGM_DIAG_LEVEL_EXTENDED")
OIDC_STRINGS = ("client_id", "issuer_url", "username_claim", "username_prefix", "group_claim", "group_prefix")
MAX_RESERVED_DAYS = 90
GPUS_PER_NODE = 8


def parse_timestamp(value: str) -> datetime | None:
    """RFC 3339 → aware UTC datetime; ``None`` when unparsable."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


class Checker:
    """Reads typed values out of a JSON object, recording violations instead of raising."""

    def __init__(self, body: dict[str, Any], prefix: str = "", sink: list[Violation] | None = None):
        self.body = body
        self.prefix = prefix
        self.violations: list[Violation] = sink if sink is not None else []

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def fail(self, key: str, description: str) -> None:
        self.violations.append((self.name(key), description))

    def child(self, key: str, value: dict[str, Any]) -> Checker:
        return Checker(value, f"{self.name(key)}.", self.violations)

    def has(self, key: str) -> bool:
        # Explicit null means "not set": the Terraform encoder sends nulls for removed attributes.
        return self.body.get(key) is not None

    def string(self, key: str, *, required: bool = False) -> str | None:
        value = self.body.get(key)
        if value is None or value == "":
            if required:
                self.fail(key, f"{self.name(key)} is required")
            return None
        if not isinstance(value, str):
            self.fail(key, f"{self.name(key)} must be a string; got {value!r}")
            return None
        return value

    def integer(self, key: str, *, required: bool = False) -> int | None:
        value = self.body.get(key)
        if value is None:
            if required:
                self.fail(key, f"{self.name(key)} is required")
            return None
        # proto3 JSON also accepts integers as strings ("16"); keep that leniency.
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"{self.name(key)} must be an integer; got {value!r}")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(key, f"{self.name(key)} must be true or false; got {value!r}")
            return None
        return value

    def enum(self, key: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.string(key, required=required)
        if value is None:
            return None
        if value not in allowed:
            self.fail(key, f"{self.name(key)} must be one of {', '.join(allowed)}; got {value!r}")
            return None
        return value

    def obj(self, key: str) -> dict[str, Any] | None:
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(key, f"{self.name(key)} must be an object; got {value!r}")
            return None
        return value

    def array(self, key: str) -> list[Any] | None:
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.fail(key, f"{self.name(key)} must be an array; got {value!r}")
            return None
        return value

    def timestamp(self, key: str) -> datetime | None:
        value = self.string(key)
        if value is None:
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            self.fail(key, f"{self.name(key)} must be an RFC 3339 timestamp such as 2026-07-01T00:00:00Z")
        return parsed

    def multiple_of_8(self, key: str, value: int | None, *, positive: bool) -> None:
        if value is None:
            return
        if value % GPUS_PER_NODE or value < 0 or (positive and value == 0):
            kind = "a positive" if positive else "a non-negative"
            self.fail(key, f"{self.name(key)} must be {kind} multiple of 8 (one node = 8 GPUs); got {value}")

    def raise_if_failed(self) -> None:
        if self.violations:
            raise ApiError.invalid(self.violations)


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError.field("body", "the request body must be a JSON object")
    return body


@dataclass
class InlineVolumeSpec:
    volume_name: str
    size_tib: int
    region: str
    is_lifecycle_independent: bool
    project_id: str | None


@dataclass
class ClusterSpec:
    """A validated create request; ``raw`` keeps the echoed optional objects as sent."""

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


def _check_cluster_config(c: Checker, key: str) -> dict[str, Any] | None:
    config = c.obj(key)
    if config is None:
        return None
    sub = c.child(key, config)
    sub.enum("load_balancer", LOAD_BALANCERS, required=True)
    return config


def _check_add_on_config(c: Checker, key: str) -> dict[str, Any] | None:
    config = c.obj(key)
    if config is None:
        return None
    sub = c.child(key, config)
    for name, value in config.items():
        if name not in ADD_ON_TYPES:
            sub.fail(name, f"{sub.name(name)} is not an add-on; valid keys: {', '.join(ADD_ON_TYPES)}")
        elif value is not None:
            inner = sub.obj(name)
            if inner is not None:
                sub.child(name, inner).boolean("enabled")
    return config


def _check_create_add_ons(c: Checker) -> list[dict[str, Any]]:
    items = c.array("add_ons")
    if items is None:
        return []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        key = f"add_ons[{i}]"
        if not isinstance(item, dict):
            c.fail(key, f"{c.name(key)} must be an object with add_on_type and name")
            continue
        sub = c.child(key, item)
        add_on_type = sub.enum("add_on_type", ADD_ON_TYPES, required=True)
        name = sub.string("name", required=True)
        config = _check_add_on_config(sub, "config")
        if name is not None and name in seen:
            sub.fail("name", f"{sub.name('name')} {name!r} is used by another add-on; names must be unique")
        if name is not None:
            seen.add(name)
        if add_on_type is not None and name is not None:
            out.append({"add_on_type": add_on_type, "name": name, "config": config})
    return out


def _check_oidc(c: Checker) -> dict[str, Any] | None:
    oidc = c.obj("oidc_config")
    if oidc is None:
        return None
    sub = c.child("oidc_config", oidc)
    for key in OIDC_STRINGS:
        sub.string(key, required=True)
    claim = sub.body.get("username_claim")
    if isinstance(claim, str) and claim and claim not in USERNAME_CLAIMS:
        sub.fail("username_claim", f"oidc_config.username_claim must be one of {', '.join(USERNAME_CLAIMS)}")
    sub.string("ca_cert")
    return {k: v for k, v in oidc.items() if k in (*OIDC_STRINGS, "ca_cert") and v is not None}


def _check_driver(c: Checker, region: Region | None) -> DriverVersion | None:
    version_id = c.string("nvidia_version_id")
    cuda = c.string("cuda_version")
    driver = c.string("nvidia_driver_version")
    if cuda is not None and driver is None:
        c.fail("nvidia_driver_version", "nvidia_driver_version is required with cuda_version (they are a pair)")
    if driver is not None and cuda is None:
        c.fail("cuda_version", "cuda_version is required with nvidia_driver_version (they are a pair)")
    if version_id is None and (cuda is None or driver is None):
        if cuda is None and driver is None:
            c.fail(
                "nvidia_version_id",
                "nvidia_version_id is required (an id from GET /v1/compute/regions driver_versions), "
                "or the legacy pair cuda_version + nvidia_driver_version",
            )
        return None
    if region is None:
        return None
    valid_ids = ", ".join(d.id for d in region.drivers)
    by_id: DriverVersion | None = None
    if version_id is not None:
        by_id = region.driver_by_id(version_id)
        if by_id is None:
            c.fail(
                "nvidia_version_id",
                f"nvidia_version_id {version_id!r} is not offered in region {region.name}; valid: {valid_ids}",
            )
            return None
    by_pair: DriverVersion | None = None
    if cuda is not None and driver is not None:
        by_pair = region.driver_by_pair(cuda, driver)
        if by_id is not None:
            if (by_id.cuda_version, by_id.nvidia_driver_version) != (cuda, driver):
                c.fail(
                    "nvidia_version_id",
                    f"nvidia_version_id {version_id!r} is CUDA {by_id.cuda_version} / driver "
                    f"{by_id.nvidia_driver_version}, but cuda_version={cuda!r} and "
                    f"nvidia_driver_version={driver!r} were given; they must resolve to the same entry",
                )
                return None
            return by_id
        if by_pair is None:
            pairs = ", ".join(sorted({f"{d.cuda_version}/{d.nvidia_driver_version}" for d in region.drivers}))
            c.fail(
                "cuda_version",
                f"cuda_version {cuda!r} with nvidia_driver_version {driver!r} is not offered in region "
                f"{region.name}; valid cuda/driver pairs: {pairs}",
            )
            return None
    return by_id or by_pair


def parse_cluster_create(raw: Any) -> ClusterSpec:
    """Validate a ``POST /v1/compute/clusters`` body (store-independent rules)."""
    body = require_object(raw)
    c = Checker(body)
    name = c.string("cluster_name", required=True)
    region_name = c.string("region", required=True)
    gpu_type = c.string("gpu_type", required=True)
    num_gpus = c.integer("num_gpus", required=True)
    billing = c.enum("billing_type", BILLING_TYPES, required=True)

    region: Region | None = None
    if region_name is not None:
        region = find_region(region_name)
        if region is None:
            valid = ", ".join(r.name for r in REGIONS)
            c.fail("region", f"region {region_name!r} is not a known region; valid regions: {valid}")
    if gpu_type is not None:
        if gpu_type not in GPU_TYPES:
            c.fail("gpu_type", f"gpu_type must be one of {', '.join(GPU_TYPES)}; got {gpu_type!r}")
        elif region is not None and gpu_type not in region.gpu_types:
            offering = [r.name for r in REGIONS if gpu_type in r.gpu_types]
            c.fail(
                "gpu_type",
                f"gpu_type {gpu_type} is not offered in region {region.name} (it offers "
                f"{', '.join(region.gpu_types)}); regions offering {gpu_type}: {', '.join(offering)}",
            )
    c.multiple_of_8("num_gpus", num_gpus, positive=True)
    driver = _check_driver(c, region)

    cluster_type = c.enum("cluster_type", CLUSTER_TYPES) or "KUBERNETES"
    project_id = c.string("project_id")

    duration_days = c.integer("duration_days")
    start = c.timestamp("reservation_start_time")
    end = c.timestamp("reservation_end_time")
    num_reserved = c.integer("num_reserved_gpus")
    if billing == "RESERVED":
        if duration_days is None:
            c.fail("duration_days", "duration_days is required for RESERVED billing (1 to 90 days)")
        elif not 1 <= duration_days <= MAX_RESERVED_DAYS:
            c.fail("duration_days", f"duration_days must be between 1 and 90 for RESERVED billing; got {duration_days}")
        if num_reserved is None:
            num_reserved = num_gpus
    else:
        if billing == "ON_DEMAND" and duration_days is not None:
            c.fail("duration_days", "duration_days applies to RESERVED billing only; omit it for ON_DEMAND")
        if num_reserved:
            c.fail(
                "num_reserved_gpus", f"num_reserved_gpus applies to RESERVED billing only; got billing_type {billing}"
            )
    if billing == "SCHEDULED_CAPACITY":
        if c.body.get("reservation_start_time") is None:
            c.fail("reservation_start_time", "reservation_start_time is required for SCHEDULED_CAPACITY billing")
        if c.body.get("reservation_end_time") is None:
            c.fail("reservation_end_time", "reservation_end_time is required for SCHEDULED_CAPACITY billing")
    if start is not None and end is not None and end <= start:
        c.fail("reservation_end_time", "reservation_end_time must be after reservation_start_time")
    if num_reserved is not None and num_gpus is not None and not 0 <= num_reserved <= num_gpus:
        c.fail(
            "num_reserved_gpus", f"num_reserved_gpus must be between 0 and num_gpus ({num_gpus}); got {num_reserved}"
        )

    shm = c.integer("slurm_shm_size_gib")
    if cluster_type == "SLURM" and (shm is None or shm <= 0):
        c.fail("slurm_shm_size_gib", "slurm_shm_size_gib is required (> 0 GiB) when cluster_type is SLURM")
    install_traefik = c.boolean("install_traefik")

    preemptible = c.integer("num_preemptible_gpus")
    c.multiple_of_8("num_preemptible_gpus", preemptible, positive=False)
    if preemptible and project_id is None:
        c.fail("project_id", "project_id is required when num_preemptible_gpus > 0")

    pool_gpus = c.integer("num_capacity_pool_gpus")
    pool_id = c.string("capacity_pool_id")
    c.multiple_of_8("num_capacity_pool_gpus", pool_gpus, positive=False)
    if pool_gpus:
        if num_gpus is not None and pool_gpus > num_gpus:
            c.fail(
                "num_capacity_pool_gpus",
                f"num_capacity_pool_gpus must not exceed num_gpus ({num_gpus}); got {pool_gpus}",
            )
        if pool_id is None:
            c.fail("capacity_pool_id", "capacity_pool_id is required when num_capacity_pool_gpus > 0")

    auto_scale = c.boolean("auto_scale")
    max_gpus = c.integer("auto_scale_max_gpus")
    if auto_scale:
        if max_gpus is None:
            c.fail("auto_scale_max_gpus", "auto_scale_max_gpus is required when auto_scale is true")
        else:
            c.multiple_of_8("auto_scale_max_gpus", max_gpus, positive=True)
            if num_gpus is not None and max_gpus < num_gpus:
                c.fail("auto_scale_max_gpus", f"auto_scale_max_gpus must be >= num_gpus ({num_gpus}); got {max_gpus}")

    volume_id = c.string("volume_id")
    inline: InlineVolumeSpec | None = None
    shared = c.obj("shared_volume")
    if shared is not None:
        if volume_id is not None:
            c.fail("shared_volume", "volume_id and shared_volume are mutually exclusive; set only one")
        sv = c.child("shared_volume", shared)
        sv_name = sv.string("volume_name", required=True)
        sv_size = sv.integer("size_tib", required=True)
        sv_region = sv.string("region", required=True)
        if sv_size is not None and sv_size < 1:
            sv.fail("size_tib", f"shared_volume.size_tib must be a whole number of TiB >= 1; got {sv_size}")
        if sv_region is not None and region_name is not None and sv_region != region_name:
            sv.fail("region", f"shared_volume.region must be the cluster region {region_name!r}; got {sv_region!r}")
        independent = sv.boolean("is_lifecycle_independent")
        sv_project = sv.string("project_id")
        if sv_name is not None and sv_size is not None and sv_region is not None:
            inline = InlineVolumeSpec(sv_name, sv_size, sv_region, bool(independent), sv_project)

    oidc = _check_oidc(c)
    cluster_config = _check_cluster_config(c, "cluster_config")
    add_ons = _check_create_add_ons(c)
    tests = c.obj("acceptance_tests_params")
    if tests is not None:
        c.child("acceptance_tests_params", tests).enum("dcgm_diag_level", DCGM_LEVELS)

    c.raise_if_failed()
    assert name and region and gpu_type and num_gpus and billing and driver  # guaranteed by the checks
    return ClusterSpec(
        cluster_name=name,
        region=region,
        gpu_type=gpu_type,
        num_gpus=num_gpus,
        billing_type=billing,
        driver=driver,
        cluster_type=cluster_type,
        project_id=project_id,
        duration_days=duration_days,
        num_reserved_gpus=num_reserved or 0,
        num_preemptible_gpus=preemptible or 0,
        num_capacity_pool_gpus=pool_gpus or 0,
        capacity_pool_id=pool_id,
        reservation_start_time=start,
        reservation_end_time=end,
        slurm_shm_size_gib=shm,
        install_traefik=install_traefik,
        volume_id=volume_id,
        shared_volume=inline,
        oidc_config=oidc,
        cluster_config=cluster_config,
        add_ons=add_ons,
    )


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


def parse_cluster_update(raw: Any, current: dict[str, Any], add_on_names: list[str]) -> ClusterUpdate:
    """Validate an update against the current cluster (wire dict). Unknown/immutable keys are ignored."""
    body = require_object(raw)
    c = Checker(body)
    up = ClusterUpdate()
    up.num_gpus = c.integer("num_gpus")
    c.multiple_of_8("num_gpus", up.num_gpus, positive=True)
    up.cluster_type = c.enum("cluster_type", CLUSTER_TYPES)
    billing = current["billing_type"]
    up.num_reserved_gpus = c.integer("num_reserved_gpus")
    target = up.num_gpus if up.num_gpus is not None else current["num_gpus"]
    if up.num_reserved_gpus is not None:
        if billing != "RESERVED":
            if up.num_reserved_gpus != current["num_reserved_gpus"]:
                c.fail(
                    "num_reserved_gpus",
                    f"num_reserved_gpus can only be changed on RESERVED clusters; this cluster is {billing}",
                )
        elif not 0 <= up.num_reserved_gpus <= target:
            c.fail("num_reserved_gpus", f"num_reserved_gpus must be between 0 and num_gpus ({target})")
    up.num_preemptible_gpus = c.integer("num_preemptible_gpus")
    c.multiple_of_8("num_preemptible_gpus", up.num_preemptible_gpus, positive=False)
    up.num_capacity_pool_gpus = c.integer("num_capacity_pool_gpus")
    if up.num_capacity_pool_gpus is not None:
        c.multiple_of_8("num_capacity_pool_gpus", up.num_capacity_pool_gpus, positive=False)
        if not current.get("capacity_pool_id") and up.num_capacity_pool_gpus != current["num_capacity_pool_gpus"]:
            c.fail(
                "num_capacity_pool_gpus",
                "num_capacity_pool_gpus can only be changed on clusters created with a capacity_pool_id",
            )
        elif up.num_capacity_pool_gpus > target:
            c.fail("num_capacity_pool_gpus", f"num_capacity_pool_gpus must not exceed num_gpus ({target})")
    up.reservation_end_time = c.timestamp("reservation_end_time")
    if up.reservation_end_time is not None:
        if billing not in ("RESERVED", "SCHEDULED_CAPACITY"):
            current_end = current.get("reservation_end_time")
            if not isinstance(current_end, str) or parse_timestamp(current_end) != up.reservation_end_time:
                c.fail(
                    "reservation_end_time",
                    f"reservation_end_time can only be set on RESERVED or SCHEDULED_CAPACITY clusters; "
                    f"this cluster is {billing}",
                )
        else:
            start = current.get("reservation_start_time")
            start_dt = parse_timestamp(start) if isinstance(start, str) else None
            if start_dt is not None and up.reservation_end_time <= start_dt:
                c.fail("reservation_end_time", f"reservation_end_time must be after reservation_start_time ({start})")
    up.cluster_config = _check_cluster_config(c, "cluster_config")
    items = c.array("add_ons")
    if items is not None:
        existing = set(add_on_names)
        up.add_ons = []
        for i, item in enumerate(items):
            key = f"add_ons[{i}]"
            if not isinstance(item, dict):
                c.fail(key, f"{key} must be an object with a name")
                continue
            sub = c.child(key, item)
            name = sub.string("name", required=True)
            config = _check_add_on_config(sub, "config")
            if name is not None and name not in existing:
                valid = ", ".join(sorted(existing)) or "none"
                sub.fail("name", f"{sub.name('name')} {name!r} does not match an add-on of this cluster ({valid})")
            elif name is not None:
                up.add_ons.append({"name": name, "config": config})
    c.raise_if_failed()
    return up


@dataclass
class VolumeSpec:
    volume_name: str
    size_tib: int
    region: str
    is_lifecycle_independent: bool
    project_id: str | None


def parse_volume_create(raw: Any) -> VolumeSpec:
    body = require_object(raw)
    c = Checker(body)
    name = c.string("volume_name", required=True)
    size = c.integer("size_tib", required=True)
    region = c.string("region", required=True)
    if size is not None and size < 1:
        c.fail("size_tib", f"size_tib must be a whole number of TiB >= 1; got {size}")
    if region is not None and find_region(region) is None:
        c.fail(
            "region", f"region {region!r} is not a known region; valid regions: {', '.join(r.name for r in REGIONS)}"
        )
    independent = c.boolean("is_lifecycle_independent")
    project_id = c.string("project_id")
    c.raise_if_failed()
    assert name and size and region
    return VolumeSpec(name, size, region, bool(independent), project_id)
