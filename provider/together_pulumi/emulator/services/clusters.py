"""Cluster operations of ``/v1/compute/clusters``: list, get, create, update, delete."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import ApiError, GrpcCode
from ..state.clock import format_ts
from ..state.records import ClusterRecord
from ..state.render import render_cluster
from ..state.store import Service, reads, writes
from ..validation import ClusterSpec, ClusterUpdate, parse_cluster_create, parse_cluster_update

__all__ = ["ClusterService"]


class ClusterService(Service):
    """The cluster endpoints; every method returns the JSON answer or raises :class:`ApiError`."""

    @reads
    def list(self, now: float, project_id: str | None) -> dict[str, Any]:
        """``{"clusters": [...]}``, optionally of one project."""
        clusters = self.state.clusters.values()
        return {
            "clusters": [
                render_cluster(self.state, c, now)
                for c in clusters
                if project_id is None or c.wire["project_id"] == project_id
            ]
        }

    @reads
    def get(self, now: float, cluster_id: str) -> dict[str, Any]:
        """One cluster, or 404."""
        return render_cluster(self.state, self.state.cluster(cluster_id), now)

    @writes
    def create(self, now: float, body: Any) -> dict[str, Any]:
        """Validate, check the volume and the stock, then create."""
        spec = parse_cluster_create(body)
        self.state.check_project(spec.project_id, "project_id")
        if spec.shared_volume is not None:
            self.state.check_project(spec.shared_volume.project_id, "shared_volume.project_id")
            near = spec.shared_volume.instance_cluster_id
            self.state.check_co_location(near, spec.region.name, "shared_volume.instance_cluster_id")
        self._check_volume_attachment(spec)
        self.state.check_stock(spec.region.name, spec.gpu_type, spec.num_gpus)
        record = self.store.lifecycle.build_cluster(spec, now)
        self.state.clusters[record.cluster_id] = record
        self.store.nodes.make_room(spec.region.name, spec.gpu_type, now)  # preempt for the new standard GPUs
        return render_cluster(self.state, record, now)

    def _check_volume_attachment(self, spec: ClusterSpec) -> None:
        if spec.volume_id is None:
            return
        volume = self.state.volumes.get(spec.volume_id)
        if volume is None:
            raise ApiError.field(
                "volume_id",
                f"volume_id {spec.volume_id!r} does not exist; create it first "
                "(POST /v1/compute/clusters/storage/volumes) or use shared_volume",
            )
        if volume.region != spec.region.name:
            raise ApiError.field(
                "volume_id",
                f"Shared volume does not exist in the datacenter {spec.region.name}: "
                f"volume {volume.volume_id} is in {volume.region}; use a volume of region {spec.region.name}",
            )
        owner = self.state.bound_to(volume.volume_id)
        if owner is not None:
            raise ApiError.field(
                "volume_id",
                f"volume_id {volume.volume_id} is already bound to cluster {owner.cluster_id}; "
                "a volume can be attached to one cluster at a time",
            )

    @writes
    def update(self, now: float, cluster_id: str, body: Any) -> dict[str, Any]:
        """Apply the mutable fields of a PUT; a changed ``num_gpus`` starts a scale."""
        record = self.state.cluster(cluster_id)
        w = record.wire
        if w["status"] == "Deleting":
            raise ApiError(GrpcCode.ABORTED, f"cluster {cluster_id} is being deleted; it can no longer be updated")
        up = parse_cluster_update(body, w, [a["name"] for a in record.add_ons])
        if up.num_gpus is not None and up.num_gpus > w["num_gpus"]:
            self.state.check_stock(w["region"], w["gpu_type"], up.num_gpus - int(w["num_gpus"]))
        _apply_settings(record, up)
        lifecycle = self.store.lifecycle
        if up.num_gpus is not None and up.num_gpus != w["num_gpus"]:
            lifecycle.scale(record, up.num_gpus, now)
            self.store.nodes.make_room(w["region"], w["gpu_type"], now)
        if up.num_preemptible_gpus is not None:
            w["desired_preemptible_gpus"] = up.num_preemptible_gpus
            if not lifecycle.provisioning(record):  # "fulfilled asynchronously": here, at once
                self.store.nodes.reconcile_preemptible(record, now, now)
        if up.cluster_type is not None and up.cluster_type != w["cluster_type"]:
            lifecycle.switch_type(record, up.cluster_type, now)
        return render_cluster(self.state, record, now)

    @writes
    def delete(self, now: float, cluster_id: str) -> dict[str, Any]:
        """Start the deletion; a repeated DELETE while ``Deleting`` is a no-op."""
        record = self.state.cluster(cluster_id)
        if record.wire["status"] != "Deleting":
            self.store.lifecycle.start_deletion(record, now)
        return {"cluster_id": cluster_id}


def _apply_settings(record: ClusterRecord, up: ClusterUpdate) -> None:
    """The fields of an update that take effect at once."""
    w = record.wire
    if up.num_reserved_gpus is not None:
        w["num_reserved_gpus"] = up.num_reserved_gpus
    if up.num_capacity_pool_gpus is not None:
        w["num_capacity_pool_gpus"] = up.num_capacity_pool_gpus
    if up.reservation_end_time is not None and w["billing_type"] != "ON_DEMAND":
        w["reservation_end_time"] = format_ts(up.reservation_end_time.timestamp())
    if up.cluster_config is not None:
        w["cluster_config"] = copy.deepcopy(up.cluster_config)
    for patch in up.add_ons or []:
        target = next(a for a in record.add_ons if a["name"] == patch["name"])
        if patch["config"] is not None:
            target["config"] = merge(target.get("config") or {}, patch["config"])


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Deep merge for add-on configs (the update "provides the new external config to merge")."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        elif value is not None:
            out[key] = copy.deepcopy(value)
    return out
