"""Limit rules: how many GPUs, how long a reservation and how much per hour a stack may commit to.

GPU counts are taken at their peak (autoscaling and preemptible GPUs included), since that is what
can be billed. The cost rule prices the stack with the team's own rate card and fails closed: a
GPU type the card does not price is a violation, not a pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from pydantic import Field

from ..review.facts import ClusterFacts, display
from ..review.ratecard import Cost, RateCard, RateCardError, cluster_hourly_cost, load_rate_card, volume_hourly_cost
from ..review.tokens import UNKNOWN, Unknown
from .config import PolicyConfigError, RuleConfig
from .subjects import ClusterSubject, Outcome, Subject, VolumeSubject, unknown_settings

__all__ = [
    "MaxGpusPerClusterConfig",
    "MaxGpusPerStackConfig",
    "MaxReservationConfig",
    "MaxStackHourlyCostConfig",
    "max_gpus_per_cluster",
    "max_gpus_per_stack",
    "max_reservation",
    "max_stack_hourly_cost",
]


# --- GPU limits -----------------------------------------------------------------------------------


def _gpu_count_text(facts: ClusterFacts, peak: int) -> str:
    parts = [f"num_gpus {display(facts.num_gpus)}"]
    if facts.auto_scale and facts.auto_scale_max_gpus is not None:
        parts.append(f"auto_scale_max_gpus {display(facts.auto_scale_max_gpus)}")
    if facts.num_preemptible_gpus:
        parts.append(f"num_preemptible_gpus {display(facts.num_preemptible_gpus)}")
    return f"{peak} GPUs ({', '.join(parts)})"


class MaxGpusPerClusterConfig(RuleConfig):
    max_gpus: int = Field(64, ge=0, description="Most GPUs one cluster may hold, autoscaling and preemptible included.")


def max_gpus_per_cluster(subject: Subject, config: MaxGpusPerClusterConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    peak = subject.facts.peak_gpus
    if isinstance(peak, Unknown):
        return Outcome(
            unknown=unknown_settings(subject, "num_gpus", "auto_scale", "auto_scale_max_gpus", "num_preemptible_gpus")
        )
    if peak > config.max_gpus:
        return Outcome(
            [
                f"{subject.title}: {_gpu_count_text(subject.facts, peak)} exceed the maximum of "
                f"{config.max_gpus} GPUs per cluster (maxGpus)."
            ]
        )
    return Outcome()


class MaxGpusPerStackConfig(RuleConfig):
    max_gpus: int = Field(256, ge=0, description="Most GPUs all clusters of one stack may hold together.")


def max_gpus_per_stack(
    clusters: Sequence[ClusterSubject], volumes: Sequence[VolumeSubject], config: MaxGpusPerStackConfig
) -> Outcome:
    total, parts, unknown = 0, [], []
    for cluster in clusters:
        peak = cluster.facts.peak_gpus
        if isinstance(peak, Unknown):
            unknown.append(f"num_gpus of {cluster.title}")
            continue
        total += peak
        parts.append((peak, f"{cluster.title} {peak}"))
    if total > config.max_gpus:
        biggest = ", ".join(text for _, text in sorted(parts, key=lambda p: -p[0]))
        more = " at least" if unknown else ""
        return Outcome(
            [
                f"The stack's clusters hold{more} {total} GPUs ({biggest}), more than the maximum of "
                f"{config.max_gpus} GPUs per stack (maxGpus)."
            ]
        )
    return Outcome(unknown=unknown)


# --- reservation length ---------------------------------------------------------------------------


class MaxReservationConfig(RuleConfig):
    max_days: int = Field(30, ge=0, description="Longest RESERVED duration_days or SCHEDULED_CAPACITY window, in days.")


def _reservation_days(facts: ClusterFacts) -> float | Unknown | None:
    if facts.billing == "RESERVED":
        days = facts.duration_days
        return days if isinstance(days, int | Unknown) else None
    if facts.billing == "SCHEDULED_CAPACITY":
        start, end = facts.reservation_start_time, facts.reservation_end_time
        if isinstance(start, Unknown) or isinstance(end, Unknown):
            return UNKNOWN
        if not isinstance(start, str) or not isinstance(end, str):
            return None
        try:
            span = dt.datetime.fromisoformat(end.replace("Z", "+00:00")) - dt.datetime.fromisoformat(
                start.replace("Z", "+00:00")
            )
        except ValueError:
            return None
        return span.total_seconds() / 86400
    return None


def max_reservation(subject: Subject, config: MaxReservationConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    days = _reservation_days(subject.facts)
    if isinstance(days, Unknown):
        return Outcome(
            unknown=unknown_settings(subject, "duration_days", "reservation_start_time", "reservation_end_time")
            or [f"billing_type of {subject.title}"]
        )
    if days is not None and days > config.max_days:
        what = (
            f"duration_days {display(subject.facts.duration_days)}"
            if subject.facts.billing == "RESERVED"
            else f"a reservation of {days:g} days ({display(subject.facts.reservation_start_time)} to "
            f"{display(subject.facts.reservation_end_time)})"
        )
        return Outcome(
            [
                f"{subject.title}: {subject.facts.billing} with {what} commits to more than the maximum of "
                f"{config.max_days} days (maxDays)."
            ]
        )
    return Outcome()


# --- cost per stack -------------------------------------------------------------------------------


class MaxStackHourlyCostConfig(RuleConfig):
    max_hourly_cost: float | None = Field(
        None, ge=0, description="Most the stack's clusters and volumes may cost per hour, in the rate card's currency."
    )
    rate_card: str | None = Field(
        None, description="Path of the rate card YAML file; a relative path is taken from the policy pack's directory."
    )


def _card(path: str) -> RateCard:
    # The engine runs the pack in its own directory, so a relative path is taken from there.
    file = Path(path).expanduser()
    where = "" if file.is_absolute() else f" (relative paths are taken from the policy pack's directory, {Path.cwd()})"
    try:
        return load_rate_card(file if file.is_absolute() else Path.cwd() / file)
    except RateCardError as exc:
        raise PolicyConfigError(f"policy together-max-stack-hourly-cost: config rateCard: {exc}{where}") from None


def max_stack_hourly_cost(
    clusters: Sequence[ClusterSubject], volumes: Sequence[VolumeSubject], config: MaxStackHourlyCostConfig
) -> Outcome:
    if config.max_hourly_cost is None or config.rate_card is None:
        return Outcome(not_applicable="needs both maxHourlyCost and rateCard")
    card = _card(config.rate_card)
    total = Cost.zero()
    parts: list[tuple[Decimal, str]] = []
    for cluster in clusters:
        cost = cluster_hourly_cost(card, cluster.facts, num_gpus=cluster.facts.peak_gpus)
        total += cost
        if cost.amount is not None:
            parts.append((cost.amount, f"{cluster.title} {card.money(cost.amount)}"))
    for volume in volumes:
        cost = volume_hourly_cost(card, volume.facts)
        total += cost
        if cost.amount is not None:
            parts.append((cost.amount, f"{volume.title} {card.money(cost.amount)}"))
    limit = Decimal(str(config.max_hourly_cost))
    if total.amount is None:
        unknown = [m for m in total.missing if "not known until apply" in m]
        priceless = [m for m in total.missing if m not in unknown]
        if priceless:
            # Fail closed: a GPU type the card does not price would otherwise escape the cap.
            return Outcome(
                [f"The stack's cost cannot be checked against {card.money(limit)}/hour: " + "; ".join(priceless) + "."]
            )
        return Outcome(unknown=unknown)
    if total.amount > limit:
        biggest = ", ".join(text for _, text in sorted(parts, key=lambda p: -p[0])[:5])
        placeholder = " (PLACEHOLDER prices)" if card.placeholder else ""
        return Outcome(
            [
                f"The stack costs {card.money(total.amount)}/hour ({card.money(total.amount * 24)}/day) at its "
                f"peak GPU counts under rate card {config.rate_card}{placeholder}, more than the maximum of "
                f"{card.money(limit)}/hour (maxHourlyCost); largest: {biggest}."
            ]
        )
    return Outcome()
