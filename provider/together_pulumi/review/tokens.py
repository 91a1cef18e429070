"""Everything the review tools know about how the provider's resources look to the engine.

This is the only module of ``review`` and ``policy`` that names internal type tokens. A user never
has to: a ``GpuCluster`` is a component (``together:index:GpuCluster``) whose ``Cluster`` child
holds every input and carries the billing facts, and whose ``ClusterReadiness`` child only waits; a
``SharedVolume``'s ``VolumeReadiness`` child only waits too.
Reports always call a resource by its user-facing kind and name (``GpuCluster "train"``).

Also here: the GPU and billing types of the API (the provider's public contract, ``schema.json``),
and the engine's markers for values that are secret or not known yet.
"""

from __future__ import annotations

from typing import Any, Final, Literal, get_args

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
    "BillingTypeName",
    "GpuTypeName",
    "Kind",
    "PriceKind",
    "Unknown",
    "is_private_key",
    "is_secret",
    "is_unknown",
    "kind_of",
    "replacing_settings",
]

CLUSTER_COMPONENT_TYPE: Final = "together:index:GpuCluster"
#: The child that holds every user input of a GpuCluster; named like the component.
CLUSTER_TYPE: Final = "pulumi-python:dynamic/together:Cluster"
#: The child that waits for Ready (``<name>-ready``); it carries no billing facts.
READINESS_TYPE: Final = "pulumi-python:dynamic/together:ClusterReadiness"
VOLUME_TYPE: Final = "pulumi-python:dynamic/together:SharedVolume"
#: The SharedVolume's child that waits until it is usable (``<name>-ready``); no billing facts either.
VOLUME_READINESS_TYPE: Final = "pulumi-python:dynamic/together:VolumeReadiness"

Kind = Literal["GpuCluster", "SharedVolume"]

GPUS_PER_NODE: Final = 8

GpuTypeName = Literal[
    "H100_SXM", "H200_SXM", "B200_SXM", "B300_SXM", "GB200_SXM", "H100_SXM_INF", "RTX_6000_PCI", "L40_PCIE"
]
BillingTypeName = Literal["ON_DEMAND", "RESERVED", "SCHEDULED_CAPACITY"]
#: What a rate card prices per GPU-hour: the billing types, plus PREEMPTIBLE for preemptible GPUs.
PriceKind = Literal["ON_DEMAND", "RESERVED", "SCHEDULED_CAPACITY", "PREEMPTIBLE"]

GPU_TYPES: Final[tuple[str, ...]] = get_args(GpuTypeName)
BILLING_TYPES: Final[tuple[str, ...]] = get_args(BillingTypeName)
PRICE_KINDS: Final[tuple[str, ...]] = get_args(PriceKind)

#: How the engine spells a value that is not known during a preview (one per kind of value).
UNKNOWN_SENTINELS: Final = frozenset(
    {
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (also what previews print for any unknown)
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    }
)
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
    return value is UNKNOWN or (isinstance(value, str) and value in UNKNOWN_SENTINELS)


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
    from ..resources.cluster.fields import CLUSTER_FIELDS
    from ..resources.fields import Change
    from ..resources.volume.fields import VOLUME_FIELDS

    table = {CLUSTER_TYPE: CLUSTER_FIELDS, VOLUME_TYPE: VOLUME_FIELDS}.get(type_token, ())
    return frozenset(f.name for f in table if f.input and f.change is Change.REPLACE)
