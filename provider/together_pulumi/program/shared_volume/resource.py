"""``SharedVolume``: a Together shared storage volume, attachable to clusters of its region.

A dynamic resource (its provider: ``host/volume/provider.py``) with one child, ``<name>-ready``
(:class:`.parts.VolumeReadinessPart`), that waits until the volume is usable: the volume is recorded
as soon as the API accepts it, so no wait that fails can orphan it. The field table is in
``model/volume/fields.py``; ``SharedVolumeArgs`` is generated from it (``program/args.py``). The
pickled provider names are in ``together_pulumi/pickled.py``.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from ...contract import DYNAMIC_MODULE, VOLUME_NAME, VOLUME_TYPE
from ...host.volume.provider import SharedVolumeProvider
from ...model.volume.fields import READINESS_INPUTS, VOLUME_FIELDS
from ..args import SharedVolumeArgs, SharedVolumeOutputs
from ..inputs import deleted_first, import_as_adoption, name_inputs, option_inputs, props_from_args
from ..name_claims import claim_name
from ..quiet_exit import quiet_interrupts
from ..volume_regions import remember_volume
from .parts import VolumeReadinessPart

__all__ = ["SharedVolume", "SharedVolumeArgs"]

TYPE_TOKEN = VOLUME_TYPE


class SharedVolume(Resource, SharedVolumeOutputs, module=DYNAMIC_MODULE, name=VOLUME_NAME):
    """A Together shared volume. ``SharedVolume("data", region="us-central-8", size_tib=4)``."""

    def __init__(
        self,
        resource_name: str,
        args: SharedVolumeArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        quiet_interrupts()
        props = props_from_args(SharedVolumeArgs, args, kwargs, VOLUME_FIELDS, f"SharedVolume {resource_name}")
        owner = f"SharedVolume {resource_name}"
        claim_name("volume", props.get("volume_name"), owner)
        opts = import_as_adoption(opts, props, "existing_volume_id", owner) or pulumi.ResourceOptions()
        props.update(name_inputs(resource_name, TYPE_TOKEN, opts.parent))
        props.update(option_inputs(opts))
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=deleted_first(opts)))
        super().__init__(SharedVolumeProvider(), resource_name, props, opts)
        # The resource id is the volume id, and unlike an output it stays known in the preview of an
        # update: a cluster wired to it is not shown as replaced while the volume grows.
        self.volume_id = self.id
        remember_volume(self.volume_id, owner, props.get("region"))
        from_volume = {"volume_id": self.id, "volume_name": self.volume_name, "size_tib": self.size_tib}
        ready = VolumeReadinessPart(
            f"{resource_name}-ready",
            {k: from_volume[k] if k in from_volume else props.get(k) for k in READINESS_INPUTS},
            pulumi.ResourceOptions(parent=self),
        )
        self.status = ready.status
