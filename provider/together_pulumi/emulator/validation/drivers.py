"""The driver entry of a cluster create: ``nvidia_version_id``, the legacy ``cuda_version`` +
``nvidia_driver_version`` pair, or both, which must name the same entry of the region's catalogue.

Apart from the other create rules because it is the one that reconciles two ways of saying the
same thing, and each way has its own messages.
"""

from __future__ import annotations

from ..catalog import DriverVersion, Region
from .checker import Checker

__all__ = ["resolve_driver"]


def resolve_driver(c: Checker, region: Region | None) -> DriverVersion | None:
    """The driver entry from ``nvidia_version_id`` and/or the legacy pair; they must agree."""
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
    by_id = _driver_by_id(c, region, version_id) if version_id is not None else None
    if version_id is not None and by_id is None:
        return None
    if cuda is None or driver is None:
        return by_id
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
    by_pair = region.driver_by_pair(cuda, driver)
    if by_pair is None:
        pairs = ", ".join(sorted({f"{d.cuda_version}/{d.nvidia_driver_version}" for d in region.drivers}))
        c.fail(
            "cuda_version",
            f"cuda_version {cuda!r} with nvidia_driver_version {driver!r} is not offered in region "
            f"{region.name}; valid cuda/driver pairs: {pairs}",
        )
    return by_pair


def _driver_by_id(c: Checker, region: Region, version_id: str) -> DriverVersion | None:
    found = region.driver_by_id(version_id)
    if found is None:
        valid_ids = ", ".join(d.id for d in region.drivers)
        c.fail(
            "nvidia_version_id",
            f"nvidia_version_id {version_id!r} is not offered in region {region.name}; valid: {valid_ids}",
        )
    return found
