"""The volume step of a SharedVolume: creates (or takes over) the volume, resizes, refreshes, deletes.

Like a cluster, it returns as soon as the API accepts a create, so the volume is in the stack state
before any waiting starts: a failed wait (an outage, say) leaves it recorded, never orphaned. The
readiness step waits (``readiness.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, UpdateResult

from ...api import errors
from ...api.enums import ClusterStatus
from .. import session
from ..errors import ProviderError
from ..fields import Field, Violation, from_engine, known, show
from ..linked import co_location_violations, creates_object, default_project_note, newly_stated, project_violations
from ..naming import name_problem
from ..provider import TableProvider, announce_take_over, explained, uncertain_create_message, without_provider
from ..waiting import WaitTimeoutError, poll_until, progress
from .fields import VOLUME_FIELDS

if TYPE_CHECKING:
    from ...api.models import Volume

__all__ = ["SharedVolumeProvider"]

_RELEASE_POLL_SECONDS = 2.0


class SharedVolumeProvider(TableProvider):
    """Dynamic provider of ``SharedVolume``."""

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

    def api_rules(self, inputs: Mapping[str, Any]) -> list[Violation]:
        return super().api_rules(inputs) + project_violations("project_id", inputs.get("project_id"))

    def rules(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[Violation]:
        found = []
        name = inputs.get("volume_name")
        if (
            inputs.get("existing_volume_id") is None
            and known(inputs, "volume_name")
            and (problem := name_problem(str(name)))
        ):
            found.append(Violation("volume_name", f"volume_name {problem}"))
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

    # --- create --------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        from ...api.models import VolumeCreateRequest

        name = str(props.get("volume_name") or props.get("existing_volume_id"))
        label = f"SharedVolume {name}"
        if props.get("existing_volume_id"):
            volume = self._adopt(props, str(props["existing_volume_id"]))
        elif (found := self._made_by_an_interrupted_create(props)) is not None:
            announce_take_over(label, "volume", found.volume_id)
            volume = self._adopt(props, found.volume_id)
        else:
            body = {
                f.name: props[f.name] for f in VOLUME_FIELDS if f.input and f.sent and props.get(f.name) is not None
            }
            try:
                volume = session.client().create_volume(VolumeCreateRequest.model_validate(body))
            except errors.UncertainCreateError as exc:
                raise ProviderError(uncertain_create_message(label, "existing_volume_id", exc)) from None
            except errors.APIStatusError as exc:
                raise ProviderError(f"{label}: the API refused the create: {exc}") from None
            progress(f"{label}: created {volume.volume_id} ({volume.status})")
        return CreateResult(volume.volume_id, self._outputs(props, volume))

    def _made_by_an_interrupted_create(self, props: Mapping[str, Any]) -> Volume | None:
        """A volume already carrying this resource's name (see the Cluster step's twin)."""
        name = props["volume_name"]
        found = [v for v in session.client().list_volumes(props.get("project_id")) if v.volume_name == name]
        if not found:
            return None
        if len(found) > 1 or not self.is_auto_named(props):
            ids = ", ".join(v.volume_id for v in found)
            raise ProviderError(
                f"SharedVolume {name}: a volume named {name} already exists ({ids}), not in this stack's state. If "
                f"an interrupted `pulumi up` of this stack made it, take it over: set existing_volume_id="
                f"{found[0].volume_id!r} on the resource and run `pulumi up`. Otherwise choose another volume_name."
            )
        return found[0]

    def _adopt(self, props: Mapping[str, Any], volume_id: str) -> Volume:
        from ...api.models import VolumeUpdateRequest

        volume = session.client().find_volume(volume_id)
        if volume is None:
            raise ProviderError(f"SharedVolume: existing_volume_id {volume_id} does not exist")
        declared = int(props["size_tib"])
        if volume.size_tib > declared:
            raise ProviderError(
                f"SharedVolume: volume {volume_id} is {volume.size_tib} TiB, more than size_tib {declared}; volumes "
                f"cannot shrink, so declare size_tib >= {volume.size_tib}"
            )
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
            label=label,
            timeout_seconds=max(1.0, deadline - clock.monotonic()),
            on_timeout=lambda v, t: (
                f"{label} still exists ({v.status if v else '?'}) after {t:.0f}s of deletion; it stays in the stack "
                "state: run `pulumi destroy` again."
            ),
            clock=clock,
        )


def _bound_to(volume_id: str) -> tuple[str, str] | None:
    """The (cluster id, status) of a cluster holding the volume, if any."""
    for cluster in session.client().list_clusters():
        if any(v.volume_id == volume_id for v in cluster.volumes):
            return cluster.cluster_id, cluster.status
    return None
