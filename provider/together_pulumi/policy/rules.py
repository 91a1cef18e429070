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

The checks live by concern, each with its config model: :mod:`.allow_lists` (regions, GPU and
billing types, projects), :mod:`.limits` (GPUs, reservation length, cost), :mod:`.protection`
(prepaid clusters and data). This module holds the :class:`Rule` record and the pack's list of
rules, and re-exports what :mod:`.pack` and the tests import from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from pydantic import ValidationError

from ..review.tokens import Kind
from .allow_lists import (
    AllowedBillingTypesConfig,
    AllowedGpuTypesConfig,
    AllowedRegionsConfig,
    RequireProjectConfig,
    allowed_billing_types,
    allowed_gpu_types,
    allowed_regions,
    require_project,
)
from .config import NoConfig, PolicyConfigError, RuleConfig, config_schema
from .limits import (
    MaxGpusPerClusterConfig,
    MaxGpusPerStackConfig,
    MaxReservationConfig,
    MaxStackHourlyCostConfig,
    max_gpus_per_cluster,
    max_gpus_per_stack,
    max_reservation,
    max_stack_hourly_cost,
)
from .protection import ProtectPrepaidConfig, protect_prepaid, protect_volumes, volume_outlives_cluster
from .subjects import ClusterSubject, Outcome, Subject, VolumeSubject

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


# --- the pack ---------------------------------------------------------------------------------------

RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "together-allowed-regions",
        "GPU clusters and shared volumes must be in an allowed region.",
        "mandatory",
        AllowedRegionsConfig,
        kinds=("GpuCluster", "SharedVolume"),
        check=allowed_regions,
    ),
    Rule(
        "together-allowed-gpu-types",
        "GPU clusters must use an allowed GPU type.",
        "mandatory",
        AllowedGpuTypesConfig,
        kinds=("GpuCluster",),
        check=allowed_gpu_types,
    ),
    Rule(
        "together-allowed-billing-types",
        "GPU clusters must use an allowed billing type.",
        "mandatory",
        AllowedBillingTypesConfig,
        kinds=("GpuCluster",),
        check=allowed_billing_types,
    ),
    Rule(
        "together-max-gpus-per-cluster",
        "A GPU cluster may not hold more GPUs than the limit.",
        "mandatory",
        MaxGpusPerClusterConfig,
        kinds=("GpuCluster",),
        check=max_gpus_per_cluster,
    ),
    Rule(
        "together-max-gpus-per-stack",
        "The GPU clusters of a stack may not hold more GPUs together than the limit.",
        "mandatory",
        MaxGpusPerStackConfig,
        stack_check=max_gpus_per_stack,
    ),
    Rule(
        "together-protect-prepaid-clusters",
        "GPU clusters paid up front (RESERVED, SCHEDULED_CAPACITY) must be protected.",
        "mandatory",
        ProtectPrepaidConfig,
        kinds=("GpuCluster",),
        check=protect_prepaid,
    ),
    Rule(
        "together-require-project-id",
        "GPU clusters and shared volumes must name the project that owns them.",
        "disabled",
        RequireProjectConfig,
        kinds=("GpuCluster", "SharedVolume"),
        check=require_project,
    ),
    Rule(
        "together-volume-outlives-cluster",
        "Data must live on a SharedVolume that outlives its cluster (no inline shared_volume, "
        "is_lifecycle_independent true).",
        "mandatory",
        NoConfig,
        kinds=("GpuCluster", "SharedVolume"),
        check=volume_outlives_cluster,
    ),
    Rule(
        "together-protect-data-volumes",
        "Shared volumes hold data and should be protected.",
        "advisory",
        NoConfig,
        kinds=("SharedVolume",),
        check=protect_volumes,
    ),
    Rule(
        "together-max-reservation-days",
        "Reservations paid up front may not be longer than the limit without sign-off.",
        "advisory",
        MaxReservationConfig,
        kinds=("GpuCluster",),
        check=max_reservation,
    ),
    Rule(
        "together-max-stack-hourly-cost",
        "A stack's GPU clusters and volumes may not cost more per hour than the limit (with a rate card).",
        "mandatory",
        MaxStackHourlyCostConfig,
        stack_check=max_stack_hourly_cost,
    ),
)


def rule(name: str) -> Rule:
    """The rule called ``name``; the error lists the valid names."""
    for found in RULES:
        if found.name == name:
            return found
    raise KeyError(f"no policy {name!r}; policies: {', '.join(r.name for r in RULES)}")
