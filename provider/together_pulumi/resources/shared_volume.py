"""``SharedVolume``: a Together shared storage volume, attachable to clusters of its region."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from ..api import errors
from ..api.models import Region, Volume, VolumeCreateRequest, VolumeStatus, VolumeUpdateRequest
from . import session
from .base import AUTONAME_PREFIX, TableProvider, known, uncertain_create_message, without_provider
from .fields import Change, Field, Violation
from .waiting import WaitTimeoutError, poll_until, progress

__all__ = ["VOLUME_FIELDS", "SharedVolume", "SharedVolumeArgs", "SharedVolumeProvider"]

VOLUME_FIELDS: tuple[Field, ...] = (
    Field("region", str, "Region of the volume; a cluster can attach only volumes of its own region.", required=True),
    Field(
        "size_tib",
        int,
        "Size in whole TiB (at least 1). Grows in place; volumes cannot shrink.",
        required=True,
        change=Change.IN_PLACE,
    ),
    Field("volume_name", str, "Name of the volume. Default: the resource name plus a random suffix.", computed=True),
    Field(
        "is_lifecycle_independent",
        bool,
        "When true the volume outlives any cluster it is attached to. Default true: a volume "
        "declared on its own is meant to outlive clusters.",
        default=True,
    ),
    Field("project_id", str, "Project that owns the volume. Default: the API key's project.", computed=True),
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
    ),
    Field(
        "delete_timeout_seconds",
        int,
        "How long delete waits (also for a cluster being deleted to release the volume).",
        default=1800,
        change=Change.STATE_ONLY,
        sent=False,
    ),
    Field("volume_id", str, "ID of the volume.", input=False),
    Field("status", str, "Status: provisioning, available, bound, ...", input=False),
)

_USABLE = {VolumeStatus.AVAILABLE, VolumeStatus.BOUND}


def _size(value: Any) -> int:
    return int(value)


class SharedVolumeProvider(TableProvider):
    """Dynamic provider of ``SharedVolume``."""

    table: ClassVar[tuple[Field, ...]] = VOLUME_FIELDS
    kind: ClassVar[str] = "SharedVolume"
    name_field: ClassVar[str | None] = "volume_name"
    adopt_field: ClassVar[str | None] = "existing_volume_id"
    id_field: ClassVar[str] = "volume_id"

    def rules(self, olds: Mapping[str, Any], inputs: dict[str, Any]) -> list[Violation]:
        violations = []
        if known(inputs, "size_tib") and _size(inputs["size_tib"]) < 1:
            violations.append(Violation("size_tib", f"size_tib must be at least 1 (TiB); got {inputs['size_tib']}"))
        if (
            known(inputs, "size_tib")
            and known(olds, "size_tib")
            and _size(inputs["size_tib"]) < _size(olds["size_tib"])
        ):
            violations.append(
                Violation(
                    "size_tib",
                    f"size_tib cannot shrink from {_size(olds['size_tib'])} to {_size(inputs['size_tib'])} TiB: "
                    f"Together volumes only grow. Keep size_tib >= {_size(olds['size_tib'])}, or make a new "
                    "volume (a new resource, or a new volume_name; the old data is lost).",
                )
            )
        for f in ("ready_timeout_seconds", "delete_timeout_seconds"):
            if known(inputs, f) and inputs[f] <= 0:
                violations.append(Violation(f, f"{f} must be positive; got {inputs[f]}"))
        return violations

    def catalogue_rules(self, inputs: dict[str, Any], regions: dict[str, Region]) -> list[Violation]:
        if known(inputs, "region") and inputs["region"] not in regions:
            valid = ", ".join(sorted(regions))
            return [Violation("region", f"region {inputs['region']!r} does not exist; valid regions: {valid}")]
        return []

    def lookup_name(self, object_id: str) -> str:
        return session.client().get_volume(object_id).volume_name

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return self.table_diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = session.client()
        name = str(props.get("volume_name") or props.get("existing_volume_id"))
        if props.get("existing_volume_id"):
            volume = self._adopt(props)
        else:
            try:
                volume = client.create_volume(
                    VolumeCreateRequest(
                        volume_name=name,
                        size_tib=_size(props["size_tib"]),
                        region=props["region"],
                        is_lifecycle_independent=props.get("is_lifecycle_independent"),
                        project_id=props.get("project_id"),
                    )
                )
            except errors.UncertainCreateError as exc:
                raise RuntimeError(uncertain_create_message("SharedVolume", "existing_volume_id", exc)) from None
            progress(f"SharedVolume {name}: created {volume.volume_id}")
            try:
                volume = self._wait_usable(volume.volume_id, name, props)
            except Exception as exc:
                # A volume that never became usable holds no data yet: remove it rather than orphan it.
                raise RuntimeError(self._cleanup_after_failed_create(volume.volume_id, name, exc)) from None
        return CreateResult(volume.volume_id, self._outputs(props, volume))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            volume = session.client().get_volume(id_)
        except errors.NotFoundError:
            return ReadResult("", {})
        outs = self._outputs(props, volume)
        return ReadResult(id_, outs, self.inputs_from_state(outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        volume: Volume | None = None
        if _size(news["size_tib"]) != _size(olds.get("size_tib", 0)):
            session.client().update_volume(VolumeUpdateRequest(volume_id=id_, size_tib=_size(news["size_tib"])))
            progress(f"SharedVolume {news['volume_name']}: resizing to {_size(news['size_tib'])} TiB")
            volume = self._wait_usable(id_, news["volume_name"], news)
        else:
            volume = session.client().get_volume(id_)
        return UpdateResult(self._outputs(news, volume))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = session.client()
        name = props.get("volume_name", id_)
        timeout = float(props.get("delete_timeout_seconds") or 1800)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.delete_volume(id_)
                break
            except errors.NotFoundError:
                return
            except (errors.ConflictError, errors.InvalidRequestError) as exc:
                holder = _bound_to(id_)
                if holder is not None and holder[1] != "Deleting":
                    raise RuntimeError(
                        f"SharedVolume {name} ({id_}) is attached to cluster {holder[0]} (status {holder[1]}), "
                        "which this update does not delete. Delete or detach that cluster first."
                    ) from None
                if time.monotonic() >= deadline:
                    raise WaitTimeoutError(
                        f"SharedVolume {name} ({id_}) was still attached after {timeout:.0f}s: {exc.server_message}. "
                        "It is still in the stack state; run `pulumi destroy` again later."
                    ) from None
                progress(f"SharedVolume {name}: waiting for cluster {holder[0] if holder else '?'} to release it")
                time.sleep(2.0)
        poll_until(
            lambda: _get_or_none(id_),
            lambda v: v is None,
            describe=lambda v: "deleted" if v is None else v.status,
            label=f"SharedVolume {name} ({id_})",
            timeout_seconds=max(1.0, deadline - time.monotonic()),
            on_timeout=lambda v, t: (
                f"SharedVolume {name} ({id_}) still exists ({v.status if v else '?'}) after "
                f"{t:.0f}s of deletion; it stays in the stack state: run `pulumi destroy` again."
            ),
        )

    # --- helpers -------------------------------------------------------------------------------

    def _adopt(self, props: dict[str, Any]) -> Volume:
        volume_id = props["existing_volume_id"]
        try:
            volume = session.client().get_volume(volume_id)
        except errors.NotFoundError:
            raise ValueError(f"SharedVolume.existing_volume_id {volume_id} does not exist") from None
        declared = _size(props["size_tib"])
        if volume.size_tib > declared:
            raise ValueError(
                f"SharedVolume.existing_volume_id {volume_id} is {volume.size_tib} TiB, more than size_tib "
                f"{declared}; volumes cannot shrink, so declare size_tib >= {volume.size_tib}"
            )
        progress(f"SharedVolume: adopting existing volume {volume_id} ({volume.volume_name})")
        if volume.size_tib < declared:
            session.client().update_volume(VolumeUpdateRequest(volume_id=volume_id, size_tib=declared))
        return self._wait_usable(volume_id, volume.volume_name, props)

    def _wait_usable(self, volume_id: str, name: str, props: dict[str, Any]) -> Volume:
        timeout = float(props.get("ready_timeout_seconds") or 600)
        want = _size(props["size_tib"])
        result = poll_until(
            lambda: session.client().get_volume(volume_id),
            lambda v: v.status in _USABLE and v.size_tib >= want,
            describe=lambda v: f"{v.status}, {v.size_tib} TiB",
            label=f"SharedVolume {name} ({volume_id})",
            timeout_seconds=timeout,
            on_timeout=lambda v, t: (
                f"SharedVolume {name} ({volume_id}) is still {v.status} after {t:.0f}s (ready_timeout_seconds)"
            ),
            fail=lambda v: (
                f"SharedVolume {name} ({volume_id}) failed: status {v.status}"
                if v.status in (VolumeStatus.FAILED, VolumeStatus.DELETING)
                else None
            ),
        )
        return result

    @staticmethod
    def _cleanup_after_failed_create(volume_id: str, name: str, exc: Exception) -> str:
        try:
            session.client().delete_volume(volume_id)
            return f"{exc}. The new volume {volume_id} was deleted again, so nothing is left behind."
        except errors.NotFoundError:
            return f"{exc}. The new volume {volume_id} is already gone."
        except errors.TogetherError as cleanup:
            return (
                f"{exc}. Deleting the new volume {volume_id} failed too ({cleanup}); it is not in the stack "
                f"state: adopt it with existing_volume_id={volume_id!r} or delete it by hand."
            )

    def _outputs(self, props: dict[str, Any], volume: Volume) -> dict[str, Any]:
        outs = without_provider(props)
        outs.update(
            volume_id=volume.volume_id, status=volume.status, size_tib=volume.size_tib, volume_name=volume.volume_name
        )
        return outs


def _get_or_none(volume_id: str) -> Volume | None:
    try:
        return session.client().get_volume(volume_id)
    except errors.NotFoundError:
        return None


def _bound_to(volume_id: str) -> tuple[str, str] | None:
    """The (cluster id, status) of a cluster holding the volume, if any."""
    for cluster in session.client().list_clusters():
        if any(v.volume_id == volume_id for v in cluster.volumes):
            return cluster.cluster_id, cluster.status
    return None


@dataclass
class SharedVolumeArgs:
    """Arguments of :class:`SharedVolume`; see ``docs/reference.md`` for each field."""

    region: pulumi.Input[str]
    size_tib: pulumi.Input[int]
    volume_name: pulumi.Input[str] | None = None
    is_lifecycle_independent: pulumi.Input[bool] | None = None
    project_id: pulumi.Input[str] | None = None
    existing_volume_id: pulumi.Input[str] | None = None
    ready_timeout_seconds: pulumi.Input[int] | None = None
    delete_timeout_seconds: pulumi.Input[int] | None = None


class SharedVolume(Resource, module="together", name="SharedVolume"):
    """A Together shared volume. ``SharedVolume("data", region="us-central-8", size_tib=4)``."""

    volume_id: pulumi.Output[str]
    status: pulumi.Output[str]
    region: pulumi.Output[str]
    size_tib: pulumi.Output[int]
    volume_name: pulumi.Output[str]
    is_lifecycle_independent: pulumi.Output[bool]
    project_id: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: SharedVolumeArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        from .args import props_from_args

        props = props_from_args(SharedVolumeArgs, args, kwargs, VOLUME_FIELDS, "SharedVolume")
        props[AUTONAME_PREFIX] = resource_name
        super().__init__(SharedVolumeProvider(), resource_name, props, opts)
        # The resource id is the volume id, and unlike an output it stays known in the preview of an
        # update: a cluster wired to it is not shown as replaced while the volume grows.
        self.volume_id = self.id
