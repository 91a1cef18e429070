"""The policy pack: the rules of :mod:`.rules` as Pulumi CrossGuard policies (``pulumi_policy``).

``policy/__main__.py`` calls :func:`serve`. Resource rules run on the engine resource that holds a
GpuCluster's settings (its ``Cluster`` child, named like the GpuCluster) and on SharedVolumes, before
the engine creates or updates them: a mandatory violation stops ``pulumi preview`` and ``pulumi up``
before anything is made. Stack rules (GPUs and cost per stack) see every resource of the stack once
the program has run.

The engine hands ``pulumi_policy`` property bags that raise ``UnknownValueError`` when an unknown
value is read; :func:`plain_props` reads them into plain values with unknowns marked instead, so a
rule can judge what is known and say what is not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyPack,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from ..review.facts import ClusterFacts, VolumeFacts
from ..review.tokens import UNKNOWN, kind_of
from .rules import RULES, ClusterSubject, Outcome, Rule, VolumeSubject, config_schema

__all__ = ["PACK_NAME", "build_policies", "plain_props", "serve"]

PACK_NAME = "together"

_LEVELS = {
    "advisory": EnforcementLevel.ADVISORY,
    "mandatory": EnforcementLevel.MANDATORY,
    "disabled": EnforcementLevel.DISABLED,
}


def plain_props(value: Any) -> Any:
    """Plain dicts and lists from ``pulumi_policy``'s proxies, with :data:`UNKNOWN` where a value is unknown."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in value:
            try:
                out[str(key)] = plain_props(value[key])
            except UnknownValueError:
                out[str(key)] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items: list[Any] = []
        for i in range(len(value)):
            try:
                items.append(plain_props(value[i]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def _subject(
    resource_type: str, name: str, props: Any, protect: bool, urn: str
) -> ClusterSubject | VolumeSubject | None:
    kind = kind_of(resource_type)
    if kind == "GpuCluster":
        return ClusterSubject(ClusterFacts.from_props(name, plain_props(props)), protect, urn)
    if kind == "SharedVolume":
        return VolumeSubject(VolumeFacts.from_props(name, plain_props(props)), protect, urn)
    return None


class _NotKnownYet(UnknownValueError):
    """Values a rule needs are unknown during preview. The SDK's own message would read "string value
    at .<our list> can't be known", so the message names the values and when the rule runs instead."""

    def __init__(self, unknown: list[str]) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, unknown)
        verb = "is" if len(unknown) == 1 else "are"
        self.message = (
            f"{', '.join(unknown)} {verb} not known until `pulumi up`, which runs this policy with the values"
        )


def _report(outcome: Outcome, report: ReportViolation, not_applicable: Any, urn: str | None = None) -> None:
    for message in outcome.violations:
        report(message, urn)
    if outcome.violations:
        return
    if outcome.unknown:
        # The SDK's own way of saying "can't run this policy during preview" (an advisory note).
        raise _NotKnownYet(outcome.unknown)
    if outcome.not_applicable:
        not_applicable(outcome.not_applicable)


def _resource_policy(rule: Rule) -> ResourceValidationPolicy:
    check = rule.check
    assert check is not None

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if kind_of(args.resource_type) not in rule.kinds:
            return
        config = rule.parse_config(args.get_config())
        subject = _subject(args.resource_type, args.name, args.props, bool(args.opts.protect), args.urn)
        assert subject is not None
        _report(check(subject, config), report, args.not_applicable)

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=_LEVELS[rule.level],
        config_schema=PolicyConfigSchema(config_schema(rule.config)),
    )


def _subjects(resources: Sequence[PolicyResource]) -> tuple[list[ClusterSubject], list[VolumeSubject]]:
    clusters: list[ClusterSubject] = []
    volumes: list[VolumeSubject] = []
    for r in resources:
        subject = _subject(r.resource_type, r.name, r.props, bool(r.opts.protect), r.urn)
        if isinstance(subject, ClusterSubject):
            clusters.append(subject)
        elif isinstance(subject, VolumeSubject):
            volumes.append(subject)
    return clusters, volumes


def _stack_policy(rule: Rule) -> StackValidationPolicy:
    check = rule.stack_check
    assert check is not None

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        config = rule.parse_config(args.get_config())
        clusters, volumes = _subjects(args.resources)
        _report(check(clusters, volumes, config), report, args.not_applicable)

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=_LEVELS[rule.level],
        config_schema=PolicyConfigSchema(config_schema(rule.config)),
    )


def build_policies(rules: Sequence[Rule] = RULES) -> list[Policy]:
    """One ``pulumi_policy`` policy per rule."""
    return [_stack_policy(r) if r.stack_check is not None else _resource_policy(r) for r in rules]


def serve(name: str = PACK_NAME) -> None:
    """Serve the pack to the engine (blocks; what ``policy/__main__.py`` runs)."""
    PolicyPack(name=name, policies=build_policies(), enforcement_level=EnforcementLevel.ADVISORY)
