"""Validation of the ``/_emulator`` admin bodies (out-of-band scale, forced status, capacity)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..catalog import GPU_TYPES, find_region
from ..state.records import STATUS_PHASES
from .checker import Checker, require_object

__all__ = [
    "VOLUME_STATUSES",
    "CapacitySetting",
    "parse_admin_scale",
    "parse_admin_status",
    "parse_admin_volume_status",
    "parse_capacity",
    "parse_preempt",
]


@dataclass
class CapacitySetting:
    """``PUT /_emulator/capacity``: how many GPUs of a type a region has."""

    region: str
    gpu_type: str
    gpus: int


def parse_admin_scale(raw: Any) -> int:
    """``{"num_gpus": N}`` with N a positive multiple of 8."""
    c = Checker(require_object(raw))
    num_gpus = c.integer("num_gpus", required=True)
    c.multiple_of_8("num_gpus", num_gpus, positive=True)
    c.raise_if_failed()
    assert num_gpus is not None
    return num_gpus


def parse_admin_status(raw: Any) -> str:
    """``{"status": S}`` with S one of the API's cluster statuses."""
    c = Checker(require_object(raw))
    status = c.enum("status", tuple(STATUS_PHASES), required=True)
    c.raise_if_failed()
    assert status is not None
    return status


#: The volume statuses of the together 3.1.1 SDK (``ClusterStorage.status``).
VOLUME_STATUSES = ("scheduled", "available", "bound", "provisioning", "deleting", "failed", "access_revoked", "unknown")


def parse_admin_volume_status(raw: Any) -> str | None:
    """``{"status": S}`` with S one of the SDK's volume statuses, or null to let the volume's own show."""
    body = require_object(raw)
    if body.get("status") is None:
        return None
    c = Checker(body)
    status = c.enum("status", VOLUME_STATUSES, required=True)
    c.raise_if_failed()
    return status


def parse_capacity(raw: Any) -> CapacitySetting:
    """``{"region", "gpu_type", "gpus"}`` with a known region and GPU type and gpus >= 0."""
    c = Checker(require_object(raw))
    region = c.string("region", required=True)
    gpu_type = c.enum("gpu_type", GPU_TYPES, required=True)
    gpus = c.integer("gpus", required=True)
    if region is not None and find_region(region) is None:
        c.fail("region", f"region {region!r} is not a known region")
    if gpus is not None and gpus < 0:
        c.fail("gpus", "gpus must be >= 0")
    c.raise_if_failed()
    assert region is not None and gpu_type is not None and gpus is not None
    return CapacitySetting(region, gpu_type, gpus)


def parse_preempt(raw: Any, allocated: int) -> int:
    """``{"gpus": N}``: a multiple of 8 up to the allocated preemptible GPUs (default: all of them)."""
    c = Checker(require_object(raw))
    gpus = c.integer("gpus")
    c.multiple_of_8("gpus", gpus, positive=True)
    if gpus is not None and gpus > allocated:
        c.fail("gpus", f"gpus must be at most the allocated preemptible GPUs ({allocated}); got {gpus}")
    c.raise_if_failed()
    return allocated if gpus is None else gpus
