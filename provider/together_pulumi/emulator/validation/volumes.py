"""Validation of the shared volume bodies (create, and resize with the id in the body)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..catalog import REGIONS, find_region
from .checker import Checker, require_object

__all__ = ["VolumeResize", "VolumeSpec", "parse_volume_create", "parse_volume_update"]


@dataclass
class VolumeSpec:
    """A validated ``POST /v1/compute/clusters/storage/volumes`` body."""

    volume_name: str
    size_tib: int
    region: str
    is_lifecycle_independent: bool
    project_id: str | None
    instance_cluster_id: str | None = None


@dataclass
class VolumeResize:
    """A validated ``PUT /v1/compute/clusters/storage/volumes`` body; ``size_tib`` None = keep."""

    volume_id: str
    size_tib: int | None


def parse_volume_create(raw: Any) -> VolumeSpec:
    """Validate a volume create body: name, whole TiB >= 1, a known region."""
    c = Checker(require_object(raw))
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
    instance_cluster_id = c.string("instance_cluster_id")
    c.raise_if_failed()
    assert name and size and region
    return VolumeSpec(name, size, region, bool(independent), project_id, instance_cluster_id)


def parse_volume_update(raw: Any) -> VolumeResize:
    """Validate a resize body. Other keys (region, volume_name, ...) are ignored: Terraform sends whole models."""
    c = Checker(require_object(raw))
    volume_id = c.string("volume_id", required=True)
    size = c.integer("size_tib")
    c.raise_if_failed()
    assert volume_id is not None
    return VolumeResize(volume_id, size)
