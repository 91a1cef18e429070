"""Shared volume operations of ``/v1/compute/clusters/storage/volumes``."""

from __future__ import annotations

from typing import Any

from ..errors import ApiError, GrpcCode
from ..state.records import VolumeRecord
from ..state.render import render_volume
from ..state.store import Service, reads, writes
from ..validation import parse_volume_create, parse_volume_update

__all__ = ["VolumeService"]


class VolumeService(Service):
    """The volume endpoints; every method returns the JSON answer or raises :class:`ApiError`."""

    @reads
    def list(self, now: float, project_id: str | None) -> dict[str, Any]:
        """``{"volumes": [...]}``, optionally of one project."""
        return {
            "volumes": [
                render_volume(self.state, v, now)
                for v in self.state.volumes.values()
                if project_id is None or v.project_id == project_id
            ]
        }

    @reads
    def get(self, now: float, volume_id: str) -> dict[str, Any]:
        """One volume, or 404."""
        return render_volume(self.state, self.state.volume(volume_id), now)

    @writes
    def create(self, now: float, body: Any) -> dict[str, Any]:
        """A new volume, ``provisioning`` for ``volume_provisioning_seconds``."""
        spec = parse_volume_create(body)
        project_id = self.state.check_project(spec.project_id, "project_id")
        self.state.check_co_location(spec.instance_cluster_id, spec.region, "instance_cluster_id")
        volume = VolumeRecord(
            volume_id=f"vol-{self.store.fabricate.uuid()}",
            volume_name=spec.volume_name,
            size_tib=spec.size_tib,
            region=spec.region,
            project_id=project_id,
            is_lifecycle_independent=spec.is_lifecycle_independent,
            created_at=now,
            available_at=now + self.config.volume_provisioning_seconds,
            instance_cluster_id=spec.instance_cluster_id,
        )
        self.state.volumes[volume.volume_id] = volume
        return render_volume(self.state, volume, now)

    @writes
    def update(self, now: float, body: Any) -> dict[str, Any]:
        """Resize: grow freely, never shrink."""
        resize = parse_volume_update(body)
        volume = self.state.volume(resize.volume_id)
        size = resize.size_tib
        if size is not None and size != volume.size_tib:
            if size < 1:
                raise ApiError.field("size_tib", f"size_tib must be a whole number of TiB >= 1; got {size}")
            if size < volume.size_tib:
                raise ApiError.field(
                    "size_tib",
                    f"shrinking a volume is not supported: {volume.size_tib} TiB -> {size} TiB; contact support",
                )
            volume.size_tib = size
        return render_volume(self.state, volume, now)

    @writes
    def delete(self, now: float, volume_id: str) -> dict[str, Any]:
        """Delete an unattached volume; 409 while it is bound."""
        volume = self.state.volume(volume_id)
        owner = self.state.bound_to(volume_id)
        if owner is not None:
            raise ApiError(
                GrpcCode.ABORTED,
                f"volume {volume_id} is bound to cluster {owner.cluster_id}; delete or detach the cluster first",
            )
        # Assumed: a volume being deleted (or whose deletion failed) answers DELETE with success again.
        if volume.deleting_until is None:
            volume.deleting_until = now + self.config.volume_deletion_seconds
        self.store.finish_volume_deletions(now)
        return {"success": True}
