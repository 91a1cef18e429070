"""The readiness part of a SharedVolume: waits until the volume is usable at its declared size.

It waits after the create and after every resize (the size is among its inputs). A wait that fails,
an outage say, fails ``pulumi up`` with the volume still recorded by the volume part; the next
``up`` waits again and creates nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pulumi.dynamic import CreateResult, ReadResult

from ...api.enums import VolumeStatus
from ...model.volume.fields import READINESS_INPUTS, VOLUME_FIELDS
from .. import session
from ..provider_base import WaitingProvider, explained, without_provider
from ..shared_reads import SHARED_POLL_SECONDS, shared_poll
from ..waiting import poll_until

if TYPE_CHECKING:
    from ...api.models import Volume

__all__ = ["VolumeReadinessProvider"]

_USABLE = {VolumeStatus.AVAILABLE, VolumeStatus.BOUND}
_FAILED = {VolumeStatus.FAILED, VolumeStatus.DELETING, VolumeStatus.ACCESS_REVOKED}
_TIMEOUT_DEFAULT = next(f.default for f in VOLUME_FIELDS if f.name == "ready_timeout_seconds")


class VolumeReadinessProvider(WaitingProvider):
    """Waits until the volume is available (or bound) with at least the declared size."""

    __module__ = "together_pulumi.pickled"  # the frozen name stacks store: see together_pulumi/pickled.py

    waits_on: ClassVar[tuple[str, ...]] = READINESS_INPUTS

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"{props['volume_id']}-ready", self.wait(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        label = f"SharedVolume {props.get('volume_name') or props['volume_id']} ({props['volume_id']})"
        with explained(label, "read it", "pulumi refresh"):
            volume = session.client().find_volume(props["volume_id"])
        if volume is None:
            return ReadResult("", {})
        outs = {**without_provider(props), "status": volume.status}
        return ReadResult(id_, outs, self.recorded(outs))

    def wait(self, props: Mapping[str, Any]) -> dict[str, Any]:
        client = session.client()
        volume_id, want = props["volume_id"], int(props["size_tib"])
        label = f"SharedVolume {props.get('volume_name') or volume_id} ({volume_id})"

        def describe(v: Volume | None) -> str:
            return "gone" if v is None else f"{v.status}, {v.size_tib} TiB"

        def failed(v: Volume | None) -> str | None:
            if v is None:
                return f"{label} was deleted while waiting for it (outside Pulumi?); run `pulumi refresh`, then `up`"
            if v.status in _FAILED:
                return f"{label} is {v.status}: it will not become usable by itself; delete it and run `pulumi up`"
            return None

        listing = session.volumes_listing(props.get("project_id"), for_polls=True)
        fetch = shared_poll(listing, session.changes(), volume_id, _volume_id, client.find_volume)
        volume = poll_until(
            fetch,
            lambda v: v is not None and v.status in _USABLE and v.size_tib >= want,
            describe=describe,
            label=label,
            timeout_seconds=float(props.get("ready_timeout_seconds") or _TIMEOUT_DEFAULT),
            on_timeout=lambda v, t: (
                f"{label} is still {v.status if v else 'not answering'} after {t:.0f}s (ready_timeout_seconds). It is "
                "recorded in the stack state: run `pulumi up` again to resume waiting (no second volume is created)."
            ),
            fail=failed,
            clock=session.clock(),
            max_interval=SHARED_POLL_SECONDS / 10,
        )
        assert volume is not None
        return {**self.recorded(props), "status": volume.status}


def _volume_id(volume: Volume) -> str:
    return volume.volume_id
