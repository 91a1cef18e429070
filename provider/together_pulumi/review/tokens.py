"""Everything the review tools know about how the provider's resources look to the engine.

This is the only module of ``review`` and ``policy`` that names internal type tokens. A user never
has to: a ``GpuCluster`` is a component (``together:index:GpuCluster``) whose ``Cluster`` child
holds every input and carries the billing facts, and whose ``ClusterReadiness`` child only waits; a
``SharedVolume``'s ``VolumeReadiness`` child only waits too.
Reports always call a resource by its user-facing kind and name (``GpuCluster "train"``).

The type tokens, the GPU and billing types and the engine's placeholders for unknown values come
from :mod:`..contract` (one source for the provider, the review and the policy pack); what is here is
how the review reads them.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from ..api.enums import BillingType, GpuType
from ..contract import (
    BILLING_TYPES,
    CLUSTER_TYPE,
    GPU_CLUSTER_TYPE,
    GPU_TYPES,
    GPUS_PER_NODE,
    READINESS_TYPE,
    UNKNOWN_SENTINELS,
    VOLUME_READINESS_TYPE,
    VOLUME_TYPE,
    is_engine_unknown,
)

__all__ = [
    "BILLING_TYPES",
    "CLUSTER_COMPONENT_TYPE",
    "CLUSTER_TYPE",
    "GPUS_PER_NODE",
    "GPU_TYPES",
    "PRICE_KINDS",
    "READINESS_TYPE",
    "SECRET_SIG",
    "UNKNOWN",
    "UNKNOWN_SENTINELS",
    "VOLUME_READINESS_TYPE",
    "VOLUME_TYPE",
    "BillingType",
    "GpuType",
    "Kind",
    "PriceKind",
    "Unknown",
    "is_private_key",
    "is_secret",
    "is_unknown",
    "kind_of",
    "replacing_settings",
]

#: The component a user declares; its ``Cluster`` child (:data:`CLUSTER_TYPE`) holds every input.
CLUSTER_COMPONENT_TYPE: Final = GPU_CLUSTER_TYPE

Kind = Literal["GpuCluster", "SharedVolume"]

#: What a rate card prices per GPU-hour: the billing types, plus PREEMPTIBLE for preemptible GPUs.
PriceKind = Literal["ON_DEMAND", "RESERVED", "SCHEDULED_CAPACITY", "PREEMPTIBLE"]
PRICE_KINDS: Final[tuple[str, ...]] = (*BILLING_TYPES, "PREEMPTIBLE")

#: The key (and value) that mark a secret object in engine JSON: {SIG: SECRET_VALUE, "ciphertext"|"plaintext"|...}.
SECRET_SIG: Final = "4dabf18193072939515e22adb298388d"
_SECRET_VALUE: Final = "1b47061264138c4ac30d75fd1eb44270"

_KINDS: Final[dict[str, Kind]] = {CLUSTER_TYPE: "GpuCluster", VOLUME_TYPE: "SharedVolume"}


class Unknown:
    """A value the engine does not know yet (it is computed during ``pulumi up``)."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is a not-yet-known value (the engine's sentinel or :data:`UNKNOWN`)."""
    return value is UNKNOWN or is_engine_unknown(value)


def is_secret(value: Any) -> bool:
    """Whether ``value`` is a secret as the engine writes it: a signed object, or ``"[secret]"`` in previews."""
    if value == "[secret]":
        return True
    return isinstance(value, dict) and value.get(SECRET_SIG) == _SECRET_VALUE


def is_private_key(key: str) -> bool:
    """Inputs that are machinery, not settings: the pickled provider (``__provider``) and ``_``-prefixed ones."""
    return key.startswith("_")


def kind_of(type_token: str) -> Kind | None:
    """The user-facing kind of the engine resource that carries a GpuCluster's or SharedVolume's facts."""
    return _KINDS.get(type_token)


def replacing_settings(type_token: str) -> frozenset[str]:
    """The settings whose change replaces the resource (from the provider's field tables): what a
    review marks as forcing a replacement when the engine gives no reasons, as it does for a resource
    replaced because a resource it depends on is deleted before its replacement."""
    from ..model.cluster.fields import CLUSTER_FIELDS
    from ..model.fields import Change
    from ..model.volume.fields import VOLUME_FIELDS

    table = {CLUSTER_TYPE: CLUSTER_FIELDS, VOLUME_TYPE: VOLUME_FIELDS}.get(type_token, ())
    return frozenset(f.name for f in table if f.input and f.change is Change.REPLACE)
