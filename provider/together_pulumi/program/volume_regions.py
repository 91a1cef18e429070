"""The regions of the SharedVolumes a program declares, to check a cluster's ``volume_id`` against.

Kept by the identity of each volume's ``volume_id`` Output (the object itself is kept too, so an id
is never reused for another Output): a cluster given that very Output must be in the volume's region.
"""

from __future__ import annotations

from typing import Any

import pulumi

from .inputs import ProgramError

__all__ = ["check_volume_region", "remember_volume"]

_volumes: dict[int, tuple[Any, str, Any]] = {}


def remember_volume(volume_id: pulumi.Output[str], owner: str, region: Any) -> None:
    """Note the region of a SharedVolume the program declares, by its ``volume_id`` output."""
    _volumes[id(volume_id)] = (volume_id, owner, region)


def check_volume_region(volume_id: Any, owner: str, region: Any) -> None:
    """A cluster given a SharedVolume's ``volume_id`` must be in that volume's region (the API does not
    report a volume's region, so this is the one place to catch the mistake at preview)."""
    found = _volumes.get(id(volume_id))
    if found is None or found[0] is not volume_id:
        return
    _, volume, volume_region = found
    if isinstance(region, str) and isinstance(volume_region, str) and region != volume_region:
        raise ProgramError(
            f"{owner}: volume_id is the volume of {volume}, which is in {volume_region}, but the cluster is in "
            f"{region}; a cluster can attach only a volume of its own region"
        )
