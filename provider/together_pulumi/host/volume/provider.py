"""The volume part of a SharedVolume: creates (or takes over) the volume, resizes, refreshes, deletes.

Like a cluster, it returns as soon as the API accepts a create, so the volume is in the stack state
before any waiting starts: a failed wait (an outage, say) leaves it recorded, never orphaned. The
readiness part waits (``readiness.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, UpdateResult

from ...api import errors
from ...api.enums import ClusterStatus, VolumeStatus
from ...model.fields import Field, Violation, from_engine, known, show
from ...model.volume.fields import VOLUME_FIELDS
from .. import session
from ..errors import ProviderError
from ..new_objects import creates_object, newly_stated
from ..provider_base import Named, announce_take_over, explained, uncertain_create_message, without_provider
from ..references import co_location_violations, default_project_note, project_violations
from ..table_provider import TableProvider
from ..waiting import WaitTimeoutError, poll_until, progress

if TYPE_CHECKING:
    from ...api.models import Volume

__all__ = ["SharedVolumeProvider"]

_RELEASE_POLL_SECONDS = 2.0


class SharedVolumeProvider(TableProvider):
    """Dynamic provider of ``SharedVolume``."""

    __module__ = "together_pulumi.pickled"  # the frozen name stacks store: see together_pulumi/pickled.py

    table: ClassVar[tuple[Field, ...]] = VOLUME_FIELDS
    public_type: ClassVar[str] = "SharedVolume"
    name_field: ClassVar[str] = "volume_name"
    adopt_field: ClassVar[str] = "existing_volume_id"
    id_field: ClassVar[str] = "volume_id"
    name_links: ClassVar[tuple[str, ...]] = ("project_id", "existing_volume_id")

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The table provider's checks, then the volume's placement when newly stated."""
        result = super().check(olds, news)
        if result.failures:
            return result
        olds, inputs = from_engine(olds), dict(result.inputs)
        near, found = inputs.get("instance_cluster_id"), []
        if near is not None and newly_stated(olds, near, olds.get("instance_cluster_id")):
            found = co_location_violations("instance_cluster_id", near, inputs.get("region"))
        return CheckResult(inputs, [CheckFailure(v.path, v.reason) for v in found])

    def checked_inputs(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """A volume about to be created without project_id goes to the default project (an existing one
        never moves: that would replace it; an adopted one keeps its own)."""
        inputs = super().checked_inputs(olds, news)
        project = session.default_project()
        if not creates_object(self.table, olds, inputs):
            default_project_note(self.public_type, self.label(inputs), news.get("project_id"), inputs.get("project_id"))
        elif inputs.get("project_id") is None and project and inputs.get(self.adopt_field) is None:
            inputs["project_id"] = project  # (an adopted object keeps its own)
        return inputs

    def api_rules(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[Violation]:
        return super().api_rules(olds, inputs) + project_violations("project_id", inputs.get("project_id"))

    def rules(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[Violation]:
        found = []
        if known(inputs, "size_tib") and known(olds, "size_tib") and inputs["size_tib"] < olds["size_tib"]:
            old, new = show(olds["size_tib"]), show(inputs["size_tib"])
            found.append(
                Violation(
                    "size_tib",
                    f"size_tib cannot shrink from {old} to {new} TiB: Together volumes only grow. Keep size_tib >= "
                    f"{old}, or make a new volume (a new resource, or a new volume_name; the old data is lost).",
                )
            )
        return found

    def catalog_rules(self, inputs: Mapping[str, Any], regions: Mapping[str, Any]) -> list[Violation]:
        if regions and known(inputs, "region") and inputs["region"] not in regions:
            valid = ", ".join(sorted(regions))
            return [Violation("region", f"region {inputs['region']!r} does not exist; valid regions: {valid}")]
        return []

    def lookup(self, object_id: str) -> Any:
        return session.client().find_volume(object_id)

    def adoption_problems(self, inputs: Mapping[str, Any], found: Any) -> list[str]:
        if known(inputs, "size_tib") and found.size_tib > inputs["size_tib"]:
            return [
                f"it is {found.size_tib} TiB, more than size_tib {show(inputs['size_tib'])}; volumes cannot shrink, "
                f"so declare size_tib >= {found.size_tib}"
            ]
        return []

    # --- create --------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        from ...api.models import VolumeCreateRequest

        name = str(props.get("volume_name") or props.get("existing_volume_id"))
        label = f"SharedVolume {name}"
        if props.get("existing_volume_id"):
            volume = self._adopt(props, str(props["existing_volume_id"]))
        elif (found := self.made_by_an_interrupted_create(props)) is not None:
            announce_take_over(label, "volume", found)
            volume = self._adopt(props, found)
        else:
            body = {
                f.name: props[f.name] for f in VOLUME_FIELDS if f.input and f.sent and props.get(f.name) is not None
            }
            listing = session.volumes_listing(props.get("project_id"))
            sent_at = listing.now()
            # An auto-name is this stack's alone: what the run's list shows under it is all there is.
            known = [v.volume_id for v in listing.get() if v.volume_name == body["volume_name"]]
            try:
                volume = session.client().create_volume(
                    VolumeCreateRequest.model_validate(body), known_before=known if self.is_auto_named(props) else None
                )
            except errors.UncertainCreateError as exc:
                session.volumes_listing(props.get("project_id")).invalidate()  # it may have landed
                raise ProviderError(uncertain_create_message(label, "existing_volume_id", exc)) from None
            except errors.APIStatusError as exc:
                raise ProviderError(f"{label}: the API refused the create: {exc}") from None
            progress(f"{label}: created {volume.volume_id} ({volume.status})")
            if not self.is_auto_named(props):  # (an auto-name is this stack's alone: see keep_first_of_its_name)
                self.keep_first_of_its_name(props, Named(volume.volume_id, str(volume.status)), sent_at)
        session.changes().changed(volume.volume_id)  # (its wait needs news from after this)
        return CreateResult(volume.volume_id, self._outputs(props, volume))

    def delete_object(self, object_id: str) -> None:
        session.client().delete_volume(object_id)

    def objects_named(self, name: str, project_id: Any, *, after: float = -math.inf) -> list[Named]:
        listed = session.volumes_listing(project_id).get(after=after)
        return [Named(v.volume_id, str(v.status)) for v in listed if v.volume_name == name and _live(v)]

    def still_named(self, found: Any, name: str) -> bool:
        return found is not None and found.volume_name == name and _live(found)

    def _adopt(self, props: Mapping[str, Any], volume_id: str) -> Volume:
        from ...api.models import VolumeUpdateRequest

        volume = session.client().find_volume(volume_id)
        if volume is None:
            raise ProviderError(f"SharedVolume: existing_volume_id {volume_id} does not exist")
        declared = int(props["size_tib"])
        problems = self.adoption_problems(props, volume)
        if problems:
            raise ProviderError(f"SharedVolume: volume {volume_id} cannot be adopted: {'; '.join(problems)}")
        progress(f"SharedVolume: adopting existing volume {volume_id} ({volume.volume_name})")
        if volume.size_tib < declared:
            volume = session.client().update_volume(VolumeUpdateRequest(volume_id=volume_id, size_tib=declared))
        return volume

    @staticmethod
    def _outputs(props: Mapping[str, Any], volume: Volume) -> dict[str, Any]:
        outs = without_provider(props)
        outs.update(
            volume_id=volume.volume_id, status=volume.status, size_tib=volume.size_tib, volume_name=volume.volume_name
        )
        return outs

    # --- refresh, update, delete ---------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with explained(f"SharedVolume {props.get('volume_name') or id_} ({id_})", "read it", "pulumi refresh"):
            volume = session.client().find_volume(id_)
        if volume is None:
            return ReadResult("", {})
        outs = self._outputs(props, volume)
        return ReadResult(id_, outs, self.refreshed_inputs(props, outs))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        from ...api.models import VolumeUpdateRequest

        client = session.client()
        size = int(news["size_tib"])
        label = f"SharedVolume {news['volume_name']} ({id_})"
        if size != int(olds.get("size_tib") or 0):
            try:
                volume = client.update_volume(VolumeUpdateRequest(volume_id=id_, size_tib=size))
            except errors.NotFoundError:
                raise ProviderError(
                    f"{label} no longer exists at the API (deleted outside Pulumi?), so it cannot be resized. Run "
                    "`pulumi refresh` to drop it from the stack state, or `pulumi up --refresh` to create it again."
                ) from None
            except errors.APIStatusError as exc:
                raise ProviderError(f"{label}: the API refused the resize to {size} TiB: {exc}") from None
            session.changes().changed(id_)
            progress(f"{label}: resizing to {size} TiB")
        else:
            volume = client.get_volume(id_)
        return UpdateResult(self._outputs(news, volume))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client, clock = session.client(), session.clock()
        label = f"SharedVolume {props.get('volume_name', id_)} ({id_})"
        timeout = float(self.setting(props, "delete_timeout_seconds"))
        deadline = clock.monotonic() + timeout
        while True:
            try:
                client.delete_volume(id_)
                break
            except errors.NotFoundError:
                return
            except (errors.ConflictError, errors.InvalidRequestError) as exc:
                holder = _bound_to(id_)
                if holder is not None and holder[1] != ClusterStatus.DELETING:
                    raise ProviderError(
                        f"{label} is attached to cluster {holder[0]} (status {holder[1]}), which this update does "
                        "not delete. Delete or detach that cluster first."
                    ) from None
                if clock.monotonic() >= deadline:
                    raise WaitTimeoutError(
                        f"{label} was still attached after {timeout:.0f}s: {exc.server_message}. It is still in the "
                        "stack state; run `pulumi destroy` again later."
                    ) from None
                progress(f"{label}: waiting for cluster {holder[0] if holder else '?'} to release it")
                clock.sleep(_RELEASE_POLL_SECONDS)
        poll_until(
            lambda: client.find_volume(id_),
            lambda v: v is None,
            describe=lambda v: "deleted" if v is None else v.status,
            # (deleting: still going; failed: the service gave up, so waiting longer cannot help)
            fail=lambda v: (
                f"{label}: the service reports its deletion failed (status {v.status}); it stays in the stack "
                "state. Check the volume in the Together console, then run `pulumi destroy` again."
                if v is not None and v.status == VolumeStatus.FAILED
                else None
            ),
            label=label,
            timeout_seconds=max(1.0, deadline - clock.monotonic()),
            on_timeout=lambda v, t: (
                f"{label} still exists ({v.status if v else '?'}) after {t:.0f}s of deletion; it stays in the stack "
                "state: run `pulumi destroy` again."
            ),
            clock=clock,
        )


def _live(volume: Volume) -> bool:
    """Not on its way out: a volume being deleted frees its name."""
    return str(volume.status) != VolumeStatus.DELETING


def _bound_to(volume_id: str) -> tuple[str, str] | None:
    """The (cluster id, status) of a cluster holding the volume, if any."""
    for cluster in session.client().list_clusters():
        if any(v.volume_id == volume_id for v in cluster.volumes):
            return cluster.cluster_id, cluster.status
    return None
