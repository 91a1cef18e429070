"""Allow-list rules: where clusters and volumes may run, on which GPUs and billing terms, for whom.

Each list is empty by default, and an empty list does not apply the rule: a platform team names
what it allows, and a stack without a config is not refused for a region nobody listed.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..review.facts import display
from ..review.tokens import BillingType, GpuType, Unknown
from .config import RuleConfig
from .subjects import ClusterSubject, Outcome, Subject, listing, unknown_settings

__all__ = [
    "AllowedBillingTypesConfig",
    "AllowedGpuTypesConfig",
    "AllowedRegionsConfig",
    "RequireProjectConfig",
    "allowed_billing_types",
    "allowed_gpu_types",
    "allowed_regions",
    "require_project",
]


# --- allowed regions ------------------------------------------------------------------------------


class AllowedRegionsConfig(RuleConfig):
    allowed_regions: list[str] = Field(
        default_factory=list, description="Regions clusters and volumes may be created in; empty: any region."
    )


def allowed_regions(subject: Subject, config: AllowedRegionsConfig) -> Outcome:
    return _allow_list(subject, subject.facts.region, config.allowed_regions, "region", "allowedRegions", "regions")


def _allow_list(subject: Subject, value: Any, allowed: list[str], prop: str, key: str, what: str) -> Outcome:
    """An allow-list rule: not applied while the list is empty, a violation for a value not on it."""
    if not allowed:
        return Outcome(not_applicable=f"no {key} configured")
    if isinstance(value, Unknown):
        return Outcome(unknown=unknown_settings(subject, prop))
    if value not in allowed:
        return Outcome(
            [f"{subject.title}: {prop} {display(value)} is not allowed; allowed {what}: {listing(allowed)}."]
        )
    return Outcome()


# --- allowed GPU types ----------------------------------------------------------------------------


class AllowedGpuTypesConfig(RuleConfig):
    allowed_gpu_types: list[GpuType] = Field(
        default_factory=list, description="GPU types clusters may use; empty: any type."
    )


def allowed_gpu_types(subject: Subject, config: AllowedGpuTypesConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    allowed: list[str] = list(config.allowed_gpu_types)
    return _allow_list(subject, subject.facts.gpu_type, allowed, "gpu_type", "allowedGpuTypes", "GPU types")


# --- allowed billing types ------------------------------------------------------------------------


class AllowedBillingTypesConfig(RuleConfig):
    allowed_billing_types: list[BillingType] = Field(
        default_factory=list, description="Billing types clusters may use; empty: any."
    )


def allowed_billing_types(subject: Subject, config: AllowedBillingTypesConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    allowed: list[str] = list(config.allowed_billing_types)
    return _allow_list(subject, subject.facts.billing, allowed, "billing_type", "allowedBillingTypes", "billing types")


# --- project ------------------------------------------------------------------------------------


class RequireProjectConfig(RuleConfig):
    allowed_projects: list[str] = Field(default_factory=list, description="If given, project_id must be one of these.")


def require_project(subject: Subject, config: RequireProjectConfig) -> Outcome:
    project = subject.facts.project_id
    if isinstance(project, Unknown):
        return Outcome(unknown=unknown_settings(subject, "project_id"))
    if project is None:
        allowed = f" (one of {listing(config.allowed_projects)})" if config.allowed_projects else ""
        return Outcome(
            [f"{subject.title}: project_id is not set; name the project that owns and pays for it{allowed}."]
        )
    if config.allowed_projects and project not in config.allowed_projects:
        return Outcome(
            [
                f"{subject.title}: project_id {display(project)} is not allowed; "
                f"allowed projects: {listing(config.allowed_projects)}."
            ]
        )
    return Outcome()
