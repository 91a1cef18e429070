"""The child of a :class:`~.resource.SharedVolume`, as the program registers it.

A dynamic resource: its provider object is pickled into the state and runs in the provider host
(``together_pulumi.host.volume``). Its engine type name (``VolumeReadiness``) is stored in every
stack: see ``together_pulumi.contract``.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from ...contract import DYNAMIC_MODULE, VOLUME_READINESS_NAME
from ...host.volume.readiness import VolumeReadinessProvider

__all__ = ["VolumeReadinessPart"]


class VolumeReadinessPart(Resource, module=DYNAMIC_MODULE, name=VOLUME_READINESS_NAME):
    """Waits until the volume is usable at its declared size (:class:`VolumeReadinessProvider`)."""

    status: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(VolumeReadinessProvider(), name, {**props, "status": None}, opts)
