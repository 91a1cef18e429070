"""What a GpuCluster or SharedVolume is, read from the engine's view of it (inputs, outputs, state).

The engine hands over loosely typed property bags: numbers as floats (``8.0``), values not known
yet as sentinel strings, secrets as signed objects or ``"[secret]"``. :func:`plain` turns such a bag
into plain Python; :class:`ClusterFacts` and :class:`VolumeFacts` pick out the settings that the
policy rules and the review reason about. Anything not known yet stays :data:`~.tokens.UNKNOWN`, so
callers can tell "not set" (``None``) from "not known until ``pulumi up``".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .tokens import GPUS_PER_NODE, UNKNOWN, Unknown, is_private_key, is_secret, is_unknown

__all__ = [
    "SECRET",
    "ClusterFacts",
    "InlineVolumeFacts",
    "MaybeBool",
    "MaybeInt",
    "MaybeStr",
    "Secret",
    "VolumeFacts",
    "display",
    "plain",
    "settings",
]

MaybeInt = int | Unknown | None
MaybeStr = str | Unknown | None
MaybeBool = bool | Unknown | None


class Secret:
    """A secret value: it is never shown, only named."""

    _instance: Secret | None = None

    def __new__(cls) -> Secret:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "[secret]"


SECRET: Final = Secret()


def plain(value: Any) -> Any:
    """``value`` as plain Python: dicts and lists, ints for integral numbers, :data:`UNKNOWN`, :data:`SECRET`."""
    if is_unknown(value):
        return UNKNOWN
    if is_secret(value) or isinstance(value, Secret):
        return SECRET
    if isinstance(value, bool) or value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str | int):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [plain(v) for v in value]
    return value


def settings(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """The user-facing settings of a property bag: plain values, without ``__provider`` and private keys."""
    return {k: plain(v) for k, v in (props or {}).items() if not is_private_key(k)}


def display(value: Any, *, limit: int = 60) -> str:
    """A short, secret-free rendering of one value for a report (``—`` when unset)."""
    value = plain(value)
    if value is None:
        return "—"
    if value is UNKNOWN:
        return "(known after apply)"
    if value is SECRET:
        return "[secret]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = f"{value:g}" if isinstance(value, float) else str(value)
    else:
        text = json.dumps(_masked(value), sort_keys=True)
    text = " ".join(text.split())  # one line, whatever the value held
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _masked(value: Any) -> Any:
    if value is SECRET:
        return "[secret]"
    if value is UNKNOWN:
        return "(known after apply)"
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _int(value: Any) -> MaybeInt:
    if value is UNKNOWN or value is None:
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _str(value: Any) -> MaybeStr:
    if value is UNKNOWN or value is None or isinstance(value, str):
        return value
    if value is SECRET:
        return "[secret]"
    return str(value)


def _bool(value: Any) -> MaybeBool:
    if value is UNKNOWN or value is None or isinstance(value, bool):
        return value
    return None


def add(*values: MaybeInt) -> int | Unknown:
    """The sum of counts, ``None`` counting as 0; :data:`UNKNOWN` if any is unknown."""
    total = 0
    for v in values:
        if v is UNKNOWN or isinstance(v, Unknown):
            return UNKNOWN
        total += v or 0
    return total


@dataclass(frozen=True)
class InlineVolumeFacts:
    """A ``shared_volume`` declared inside a GpuCluster (created, and maybe deleted, with it)."""

    size_tib: MaybeInt
    volume_name: MaybeStr
    #: Unset means the API's default, which keeps the volume when the cluster goes (true).
    is_lifecycle_independent: MaybeBool


@dataclass(frozen=True)
class ClusterFacts:
    """The settings of one GpuCluster that matter for limits, cost and review."""

    name: str
    region: MaybeStr = None
    gpu_type: MaybeStr = None
    num_gpus: MaybeInt = None
    cluster_type: MaybeStr = None
    billing_type: MaybeStr = None
    duration_days: MaybeInt = None
    reservation_start_time: MaybeStr = None
    reservation_end_time: MaybeStr = None
    num_reserved_gpus: MaybeInt = None
    num_preemptible_gpus: MaybeInt = None
    capacity_pool_id: MaybeStr = None
    num_capacity_pool_gpus: MaybeInt = None
    auto_scale: MaybeBool = None
    auto_scale_max_gpus: MaybeInt = None
    project_id: MaybeStr = None
    volume_id: MaybeStr = None
    #: UNKNOWN when the whole object is not known yet.
    shared_volume: InlineVolumeFacts | Unknown | None = None

    @classmethod
    def from_props(cls, name: str, props: Mapping[str, Any] | None) -> ClusterFacts:
        """Facts from the Cluster step's inputs or outputs (snake_case, as in state and previews)."""
        p = settings(props)
        inline = p.get("shared_volume")
        volume: InlineVolumeFacts | Unknown | None
        if inline is UNKNOWN:
            volume = UNKNOWN
        elif isinstance(inline, dict):
            volume = InlineVolumeFacts(
                size_tib=_int(inline.get("size_tib")),
                volume_name=_str(inline.get("volume_name")),
                is_lifecycle_independent=_bool(inline.get("is_lifecycle_independent")),
            )
        else:
            volume = None
        return cls(
            name=name,
            region=_str(p.get("region")),
            gpu_type=_str(p.get("gpu_type")),
            num_gpus=_int(p.get("num_gpus")),
            cluster_type=_str(p.get("cluster_type")),
            billing_type=_str(p.get("billing_type")),
            duration_days=_int(p.get("duration_days")),
            reservation_start_time=_str(p.get("reservation_start_time")),
            reservation_end_time=_str(p.get("reservation_end_time")),
            num_reserved_gpus=_int(p.get("num_reserved_gpus")),
            num_preemptible_gpus=_int(p.get("num_preemptible_gpus")),
            capacity_pool_id=_str(p.get("capacity_pool_id")),
            num_capacity_pool_gpus=_int(p.get("num_capacity_pool_gpus")),
            auto_scale=_bool(p.get("auto_scale")),
            auto_scale_max_gpus=_int(p.get("auto_scale_max_gpus")),
            project_id=_str(p.get("project_id")),
            volume_id=_str(p.get("volume_id")),
            shared_volume=volume,
        )

    @property
    def billing(self) -> str | Unknown:
        """The billing type, ON_DEMAND when not given (the provider's default)."""
        return self.billing_type if self.billing_type is not None else "ON_DEMAND"

    @property
    def gpus(self) -> int | Unknown:
        """GPUs the cluster holds as declared: ``num_gpus`` plus preemptible GPUs (requested besides it)."""
        return add(self.num_gpus, self.num_preemptible_gpus)

    @property
    def peak_gpus(self) -> int | Unknown:
        """The most GPUs it can hold: with ``auto_scale``, up to ``auto_scale_max_gpus`` (plus preemptible)."""
        if self.auto_scale is UNKNOWN:
            return UNKNOWN
        if self.auto_scale and self.auto_scale_max_gpus is not None:
            if isinstance(self.auto_scale_max_gpus, Unknown) or isinstance(self.num_gpus, Unknown):
                return UNKNOWN
            return add(max(self.auto_scale_max_gpus, self.num_gpus or 0), self.num_preemptible_gpus)
        return self.gpus

    @property
    def nodes(self) -> int | Unknown:
        gpus = self.num_gpus
        if gpus is None or isinstance(gpus, Unknown):
            return UNKNOWN if gpus is UNKNOWN else 0
        return -(-gpus // GPUS_PER_NODE)

    def describe(self) -> str:
        """One line: ``16 x H100_SXM in us-central-8, ON_DEMAND, KUBERNETES``."""
        parts = [
            f"{display(self.num_gpus)} x {display(self.gpu_type)} in {display(self.region)}",
            display(self.billing),
        ]
        if self.cluster_type is not None:
            parts.append(display(self.cluster_type))
        if self.num_preemptible_gpus:
            parts.append(f"+{display(self.num_preemptible_gpus)} preemptible")
        if self.auto_scale:
            parts.append(f"autoscale to {display(self.auto_scale_max_gpus)}")
        if isinstance(self.shared_volume, InlineVolumeFacts):
            parts.append(f"inline volume {display(self.shared_volume.size_tib)} TiB")
        return ", ".join(parts)


@dataclass(frozen=True)
class VolumeFacts:
    """The settings of one SharedVolume."""

    name: str
    region: MaybeStr = None
    size_tib: MaybeInt = None
    volume_name: MaybeStr = None
    is_lifecycle_independent: MaybeBool = None
    project_id: MaybeStr = None

    @classmethod
    def from_props(cls, name: str, props: Mapping[str, Any] | None) -> VolumeFacts:
        p = settings(props)
        return cls(
            name=name,
            region=_str(p.get("region")),
            size_tib=_int(p.get("size_tib")),
            volume_name=_str(p.get("volume_name")),
            is_lifecycle_independent=_bool(p.get("is_lifecycle_independent")),
            project_id=_str(p.get("project_id")),
        )

    def describe(self) -> str:
        return f"{display(self.size_tib)} TiB in {display(self.region)}"
