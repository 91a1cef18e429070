"""What a stack holds, read from its exported state (``pulumi stack export`` through the Automation API).

Only the parts the team commands need: the clusters and volumes (ids, GPUs, region), protected
resources, pending operations (an interrupted update), and the stack config the last update ran
with. The config comes from the default dynamic provider's inputs, where the engine stores the
whole stack config (secret values stay ciphertext there and are never read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..review.facts import ClusterFacts, VolumeFacts
from ..review.tokens import CLUSTER_TYPE, VOLUME_TYPE

__all__ = ["DYNAMIC_PROVIDER_TYPE", "EXPIRES_AT", "HeldObject", "StackState", "read_state"]

#: The stack tag, or stack config key, that declares when a stack may be torn down.
EXPIRES_AT: Final = "together:expiresAt"
#: The default provider of every Python dynamic resource; its inputs are the stack config.
DYNAMIC_PROVIDER_TYPE: Final = "pulumi:providers:pulumi-python"


@dataclass(frozen=True)
class HeldObject:
    """A cluster or volume a stack's resource holds."""

    kind: str  # "cluster" or "volume"
    id: str
    name: str  # the resource's name in the stack
    num_gpus: int = 0
    region: str | None = None


@dataclass(frozen=True)
class StackState:
    """The facts of one stack's state."""

    objects: tuple[HeldObject, ...] = ()
    #: Other ids the stack refers to (volumes attached with volume_id, inline volumes of a cluster).
    referenced: frozenset[str] = frozenset()
    protected: tuple[str, ...] = ()  # names of protected resources
    pending: tuple[str, ...] = ()  # "creating gpu-abc" for each pending operation
    config: Mapping[str, str] = field(default_factory=dict)
    resource_count: int = 0

    @property
    def clusters(self) -> tuple[HeldObject, ...]:
        return tuple(o for o in self.objects if o.kind == "cluster")

    @property
    def volumes(self) -> tuple[HeldObject, ...]:
        return tuple(o for o in self.objects if o.kind == "volume")

    @property
    def gpus(self) -> int:
        return sum(o.num_gpus for o in self.clusters)

    def held_ids(self) -> frozenset[str]:
        """Every cluster and volume id the stack holds or refers to."""
        return frozenset(o.id for o in self.objects) | self.referenced


def _name(resource: Mapping[str, Any]) -> str:
    return str(resource.get("urn", "")).rsplit("::", 1)[-1]


def _held(resource: Mapping[str, Any]) -> HeldObject | None:
    type_, id_ = resource.get("type"), resource.get("id")
    if not id_ or resource.get("delete"):
        return None  # not created yet, or an old copy waiting for deletion after a replacement
    outputs = resource.get("outputs") or {}
    if type_ == CLUSTER_TYPE:
        facts = ClusterFacts.from_props(_name(resource), outputs)
        gpus = facts.gpus if isinstance(facts.gpus, int) else 0
        region = facts.region if isinstance(facts.region, str) else None
        return HeldObject("cluster", str(id_), facts.name, gpus, region)
    if type_ == VOLUME_TYPE:
        volume = VolumeFacts.from_props(_name(resource), outputs)
        return HeldObject("volume", str(id_), volume.name, 0, volume.region if isinstance(volume.region, str) else None)
    return None


def _references(resource: Mapping[str, Any]) -> set[str]:
    """Volume ids a cluster resource names: the one it attaches and the ones it reports attached."""
    if resource.get("type") != CLUSTER_TYPE:
        return set()
    found: set[str] = set()
    for props in (resource.get("inputs") or {}, resource.get("outputs") or {}):
        if isinstance(props.get("volume_id"), str):
            found.add(props["volume_id"])
        for volume in props.get("volumes") or []:
            if isinstance(volume, Mapping) and isinstance(volume.get("volume_id"), str):
                found.add(volume["volume_id"])
    return found


def _config(resources: list[Mapping[str, Any]]) -> dict[str, str]:
    """The plain (non-secret) stack config of the last update, from the default dynamic provider."""
    for resource in resources:
        if resource.get("type") == DYNAMIC_PROVIDER_TYPE and str(resource.get("urn", "")).endswith("::default"):
            inputs = resource.get("inputs") or {}
            return {str(k): v for k, v in inputs.items() if isinstance(v, str)}
    return {}


def _pending(deployment: Mapping[str, Any]) -> tuple[str, ...]:
    found = []
    for op in deployment.get("pending_operations") or []:
        resource = op.get("resource") or {}
        found.append(f"{op.get('type', 'pending')} {_name(resource) or resource.get('type', '?')}")
    return tuple(found)


def read_state(deployment: Mapping[str, Any] | None) -> StackState:
    """The facts of a stack from the ``deployment`` part of ``pulumi stack export`` (None: an empty stack)."""
    deployment = deployment or {}
    resources: list[Mapping[str, Any]] = list(deployment.get("resources") or [])
    objects = tuple(o for o in (_held(r) for r in resources) if o is not None)
    referenced: set[str] = set()
    for resource in resources:
        referenced |= _references(resource)
    protected = tuple(_name(r) for r in resources if r.get("protect"))
    return StackState(
        objects=objects,
        referenced=frozenset(referenced - {o.id for o in objects}),
        protected=protected,
        pending=_pending(deployment),
        config=_config(resources),
        resource_count=len(resources),
    )
