"""A rate card: the prices a team pays, kept by the team in a YAML file, and what clusters cost under it.

Together AI publishes no prices in its API, so nothing here knows a price: users copy them from
their contract or the pricing page. The card::

    currency: USD
    placeholder: false          # true: the numbers are made up (the shipped example); reports say so
    gpu_hour:                   # price of one GPU for one hour, by GPU type and billing type
      H100_SXM: {ON_DEMAND: 2.50, RESERVED: 2.00, SCHEDULED_CAPACITY: 2.20, PREEMPTIBLE: 1.25}
    storage_tib_month: 100      # price of one TiB of shared volume for one month (730 hours)

How a cluster is priced (per hour): ``num_gpus`` at its billing type's price; a RESERVED cluster
with ``num_reserved_gpus`` pays the RESERVED price for those and ON_DEMAND for the rest;
preemptible GPUs (requested besides ``num_gpus``) at PREEMPTIBLE; an inline ``shared_volume`` at the
storage price. GPUs drawn from a capacity pool are priced like the others (a card has no pool
prices). A price the card lacks makes that cost unknown, and reports name what is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .facts import ClusterFacts, InlineVolumeFacts, VolumeFacts
from .tokens import GPU_TYPES, PRICE_KINDS, GpuType, PriceKind, Unknown

__all__ = [
    "HOURS_PER_MONTH",
    "Cost",
    "RateCard",
    "RateCardError",
    "cluster_hourly_cost",
    "commitment",
    "load_rate_card",
    "parse_rate_card",
    "volume_hourly_cost",
]

#: Hours in a billing month (365 x 24 / 12), to turn a TiB-month price into an hourly one.
HOURS_PER_MONTH: Final = Decimal(730)
Price = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class RateCardError(ValueError):
    """A rate card that cannot be read or is not valid; the message names the file and every bad key."""


class RateCard(BaseModel):
    """Prices per GPU-hour (by GPU type and price kind) and per TiB-month of storage, in one currency."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = Field(min_length=1, description="Currency of every price, e.g. USD.")
    placeholder: bool = Field(False, description="True when the prices are made up (examples); reports say so.")
    gpu_hour: dict[GpuType, dict[PriceKind, Price]] = Field(
        description="Price of one GPU for one hour, by GPU type, then by price kind (billing type or PREEMPTIBLE)."
    )
    storage_tib_month: Price | None = Field(None, description="Price of one TiB of shared volume for one month.")

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return value.strip()

    def gpu_price(self, gpu_type: str, kind: str) -> Decimal | None:
        """The price of one GPU-hour, or None when the card has none."""
        prices: dict[str, Decimal] = dict(self.gpu_hour.get(gpu_type, {}))  # type: ignore[call-overload]
        return prices.get(kind)

    def money(self, amount: Decimal) -> str:
        """``1,234.50 USD``."""
        return f"{amount:,.2f} {self.currency}"


@dataclass(frozen=True)
class Cost:
    """An hourly (or total) amount, or None with the reasons it cannot be told."""

    amount: Decimal | None
    missing: tuple[str, ...] = ()

    @staticmethod
    def zero() -> Cost:
        return Cost(Decimal(0))

    def __add__(self, other: Cost) -> Cost:
        if self.amount is None or other.amount is None:
            return Cost(None, _unique(self.missing + other.missing))
        return Cost(self.amount + other.amount)

    def __sub__(self, other: Cost) -> Cost:
        if self.amount is None or other.amount is None:
            return Cost(None, _unique(self.missing + other.missing))
        return Cost(self.amount - other.amount)


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _gpu_part(card: RateCard, name: str, gpu_type: Any, kind: str, count: int) -> Cost:
    if count == 0:
        return Cost.zero()
    if not isinstance(gpu_type, str):
        return Cost(None, (f'GpuCluster "{name}": gpu_type is not known until apply',))
    price = card.gpu_price(gpu_type, kind)
    if price is None:
        return Cost(None, (f"the rate card has no gpu_hour price for {gpu_type} {kind}",))
    return Cost(price * count)


def _storage(card: RateCard, what: str, size_tib: Any) -> Cost:
    if size_tib is None or size_tib == 0:
        return Cost.zero()
    if isinstance(size_tib, Unknown):
        return Cost(None, (f"{what}: size_tib is not known until apply",))
    if card.storage_tib_month is None:
        return Cost(None, ("the rate card has no storage_tib_month price",))
    return Cost(card.storage_tib_month * size_tib / HOURS_PER_MONTH)


def cluster_hourly_cost(card: RateCard, cluster: ClusterFacts, *, num_gpus: int | Unknown | None = None) -> Cost:
    """What ``cluster`` costs per hour under ``card`` (``num_gpus`` overrides its own, e.g. its autoscale peak)."""
    gpus = cluster.num_gpus if num_gpus is None else num_gpus
    what = f'GpuCluster "{cluster.name}"'
    unknown = [
        label
        for label, value in (
            ("num_gpus", gpus),
            ("billing_type", cluster.billing),
            ("num_reserved_gpus", cluster.num_reserved_gpus),
            ("num_preemptible_gpus", cluster.num_preemptible_gpus),
        )
        if isinstance(value, Unknown)
    ]
    if unknown:
        return Cost(None, tuple(f"{what}: {label} is not known until apply" for label in unknown))
    assert not isinstance(gpus, Unknown) and not isinstance(cluster.num_reserved_gpus, Unknown)
    assert not isinstance(cluster.num_preemptible_gpus, Unknown)
    total = gpus or 0
    billing = str(cluster.billing)
    cost = Cost.zero()
    if billing == "RESERVED":
        reserved = total if cluster.num_reserved_gpus is None else min(cluster.num_reserved_gpus, total)
        cost += _gpu_part(card, cluster.name, cluster.gpu_type, "RESERVED", reserved)
        cost += _gpu_part(card, cluster.name, cluster.gpu_type, "ON_DEMAND", total - reserved)
    else:
        cost += _gpu_part(card, cluster.name, cluster.gpu_type, billing, total)
    cost += _gpu_part(card, cluster.name, cluster.gpu_type, "PREEMPTIBLE", cluster.num_preemptible_gpus or 0)
    if isinstance(cluster.shared_volume, Unknown):
        cost += Cost(None, (f"{what}: shared_volume is not known until apply",))
    elif isinstance(cluster.shared_volume, InlineVolumeFacts):
        cost += _storage(card, f"{what} shared_volume", cluster.shared_volume.size_tib)
    return cost


def volume_hourly_cost(card: RateCard, volume: VolumeFacts) -> Cost:
    """What ``volume`` costs per hour under ``card``."""
    return _storage(card, f'SharedVolume "{volume.name}"', volume.size_tib)


def _hours_between(start: Any, end: Any) -> Decimal | None:
    if not isinstance(start, str) or not isinstance(end, str):
        return None
    try:
        begin = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
        finish = dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
    return Decimal(max(0, int((finish - begin).total_seconds()))) / 3600


def commitment(card: RateCard, cluster: ClusterFacts) -> tuple[Cost, str] | None:
    """What a RESERVED or SCHEDULED_CAPACITY cluster commits to up front, with the period; None otherwise.

    RESERVED: the reserved GPUs for ``duration_days``; SCHEDULED_CAPACITY: all GPUs between the
    reservation's start and end.
    """
    billing = cluster.billing
    if billing == "RESERVED":
        days = cluster.duration_days
        if not isinstance(days, int):
            return Cost(None, (f'GpuCluster "{cluster.name}": duration_days is not known',)), "the reservation"
        reserved = cluster.num_reserved_gpus if cluster.num_reserved_gpus is not None else cluster.num_gpus
        if not isinstance(reserved, int) or not isinstance(cluster.num_gpus, int):
            return Cost(None, (f'GpuCluster "{cluster.name}": num_gpus is not known until apply',)), f"{days} days"
        part = _gpu_part(card, cluster.name, cluster.gpu_type, "RESERVED", min(reserved, cluster.num_gpus))
        return Cost(None if part.amount is None else part.amount * 24 * days, part.missing), f"{days} days"
    if billing == "SCHEDULED_CAPACITY":
        hours = _hours_between(cluster.reservation_start_time, cluster.reservation_end_time)
        if hours is None or not isinstance(cluster.num_gpus, int):
            return Cost(None, (f'GpuCluster "{cluster.name}": the reservation times are not known',)), "the reservation"
        part = _gpu_part(card, cluster.name, cluster.gpu_type, "SCHEDULED_CAPACITY", cluster.num_gpus)
        return Cost(None if part.amount is None else part.amount * hours, part.missing), f"{hours:.0f} hours"
    return None


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p != "[key]"]
    return ".".join(parts) or "(top level)"


def parse_rate_card(data: Any, source: str = "rate card") -> RateCard:
    """A :class:`RateCard` from parsed YAML; :class:`RateCardError` names every bad key and what is valid."""
    if not isinstance(data, dict):
        raise RateCardError(
            f"{source}: expected a mapping with currency, gpu_hour and storage_tib_month; got {type(data).__name__}"
        )
    try:
        return RateCard.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = error["loc"]
            where = _location(loc)
            kind = error["type"]
            if loc and loc[-1] == "[key]" and len(loc) >= 2 and loc[0] == "gpu_hour":
                valid = ", ".join(GPU_TYPES) if len(loc) == 3 else ", ".join(PRICE_KINDS)
                what = "GPU type" if len(loc) == 3 else "price kind"
                lines.append(f"{where}: unknown {what} {error['input']!r}; valid: {valid}")
            elif kind == "extra_forbidden":
                lines.append(f"{where}: unknown key; valid keys: {', '.join(RateCard.model_fields)}")
            elif kind == "missing":
                lines.append(f"{where}: required")
            else:
                lines.append(f"{where}: {error['msg']} (got {error['input']!r})")
        raise RateCardError(f"{source} is not valid:\n  " + "\n  ".join(lines)) from None


def load_rate_card(path: str | Path) -> RateCard:
    """Read and validate a rate card YAML file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise RateCardError(f"rate card {file}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RateCardError(f"rate card {file}: not valid YAML: {exc}") from None
    return parse_rate_card(data, f"rate card {file}")
