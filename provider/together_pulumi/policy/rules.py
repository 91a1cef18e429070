"""The rules of the ``together`` policy pack, as plain functions over cluster and volume facts.

Each :class:`Rule` has a name (what ``--policy-pack-config`` keys on), a default enforcement level,
a config model (camelCase keys, every limit settable from the config file, unknown keys refused)
and a check. Checks see a :class:`ClusterSubject` / :class:`VolumeSubject` (the settings of one
GpuCluster or SharedVolume and whether it is ``protect``-ed), or for stack rules all of them, and
return an :class:`Outcome`: violation messages that name the resource by its user-facing name,
the value found and what is allowed. Nothing here imports ``pulumi_policy``: :mod:`.pack` adapts
these rules to it, and the tests call them directly.

Values that are not known until ``pulumi up`` (an output of another resource) cannot be judged in a
preview; checks list them in :attr:`Outcome.unknown` and the pack reports them as "can't run during
preview". The engine runs resource rules again at ``pulumi up``, when every input is known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from ..review.facts import ClusterFacts, InlineVolumeFacts, VolumeFacts, display
from ..review.ratecard import Cost, RateCard, RateCardError, cluster_hourly_cost, load_rate_card, volume_hourly_cost
from ..review.tokens import UNKNOWN, BillingType, GpuType, Kind, Unknown

__all__ = [
    "RULES",
    "ClusterSubject",
    "EnforcementLevelName",
    "Outcome",
    "PolicyConfigError",
    "Rule",
    "RuleConfig",
    "VolumeSubject",
    "config_schema",
    "rule",
]

EnforcementLevelName = Literal["advisory", "mandatory", "disabled"]


class PolicyConfigError(ValueError):
    """A policy's ``--policy-pack-config`` entry is not valid; the message names the policy and key."""


@dataclass(frozen=True)
class ClusterSubject:
    """One GpuCluster as a policy sees it: its settings, whether it is protected, and its engine URN."""

    facts: ClusterFacts
    protect: bool = False
    urn: str = ""

    @property
    def title(self) -> str:
        return f'GpuCluster "{self.facts.name}"'


@dataclass(frozen=True)
class VolumeSubject:
    """One SharedVolume as a policy sees it."""

    facts: VolumeFacts
    protect: bool = False
    urn: str = ""

    @property
    def title(self) -> str:
        return f'SharedVolume "{self.facts.name}"'


Subject = ClusterSubject | VolumeSubject


@dataclass
class Outcome:
    """What a check found: violation messages, and the settings it could not judge yet."""

    violations: list[str] = field(default_factory=list)
    #: ``region of GpuCluster "train"``: settings not known until ``pulumi up``.
    unknown: list[str] = field(default_factory=list)
    #: Set when the rule does not apply at all (e.g. no allowed list configured), with the reason.
    not_applicable: str | None = None


class RuleConfig(BaseModel):
    """Base of the rules' config models: camelCase keys in JSON, unknown keys refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class NoConfig(RuleConfig):
    """A rule with nothing to configure but its enforcement level."""


ResourceCheck = Callable[[Subject, Any], Outcome]
StackCheck = Callable[[Sequence[ClusterSubject], Sequence[VolumeSubject], Any], Outcome]


@dataclass(frozen=True)
class Rule:
    """One policy of the pack."""

    name: str
    description: str
    level: EnforcementLevelName
    config: type[RuleConfig]
    #: Resource rules: the kinds they look at, and their check. Stack rules: ``stack_check``.
    kinds: tuple[Kind, ...] = ()
    check: ResourceCheck | None = None
    stack_check: StackCheck | None = None

    def parse_config(self, raw: Mapping[str, Any] | None) -> Any:
        """This rule's config from ``--policy-pack-config`` (defaults already applied by the engine)."""
        values = {k: v for k, v in (raw or {}).items() if k != "enforcementLevel"}
        try:
            return self.config.model_validate(values)
        except ValidationError as exc:
            valid = ", ".join(f.alias or n for n, f in self.config.model_fields.items()) or "(none)"
            problems = []
            for error in exc.errors():
                key = ".".join(str(p) for p in error["loc"]) or "(config)"
                if error["type"] == "extra_forbidden":
                    problems.append(f"{key}: unknown key; valid keys: {valid}")
                else:
                    problems.append(f"{key}: {error['msg']} (got {error['input']!r})")
            raise PolicyConfigError(f"policy {self.name}: invalid config: " + "; ".join(problems)) from None


def config_schema(model: type[RuleConfig]) -> dict[str, dict[str, Any]]:
    """JSON-schema properties of a config model, as ``PolicyConfigSchema`` takes them (camelCase keys).

    Optional settings are given as their plain type without a default: the engine validates the
    config file against this schema and fills in defaults, and ``null`` is not a value a user writes.
    """
    schema = model.model_json_schema(by_alias=True)
    properties: dict[str, dict[str, Any]] = {}
    for key, prop in _inline_refs(schema.get("properties") or {}, schema.get("$defs") or {}).items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        options = prop.pop("anyOf", None)
        if options is not None:
            kept = [o for o in options if o.get("type") != "null"]
            prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
            if prop.get("default", 0) is None:
                del prop["default"]
        if isinstance(prop.get("items"), dict):
            prop["items"] = {k: v for k, v in prop["items"].items() if k != "title"}
        properties[key] = prop
    return properties


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with each ``$ref`` to ``defs`` replaced by what it names (the enums of GPU and billing
    types): a policy's config schema is validated on its own, without the model's ``$defs``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            named = defs[ref.removeprefix("#/$defs/")]
            return {k: _inline_refs(v, defs) for k, v in named.items() if k not in ("title", "description")}
        return {k: _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node


def _unknown(subject: Subject, *props: str) -> list[str]:
    facts = subject.facts
    return [f"{p} of {subject.title}" for p in props if isinstance(getattr(facts, p), Unknown)]


def _listing(values: Sequence[str]) -> str:
    return ", ".join(values)


# --- allowed regions ------------------------------------------------------------------------------


class AllowedRegionsConfig(RuleConfig):
    allowed_regions: list[str] = Field(
        default_factory=list, description="Regions clusters and volumes may be created in; empty: any region."
    )


def _allowed_regions(subject: Subject, config: AllowedRegionsConfig) -> Outcome:
    return _allow_list(subject, subject.facts.region, config.allowed_regions, "region", "allowedRegions", "regions")


def _allow_list(subject: Subject, value: Any, allowed: list[str], prop: str, key: str, what: str) -> Outcome:
    """An allow-list rule: not applied while the list is empty, a violation for a value not on it."""
    if not allowed:
        return Outcome(not_applicable=f"no {key} configured")
    if isinstance(value, Unknown):
        return Outcome(unknown=_unknown(subject, prop))
    if value not in allowed:
        return Outcome(
            [f"{subject.title}: {prop} {display(value)} is not allowed; allowed {what}: {_listing(allowed)}."]
        )
    return Outcome()


# --- allowed GPU types ----------------------------------------------------------------------------


class AllowedGpuTypesConfig(RuleConfig):
    allowed_gpu_types: list[GpuType] = Field(
        default_factory=list, description="GPU types clusters may use; empty: any type."
    )


def _allowed_gpu_types(subject: Subject, config: AllowedGpuTypesConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    allowed: list[str] = list(config.allowed_gpu_types)
    return _allow_list(subject, subject.facts.gpu_type, allowed, "gpu_type", "allowedGpuTypes", "GPU types")


# --- allowed billing types ------------------------------------------------------------------------


class AllowedBillingTypesConfig(RuleConfig):
    allowed_billing_types: list[BillingType] = Field(
        default_factory=list, description="Billing types clusters may use; empty: any."
    )


def _allowed_billing_types(subject: Subject, config: AllowedBillingTypesConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    allowed: list[str] = list(config.allowed_billing_types)
    return _allow_list(subject, subject.facts.billing, allowed, "billing_type", "allowedBillingTypes", "billing types")


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


def _max_gpus_per_cluster(subject: Subject, config: MaxGpusPerClusterConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    peak = subject.facts.peak_gpus
    if isinstance(peak, Unknown):
        return Outcome(
            unknown=_unknown(subject, "num_gpus", "auto_scale", "auto_scale_max_gpus", "num_preemptible_gpus")
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


def _max_gpus_per_stack(
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


# --- prepaid clusters must be protected -----------------------------------------------------------


_PREPAID: Final[tuple[BillingType, ...]] = (BillingType.RESERVED, BillingType.SCHEDULED_CAPACITY)


class ProtectPrepaidConfig(RuleConfig):
    billing_types: list[BillingType] = Field(
        default_factory=lambda: list(_PREPAID),
        description="Billing types paid up front, whose clusters must be protected.",
    )


def _protect_prepaid(subject: Subject, config: ProtectPrepaidConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    billing = subject.facts.billing
    if isinstance(billing, Unknown):
        return Outcome(unknown=_unknown(subject, "billing_type"))
    if billing in config.billing_types and not subject.protect:
        return Outcome(
            [
                f"{subject.title}: billing_type {billing} is paid up front, but the cluster is not protected; "
                "deleting or replacing it by mistake forfeits the reservation. Set "
                "opts=pulumi.ResourceOptions(protect=True) on it."
            ]
        )
    return Outcome()


# --- project ------------------------------------------------------------------------------------


class RequireProjectConfig(RuleConfig):
    allowed_projects: list[str] = Field(default_factory=list, description="If given, project_id must be one of these.")


def _require_project(subject: Subject, config: RequireProjectConfig) -> Outcome:
    project = subject.facts.project_id
    if isinstance(project, Unknown):
        return Outcome(unknown=_unknown(subject, "project_id"))
    if project is None:
        allowed = f" (one of {_listing(config.allowed_projects)})" if config.allowed_projects else ""
        return Outcome(
            [f"{subject.title}: project_id is not set; name the project that owns and pays for it{allowed}."]
        )
    if config.allowed_projects and project not in config.allowed_projects:
        return Outcome(
            [
                f"{subject.title}: project_id {display(project)} is not allowed; "
                f"allowed projects: {_listing(config.allowed_projects)}."
            ]
        )
    return Outcome()


# --- volumes outlive clusters ---------------------------------------------------------------------


def _volume_outlives_cluster(subject: Subject, config: NoConfig) -> Outcome:
    if isinstance(subject, ClusterSubject):
        inline = subject.facts.shared_volume
        if isinstance(inline, Unknown):
            return Outcome(unknown=_unknown(subject, "shared_volume"))
        if isinstance(inline, InlineVolumeFacts):
            name = f' "{display(inline.volume_name)}"' if inline.volume_name is not None else ""
            return Outcome(
                [
                    f"{subject.title}: declares an inline shared_volume{name} ({display(inline.size_tib)} TiB); "
                    "its data is tied to the cluster, and any change to it replaces the cluster. Declare a "
                    "together.SharedVolume and attach it with volume_id instead."
                ]
            )
        return Outcome()
    independent = subject.facts.is_lifecycle_independent
    if isinstance(independent, Unknown):
        return Outcome(unknown=_unknown(subject, "is_lifecycle_independent"))
    if independent is False:
        return Outcome(
            [
                f"{subject.title}: is_lifecycle_independent is false, so the volume and its data are deleted "
                "with the cluster it is attached to; set it to true (the default)."
            ]
        )
    return Outcome()


# --- data volumes protected -------------------------------------------------------------------------


def _protect_volumes(subject: Subject, config: NoConfig) -> Outcome:
    if not subject.protect:
        return Outcome(
            [
                f"{subject.title}: is not protected, so `pulumi destroy` or removing it from the program deletes "
                "its data; set opts=pulumi.ResourceOptions(protect=True) on it."
            ]
        )
    return Outcome()


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


def _max_reservation(subject: Subject, config: MaxReservationConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    days = _reservation_days(subject.facts)
    if isinstance(days, Unknown):
        return Outcome(
            unknown=_unknown(subject, "duration_days", "reservation_start_time", "reservation_end_time")
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


def _max_stack_hourly_cost(
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


# --- the pack ---------------------------------------------------------------------------------------

RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "together-allowed-regions",
        "GPU clusters and shared volumes must be in an allowed region.",
        "mandatory",
        AllowedRegionsConfig,
        kinds=("GpuCluster", "SharedVolume"),
        check=_allowed_regions,
    ),
    Rule(
        "together-allowed-gpu-types",
        "GPU clusters must use an allowed GPU type.",
        "mandatory",
        AllowedGpuTypesConfig,
        kinds=("GpuCluster",),
        check=_allowed_gpu_types,
    ),
    Rule(
        "together-allowed-billing-types",
        "GPU clusters must use an allowed billing type.",
        "mandatory",
        AllowedBillingTypesConfig,
        kinds=("GpuCluster",),
        check=_allowed_billing_types,
    ),
    Rule(
        "together-max-gpus-per-cluster",
        "A GPU cluster may not hold more GPUs than the limit.",
        "mandatory",
        MaxGpusPerClusterConfig,
        kinds=("GpuCluster",),
        check=_max_gpus_per_cluster,
    ),
    Rule(
        "together-max-gpus-per-stack",
        "The GPU clusters of a stack may not hold more GPUs together than the limit.",
        "mandatory",
        MaxGpusPerStackConfig,
        stack_check=_max_gpus_per_stack,
    ),
    Rule(
        "together-protect-prepaid-clusters",
        "GPU clusters paid up front (RESERVED, SCHEDULED_CAPACITY) must be protected.",
        "mandatory",
        ProtectPrepaidConfig,
        kinds=("GpuCluster",),
        check=_protect_prepaid,
    ),
    Rule(
        "together-require-project-id",
        "GPU clusters and shared volumes must name the project that owns them.",
        "disabled",
        RequireProjectConfig,
        kinds=("GpuCluster", "SharedVolume"),
        check=_require_project,
    ),
    Rule(
        "together-volume-outlives-cluster",
        "Data must live on a SharedVolume that outlives its cluster (no inline shared_volume, "
        "is_lifecycle_independent true).",
        "mandatory",
        NoConfig,
        kinds=("GpuCluster", "SharedVolume"),
        check=_volume_outlives_cluster,
    ),
    Rule(
        "together-protect-data-volumes",
        "Shared volumes hold data and should be protected.",
        "advisory",
        NoConfig,
        kinds=("SharedVolume",),
        check=_protect_volumes,
    ),
    Rule(
        "together-max-reservation-days",
        "Reservations paid up front may not be longer than the limit without sign-off.",
        "advisory",
        MaxReservationConfig,
        kinds=("GpuCluster",),
        check=_max_reservation,
    ),
    Rule(
        "together-max-stack-hourly-cost",
        "A stack's GPU clusters and volumes may not cost more per hour than the limit (with a rate card).",
        "mandatory",
        MaxStackHourlyCostConfig,
        stack_check=_max_stack_hourly_cost,
    ),
)


def rule(name: str) -> Rule:
    """The rule called ``name``; the error lists the valid names."""
    for found in RULES:
        if found.name == name:
            return found
    raise KeyError(f"no policy {name!r}; policies: {', '.join(r.name for r in RULES)}")
