"""The regions catalogue (``GET /v1/compute/regions``)."""

from __future__ import annotations

from pydantic import Field

from ._base import Response

__all__ = ["DriverVersion", "Region"]


class DriverVersion(Response):
    """One NVIDIA driver catalogue entry of a region."""

    id: str = ""
    cuda_version: str
    nvidia_driver_version: str
    os: str = ""


class Region(Response):
    """A region, the GPU types it offers and its driver catalogue (newest first)."""

    name: str
    supported_instance_types: list[str] = Field(default_factory=list)
    driver_versions: list[DriverVersion] = Field(default_factory=list)
