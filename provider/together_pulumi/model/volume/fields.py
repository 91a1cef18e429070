"""The field table of SharedVolume: every input and output, once (see ``..fields``)."""

from __future__ import annotations

from ..fields import Change, Field

__all__ = ["READINESS_INPUTS", "VOLUME_FIELDS"]

VOLUME_FIELDS: tuple[Field, ...] = (
    Field("region", str, "Region of the volume; a cluster can attach only volumes of its own region.", required=True),
    Field(
        "size_tib",
        int,
        "Size in whole TiB (at least 1). Grows in place; volumes cannot shrink.",
        required=True,
        change=Change.IN_PLACE,
        minimum=1,
        unit="TiB",
    ),
    Field(
        "volume_name",
        str,
        "Name of the volume: 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or "
        "digit. Default: the resource name plus a suffix derived from the stack, the same in preview and up.",
        computed=True,
    ),
    Field(
        "is_lifecycle_independent",
        bool,
        "When true the volume outlives any cluster it is attached to. Default true: a volume "
        "declared on its own is meant to outlive clusters.",
        default=True,
    ),
    Field("project_id", str, "Project that owns the volume. Default: the API key's project.", computed=True),
    Field(
        "instance_cluster_id",
        str,
        "Place the volume next to this existing cluster of the same region (co-location), e.g. a looked-up "
        "cluster's cluster_id. A placement hint used only at creation: changing it later, or the cluster going "
        "away, never replaces the volume.",
        change=Change.STATE_ONLY,
    ),
    Field(
        "existing_volume_id",
        str,
        "Adopt this existing volume instead of creating one (the import path: `pulumi import` does "
        "not work for dynamic providers). Its size must not exceed size_tib.",
        sent=False,
    ),
    Field(
        "ready_timeout_seconds",
        int,
        "How long create and resize wait for the volume to be usable.",
        default=600,
        change=Change.STATE_ONLY,
        sent=False,
        minimum=1,
        unit="second",
    ),
    Field(
        "delete_timeout_seconds",
        int,
        "How long delete waits (also for a cluster being deleted to release the volume).",
        default=1800,
        change=Change.STATE_ONLY,
        sent=False,
        minimum=1,
        unit="second",
    ),
    Field("volume_id", str, "ID of the volume.", input=False, required=True),
    Field("status", str, "Status: provisioning, available, bound, ...", input=False, required=True),
)

#: What the volume's readiness part waits on: the volume, the size it must reach, and how long.
READINESS_INPUTS = ("volume_id", "volume_name", "size_tib", "ready_timeout_seconds")
