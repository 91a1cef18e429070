"""Shared volumes: create and resize bodies (strict) and the ``Volume`` answer (lenient)."""

from __future__ import annotations

from ._base import Request, Response

__all__ = ["Volume", "VolumeCreateRequest", "VolumeUpdateRequest"]


class VolumeCreateRequest(Request):
    """Body of ``POST /v1/compute/clusters/storage/volumes``."""

    volume_name: str
    size_tib: int
    region: str
    is_lifecycle_independent: bool | None = None
    project_id: str | None = None
    #: Place the volume on the same infrastructure as this existing cluster (co-location).
    instance_cluster_id: str | None = None


class VolumeUpdateRequest(Request):
    """Body of ``PUT /v1/compute/clusters/storage/volumes`` (the id travels in the body)."""

    volume_id: str
    size_tib: int | None = None


class Volume(Response):
    """A shared volume as the server reports it (without region: the API does not return it)."""

    volume_id: str
    volume_name: str
    size_tib: int
    status: str
