"""Protection rules: what a mistaken delete or replace must not take with it.

Prepaid clusters (the reservation is forfeited) and data (on a volume tied to its cluster, or on
an unprotected volume) are lost by one wrong ``pulumi up``; these rules ask for ``protect`` and
for volumes that outlive their clusters.
"""

from __future__ import annotations

from typing import Final

from pydantic import Field

from ..review.facts import InlineVolumeFacts, display
from ..review.tokens import BillingType, Unknown
from .config import NoConfig, RuleConfig
from .subjects import ClusterSubject, Outcome, Subject, unknown_settings

__all__ = ["ProtectPrepaidConfig", "protect_prepaid", "protect_volumes", "volume_outlives_cluster"]


# --- prepaid clusters must be protected -----------------------------------------------------------


_PREPAID: Final[tuple[BillingType, ...]] = (BillingType.RESERVED, BillingType.SCHEDULED_CAPACITY)


class ProtectPrepaidConfig(RuleConfig):
    billing_types: list[BillingType] = Field(
        default_factory=lambda: list(_PREPAID),
        description="Billing types paid up front, whose clusters must be protected.",
    )


def protect_prepaid(subject: Subject, config: ProtectPrepaidConfig) -> Outcome:
    assert isinstance(subject, ClusterSubject)
    billing = subject.facts.billing
    if isinstance(billing, Unknown):
        return Outcome(unknown=unknown_settings(subject, "billing_type"))
    if billing in config.billing_types and not subject.protect:
        return Outcome(
            [
                f"{subject.title}: billing_type {billing} is paid up front, but the cluster is not protected; "
                "deleting or replacing it by mistake forfeits the reservation. Set "
                "opts=pulumi.ResourceOptions(protect=True) on it."
            ]
        )
    return Outcome()


# --- volumes outlive clusters ---------------------------------------------------------------------


def volume_outlives_cluster(subject: Subject, config: NoConfig) -> Outcome:
    if isinstance(subject, ClusterSubject):
        inline = subject.facts.shared_volume
        if isinstance(inline, Unknown):
            return Outcome(unknown=unknown_settings(subject, "shared_volume"))
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
        return Outcome(unknown=unknown_settings(subject, "is_lifecycle_independent"))
    if independent is False:
        return Outcome(
            [
                f"{subject.title}: is_lifecycle_independent is false, so the volume and its data are deleted "
                "with the cluster it is attached to; set it to true (the default)."
            ]
        )
    return Outcome()


# --- data volumes protected -------------------------------------------------------------------------


def protect_volumes(subject: Subject, config: NoConfig) -> Outcome:
    if not subject.protect:
        return Outcome(
            [
                f"{subject.title}: is not protected, so `pulumi destroy` or removing it from the program deletes "
                "its data; set opts=pulumi.ResourceOptions(protect=True) on it."
            ]
        )
    return Outcome()
