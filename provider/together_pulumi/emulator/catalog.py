"""The emulator's regions catalogue: GPU types, NVIDIA driver entries and GPU capacity per region.

The real service publishes only names, GPU types and driver entries (``GET /v1/compute/regions``);
stock is invisible until a create answers 409 "Out of stock". The emulator keeps a capacity per
(region, GPU type) so that stock-outs can be reproduced on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_CAPACITY_GPUS",
    "GPUS_PER_NODE",
    "GPU_TYPES",
    "REGIONS",
    "DriverVersion",
    "Region",
    "find_region",
    "regions_payload",
]

#: Every ``gpu_type`` the together 3.1.1 SDK accepts, in its order.
GPU_TYPES: tuple[str, ...] = (
    "H100_SXM",
    "H200_SXM",
    "RTX_6000_PCI",
    "L40_PCIE",
    "B200_SXM",
    "H100_SXM_INF",
    "B300_SXM",
    "GB200_SXM",
)

#: Every node type offered today carries 8 GPUs.
GPUS_PER_NODE = 8

#: GPUs of one type a region can hand out before creates answer 409 "Out of stock".
DEFAULT_CAPACITY_GPUS = 512

#: The OS a bare ``cuda_version`` such as "12.8" selects (SDK: "Bare semantic values ... select
#: ubuntu-22.04").
DEFAULT_OS = "ubuntu-22.04"


@dataclass(frozen=True)
class DriverVersion:
    """One NVIDIA software entry of a region: what ``nvidia_version_id`` refers to."""

    id: str
    cuda_version: str
    nvidia_driver_version: str
    os: str

    def to_wire(self) -> dict[str, str]:
        return {
            "id": self.id,
            "cuda_version": self.cuda_version,
            "nvidia_driver_version": self.nvidia_driver_version,
            "os": self.os,
        }


@dataclass(frozen=True)
class Region:
    """A region: the GPU types it offers and its driver entries (newest first)."""

    name: str
    gpu_types: tuple[str, ...]
    drivers: tuple[DriverVersion, ...]

    def driver_by_id(self, driver_id: str) -> DriverVersion | None:
        return next((d for d in self.drivers if d.id == driver_id), None)

    def driver_by_pair(self, cuda_version: str, nvidia_driver_version: str) -> DriverVersion | None:
        """Resolve the legacy pair; a bare CUDA version prefers the default OS, as the service does."""
        matches = [
            d
            for d in self.drivers
            if d.cuda_version == cuda_version and d.nvidia_driver_version == nvidia_driver_version
        ]
        preferred = [d for d in matches if d.os == DEFAULT_OS]
        best = preferred or matches
        return best[0] if best else None

    def to_wire(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "supported_instance_types": list(self.gpu_types),
            "driver_versions": [d.to_wire() for d in self.drivers],
        }


def _driver(region: str, cuda: str, driver: str, os: str) -> DriverVersion:
    # ids read like nv-us-central-8-cu128-570-u2204 so a human can tell them apart in a diff
    os_tag = "u" + os.removeprefix("ubuntu-").replace(".", "")
    return DriverVersion(
        id=f"nv-{region}-cu{cuda.replace('.', '')}-{driver}-{os_tag}",
        cuda_version=cuda,
        nvidia_driver_version=driver,
        os=os,
    )


def _region(name: str, gpu_types: tuple[str, ...], drivers: list[tuple[str, str, str]]) -> Region:
    return Region(name, gpu_types, tuple(_driver(name, c, d, o) for c, d, o in drivers))


#: Only region names Together documents: us-central-8 (H100_SXM, H200_SXM: the CLI reference's
#: list-regions example), us-central-2 (RTX_6000_PCI: the preemptible-compute guide), us-central-4
#: (the 2026-01 SDKs' region enum) and us-west-2 (the API reference's create example). Which other
#: GPU types each offers, and the driver entries, are assumed (docs/emulator.md): the real list is
#: whatever GET /v1/compute/regions returns for an account.
REGIONS: tuple[Region, ...] = (
    _region(
        "us-central-8",
        ("H100_SXM", "H200_SXM"),
        [
            ("12.9", "575", "ubuntu-22.04"),
            ("12.8", "570", "ubuntu-24.04"),
            ("12.8", "570", "ubuntu-22.04"),
            ("12.6", "560", "ubuntu-22.04"),
        ],
    ),
    _region(
        "us-central-2", ("RTX_6000_PCI", "L40_PCIE"), [("12.8", "570", "ubuntu-22.04"), ("12.6", "560", "ubuntu-22.04")]
    ),
    _region(
        "us-west-2",
        ("B200_SXM", "B300_SXM", "GB200_SXM"),
        [("13.0", "580", "ubuntu-24.04"), ("12.9", "575", "ubuntu-22.04"), ("12.8", "570", "ubuntu-22.04")],
    ),
    _region(
        "us-central-4", ("H200_SXM", "H100_SXM_INF"), [("12.9", "575", "ubuntu-22.04"), ("12.8", "570", "ubuntu-22.04")]
    ),
)


def find_region(name: str) -> Region | None:
    return next((r for r in REGIONS if r.name == name), None)


def regions_payload() -> dict[str, Any]:
    """The body of ``GET /v1/compute/regions``."""
    return {"regions": [r.to_wire() for r in REGIONS]}
