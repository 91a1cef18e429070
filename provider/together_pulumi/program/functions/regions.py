"""The regions catalog as plain Python functions.

Dynamic providers cannot expose Pulumi functions (invokes), so ``get_regions`` runs in the Pulumi
program's own process over the same HTTP client (other languages: the component plugin's invoke).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ...model import credentials
from ...model.fields import Field, ListOf, ObjectType
from .common import FunctionSpec, program_config

__all__ = ["FUNCTIONS", "REGION", "DriverVersionInfo", "RegionInfo", "get_regions", "get_regions_output"]

#: The schema of what get_regions returns (the dataclasses below are its typed Python form).
DRIVER_VERSION = ObjectType(
    "DriverVersion",
    "An NVIDIA driver catalog entry of a region.",
    (
        Field("id", str, "Catalogue entry ID: pass it as GpuCluster.nvidia_version_id.", required=True),
        Field("cuda_version", str, "CUDA version.", required=True),
        Field("nvidia_driver_version", str, "NVIDIA driver version.", required=True),
        Field("os", str, "OS image family, e.g. ubuntu-22.04.", required=True),
    ),
)
REGION = ObjectType(
    "Region",
    "A region, the GPU types it offers and its driver catalog (newest first).",
    (
        Field("name", str, "Region name, e.g. us-central-8.", required=True),
        Field("gpu_types", ListOf(str), "GPU types offered in the region.", required=True),
        Field("driver_versions", ListOf(DRIVER_VERSION), "Driver catalog, newest first.", required=True),
    ),
)


@dataclass(frozen=True)
class DriverVersionInfo:
    """One NVIDIA driver catalog entry: send ``id`` as ``nvidia_version_id``."""

    id: str
    cuda_version: str
    nvidia_driver_version: str
    os: str


@dataclass(frozen=True)
class RegionInfo:
    """A region: its name, the GPU types it offers, and its driver catalog (newest first)."""

    name: str
    gpu_types: tuple[str, ...]
    driver_versions: tuple[DriverVersionInfo, ...]


def get_regions(api_key: str | None = None, base_url: str | None = None) -> list[RegionInfo]:
    """All regions with their GPU types and driver catalogs.

    Credentials: the arguments, else as the provider resolves them (the stack config
    ``together:apiKey`` / ``together:baseUrl``, else ``TOGETHER_API_KEY`` / ``TOGETHER_BASE_URL``).
    """
    from ...api.client import TogetherClient

    given = {credentials.API_KEY_CONFIG: api_key, credentials.BASE_URL_CONFIG: base_url}
    creds = credentials.resolve_credentials({**program_config(), **{k: v for k, v in given.items() if v}})
    with TogetherClient(creds.api_key if creds else None, creds.base_url if creds else None) as client:
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


FUNCTIONS = (
    FunctionSpec(
        "getRegions",
        "Regions with the GPU types they offer and their NVIDIA driver catalogues. In Python: "
        "`together_pulumi.get_regions()` (plain) or `get_regions_output()`.",
        (),
        (Field("regions", ListOf(REGION), "All regions.", required=True),),
        get_regions,
    ),
)
