"""The pulumi_policy adapter: the rules as CrossGuard policies, fed the way the analyzer feeds them."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from together_pulumi.policy import RULES
from together_pulumi.policy.pack import build_policies, plain_props
from together_pulumi.review.tokens import CLUSTER_COMPONENT_TYPE, CLUSTER_TYPE, READINESS_TYPE, UNKNOWN, VOLUME_TYPE

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421"
STACK_URN = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"


def options(protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], STACK_URN)


def cluster_props(**settings: Any) -> dict[str, Any]:
    # What the analyzer hands over: checked inputs, numbers as floats, private inputs included.
    return {
        "_autoname_prefix": "train",
        "region": "us-central-8",
        "gpu_type": "H100_SXM",
        "num_gpus": 16.0,
        "billing_type": "ON_DEMAND",
        "cluster_name": "train-abc1234",
        "ready_timeout_seconds": 3600.0,
        **settings,
    }


def policy(name: str) -> Any:
    (found,) = [p for p in build_policies() if p.name == name]
    return found


def validate(
    name: str, type_: str, props: dict[str, Any], config: dict[str, Any] | None = None, *, protect: bool = False
) -> list[str]:
    reported: list[str] = []
    args = ResourceValidationArgs(
        type_,
        unknown_checking_proxy(props),
        f"urn:pulumi:dev::p::{type_}::train",
        "train",
        options(protect),
        None,
        config,
    )
    policy(name).validate(args, lambda message, urn=None: reported.append(message))
    return reported


def test_one_policy_per_rule_with_its_level_and_schema() -> None:
    policies = build_policies()
    assert [p.name for p in policies] == [r.name for r in RULES]
    levels = {p.name: p.enforcement_level for p in policies}
    assert levels["together-allowed-regions"] == EnforcementLevel.MANDATORY
    assert levels["together-protect-data-volumes"] == EnforcementLevel.ADVISORY
    assert levels["together-require-project-id"] == EnforcementLevel.DISABLED
    assert isinstance(policy("together-max-gpus-per-stack"), StackValidationPolicy)
    assert isinstance(policy("together-max-gpus-per-cluster"), ResourceValidationPolicy)
    assert policy("together-max-gpus-per-cluster").config_schema.properties["maxGpus"]["default"] == 64


def test_plain_props_reads_through_the_unknown_checking_proxy() -> None:
    proxied = unknown_checking_proxy(
        {"a": 1.0, "b": UNKNOWN_STRING, "c": {"d": UNKNOWN_NUMBER, "e": "x"}, "f": [UNKNOWN_STRING, 2.0]}
    )
    with pytest.raises(UnknownValueError):
        proxied["b"]
    assert plain_props(proxied) == {"a": 1.0, "b": UNKNOWN, "c": {"d": UNKNOWN, "e": "x"}, "f": [UNKNOWN, 2.0]}


def test_cluster_rules_run_on_the_child_that_holds_the_settings_only() -> None:
    props = cluster_props(num_gpus=128.0)
    assert validate("together-max-gpus-per-cluster", CLUSTER_TYPE, props) == [
        'GpuCluster "train": 128 GPUs (num_gpus 128) exceed the maximum of 64 GPUs per cluster (maxGpus).'
    ]
    assert validate("together-max-gpus-per-cluster", CLUSTER_TYPE, props, {"maxGpus": 128.0}) == []
    # the component, the readiness child (it carries num_gpus too) and volumes are not clusters to count
    for other in (CLUSTER_COMPONENT_TYPE, READINESS_TYPE, VOLUME_TYPE, "aws:s3/bucket:Bucket"):
        assert validate("together-max-gpus-per-cluster", other, props) == []


def test_protect_comes_from_the_resource_options() -> None:
    props = cluster_props(billing_type="RESERVED", duration_days=30.0)
    assert validate("together-protect-prepaid-clusters", CLUSTER_TYPE, props)
    assert validate("together-protect-prepaid-clusters", CLUSTER_TYPE, props, protect=True) == []


def test_volume_rules() -> None:
    props = {"region": "us-central-8", "size_tib": 2.0, "is_lifecycle_independent": False, "volume_name": "d"}
    (message,) = validate("together-volume-outlives-cluster", VOLUME_TYPE, props)
    assert message.startswith('SharedVolume "train": is_lifecycle_independent is false')


def test_unknown_values_are_reported_as_unknown_during_preview() -> None:
    props = cluster_props(region=UNKNOWN_STRING)
    with pytest.raises(UnknownValueError) as error:
        validate("together-allowed-regions", CLUSTER_TYPE, props, {"allowedRegions": ["us-west-2"]})
    # Pulumi shows: "can't run policy ... during preview: <this message>"; `pulumi up` runs the rule again
    # with the value known.
    assert error.value.message == (
        'region of GpuCluster "train" is not known until `pulumi up`, which runs this policy with the values'
    )


def test_unconfigured_rules_say_they_do_not_apply() -> None:
    with pytest.raises(Exception) as error:
        validate("together-allowed-regions", CLUSTER_TYPE, cluster_props())
    assert type(error.value).__name__ == "_NotApplicableError"
    assert getattr(error.value, "reason", None) == "no allowedRegions configured"


def test_config_errors_fail_the_policy() -> None:
    with pytest.raises(ValueError, match="policy together-allowed-regions: invalid config: regions: unknown key"):
        validate("together-allowed-regions", CLUSTER_TYPE, cluster_props(), {"regions": ["us-west-2"]})


def stack_resource(type_: str, name: str, props: dict[str, Any], protect: bool = False) -> PolicyResource:
    return PolicyResource(
        type_,
        unknown_checking_proxy(props),
        f"urn:pulumi:dev::p::{type_}::{name}",
        name,
        options(protect),
        None,
        None,
        [],
        {},
    )


def test_stack_rules_see_every_cluster_and_volume() -> None:
    resources = [
        stack_resource("pulumi:pulumi:Stack", "p-dev", {}),
        stack_resource(CLUSTER_COMPONENT_TYPE, "a", {}),
        stack_resource(CLUSTER_TYPE, "a", cluster_props(num_gpus=16.0)),
        stack_resource(READINESS_TYPE, "a-ready", {"num_gpus": 16.0, "cluster_id": "t-1"}),
        stack_resource(CLUSTER_TYPE, "b", cluster_props(num_gpus=24.0)),
        stack_resource(VOLUME_TYPE, "data", {"size_tib": 2.0, "region": "us-central-8"}),
    ]
    reported: list[tuple[str, str | None]] = []
    args = StackValidationArgs(resources, {"maxGpus": 32.0})
    policy("together-max-gpus-per-stack").validate(args, lambda m, urn=None: reported.append((m, urn)))
    assert reported == [
        (
            'The stack\'s clusters hold 40 GPUs (GpuCluster "b" 24, GpuCluster "a" 16), more than the maximum of '
            "32 GPUs per stack (maxGpus).",
            None,
        )
    ]
