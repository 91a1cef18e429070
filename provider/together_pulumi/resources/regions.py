"""The regions catalogue as plain Python functions.

Dynamic providers cannot expose Pulumi functions (invokes), so ``get_regions`` runs in the Pulumi
program's own process over the same HTTP client.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ..api import TogetherClient
from .fields import Field, ListOf, ObjectType

__all__ = ["REGION", "DriverVersionInfo", "RegionInfo", "get_regions", "get_regions_output"]

#: The schema of what get_regions returns (the dataclasses below are its typed Python form).
DRIVER_VERSION = ObjectType(
    "DriverVersion",
    "An NVIDIA driver catalogue entry of a region.",
    (
        Field("id", str, "Catalogue entry ID: pass it as GpuCluster.nvidia_version_id.", required=True),
        Field("cuda_version", str, "CUDA version.", required=True),
        Field("nvidia_driver_version", str, "NVIDIA driver version.", required=True),
        Field("os", str, "OS image family, e.g. ubuntu-22.04.", required=True),
    ),
)
REGION = ObjectType(
    "Region",
    "A region, the GPU types it offers and its driver catalogue (newest first).",
    (
        Field("name", str, "Region name, e.g. us-central-8.", required=True),
        Field("gpu_types", ListOf(str), "GPU types offered in the region.", required=True),
        Field("driver_versions", ListOf(DRIVER_VERSION), "Driver catalogue, newest first.", required=True),
    ),
)


@dataclass(frozen=True)
class DriverVersionInfo:
    """One NVIDIA driver catalogue entry: send ``id`` as ``nvidia_version_id``."""

    id: str
    cuda_version: str
    nvidia_driver_version: str
    os: str


@dataclass(frozen=True)
class RegionInfo:
    """A region: its name, the GPU types it offers, and its driver catalogue (newest first)."""

    name: str
    gpu_types: tuple[str, ...]
    driver_versions: tuple[DriverVersionInfo, ...]


def _program_config(key: str) -> str | None:
    """A ``together:*`` stack config value, when called inside a Pulumi program."""
    try:
        value = pulumi.runtime.get_config(f"together:{key}")
    except Exception:  # outside a Pulumi program there is no config to read
        return None
    return str(value) if value else None


def get_regions(api_key: str | None = None, base_url: str | None = None) -> list[RegionInfo]:
    """All regions with their GPU types and driver catalogues.

    Credentials: the arguments, else the stack config ``together:apiKey`` / ``together:baseUrl``, else
    ``TOGETHER_API_KEY`` / ``TOGETHER_BASE_URL``.
    """
    with TogetherClient(api_key or _program_config("apiKey"), base_url or _program_config("baseUrl")) as client:
        regions = client.list_regions()
    return [
        RegionInfo(
            name=r.name,
            gpu_types=tuple(r.supported_instance_types),
            driver_versions=tuple(
                DriverVersionInfo(d.id, d.cuda_version, d.nvidia_driver_version, d.os) for d in r.driver_versions
            ),
        )
        for r in regions
    ]


def get_regions_output(api_key: str | None = None, base_url: str | None = None) -> pulumi.Output[list[RegionInfo]]:
    """:func:`get_regions` as a ``pulumi.Output``, for use with other Outputs."""
    return pulumi.Output.from_input(None).apply(lambda _: get_regions(api_key, base_url))
