"""Everything the emulator remembers, with the lookups and capacity rules that read it.

:class:`State` is plain data plus queries; it takes no lock and knows no clock. The store
(:mod:`.store`) serialises access to it and brings it up to date before each request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..catalog import DEFAULT_CAPACITY_GPUS
from ..config import Project
from ..errors import ApiError, GrpcCode
from .records import ClusterRecord, RemediationRecord, VolumeRecord

__all__ = ["State"]


@dataclass
class State:
    """Clusters, volumes, remediations, capacity overrides and projects (insertion order = creation order)."""

    clusters: dict[str, ClusterRecord] = field(default_factory=dict)
    volumes: dict[str, VolumeRecord] = field(default_factory=dict)
    capacity: dict[tuple[str, str], int] = field(default_factory=dict)
    remediations: dict[str, RemediationRecord] = field(default_factory=dict)
    #: The projects the API key can use; the first is the key's own.
    projects: list[Project] = field(default_factory=list)

    def clear(self, projects: tuple[Project, ...]) -> None:
        """Forget everything; the key can use ``projects`` again."""
        self.clusters.clear()
        self.volumes.clear()
        self.capacity.clear()
        self.remediations.clear()
        self.projects = list(projects)

    # --- projects ------------------------------------------------------------------------------

    @property
    def key_project(self) -> Project:
        """The API key's own project: the default of creates without ``project_id``."""
        return self.projects[0]

    def check_project(self, project_id: str | None, field: str) -> str:
        """``project_id`` (or the key's project when None); 403 naming ``field`` if the key cannot use it."""
        if project_id is None:
            return self.key_project.id
        if any(p.id == project_id for p in self.projects):
            return project_id
        valid = ", ".join(p.id for p in self.projects)
        raise ApiError(
            GrpcCode.PERMISSION_DENIED,
            f"{field} {project_id!r} is not a project this API key can use; its projects: {valid} (GET /v1/projects)",
            violations=[(field, f"{field} must be one of {valid}")],
        )

    # --- lookups -------------------------------------------------------------------------------

    def cluster(self, cluster_id: str) -> ClusterRecord:
        """The cluster, or 404."""
        record = self.clusters.get(cluster_id)
        if record is None:
            raise ApiError.not_found(f"cluster {cluster_id} not found")
        return record

    def volume(self, volume_id: str) -> VolumeRecord:
        """The volume, or 404."""
        volume = self.volumes.get(volume_id)
        if volume is None:
            raise ApiError.not_found(f"volume {volume_id} not found")
        return volume

    def remediation(self, remediation_id: str) -> RemediationRecord:
        """The remediation, or 404."""
        record = self.remediations.get(remediation_id)
        if record is None:
            raise ApiError.not_found(f"remediation {remediation_id} not found")
        return record

    def remediations_of(self, cluster_id: str, instance_id: str | None = None) -> list[RemediationRecord]:
        """A cluster's remediations (of one instance when given), oldest first."""
        return [
            r
            for r in self.remediations.values()
            if r.cluster_id == cluster_id and (instance_id is None or r.instance_id == instance_id)
        ]

    def check_co_location(self, cluster_id: str | None, region: str, field: str) -> None:
        """``instance_cluster_id`` must name an existing cluster of the volume's region (400 naming ``field``)."""
        if cluster_id is None:
            return
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            raise ApiError.field(field, f"{field} {cluster_id!r} is not an existing cluster; omit it or name one")
        if cluster.wire["region"] != region:
            raise ApiError.field(
                field,
                f"{field} {cluster_id} is in region {cluster.wire['region']}, not {region}; "
                f"a volume can only be placed next to a cluster of its own region",
            )

    def bound_to(self, volume_id: str) -> ClusterRecord | None:
        """The cluster a volume is attached to (a ``Deleting`` one still counts)."""
        return next((c for c in self.clusters.values() if volume_id in c.volume_ids), None)

    # --- capacity ------------------------------------------------------------------------------

    def capacity_of(self, region: str, gpu_type: str) -> int:
        """GPUs of a type a region can hand out in total."""
        return self.capacity.get((region, gpu_type), DEFAULT_CAPACITY_GPUS)

    def used_gpus(self, region: str, gpu_type: str) -> int:
        """GPUs held by clusters that still exist (a ``Deleting`` cluster holds its GPUs until gone)."""
        return sum(
            int(c.wire["num_gpus"])
            for c in self.clusters.values()
            if c.wire["region"] == region and c.wire["gpu_type"] == gpu_type
        )

    def check_stock(self, region: str, gpu_type: str, extra: int) -> None:
        """409 "Out of stock" unless ``extra`` more GPUs are free."""
        capacity = self.capacity_of(region, gpu_type)
        free = capacity - self.used_gpus(region, gpu_type)
        if extra > free:
            raise ApiError(
                GrpcCode.ABORTED,
                f"Out of stock: {extra} more {gpu_type} GPUs requested in {region} but only {max(free, 0)} "
                f"of {capacity} are free; try another region (GET /v1/compute/regions) or fewer GPUs",
            )

    def capacity_entry(self, region: str, gpu_type: str) -> dict[str, Any]:
        """``{region, gpu_type, gpus, used}`` for the admin API."""
        return {
            "region": region,
            "gpu_type": gpu_type,
            "gpus": self.capacity_of(region, gpu_type),
            "used": self.used_gpus(region, gpu_type),
        }

    # --- removal -------------------------------------------------------------------------------

    def remove_cluster(self, cluster_id: str) -> None:
        """The cluster is gone: its GPUs are free, its remediations gone, and its inline volume
        dies unless lifecycle-independent."""
        record = self.clusters.pop(cluster_id, None)
        if record is None:
            return
        for remediation in self.remediations_of(cluster_id):
            del self.remediations[remediation.id]
        for volume_id in record.volume_ids:
            volume = self.volumes.get(volume_id)
            if volume is not None and volume.inline_for == cluster_id and not volume.is_lifecycle_independent:
                del self.volumes[volume_id]
