"""The ``policy/`` pack through the real engine: ``pulumi preview`` and ``pulumi up`` with
``--policy-pack policy --policy-pack-config <file>`` on a compliant and a violating program.

Mandatory violations fail the preview and ``up`` and create nothing; advisory ones only warn; a
config file changes limits and enforcement levels; the rate card path in the config is resolved
from the pack's directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator_process import EmulatorProcess

from . import harness as h
from .policy_output import PolicyViolation, policy_violations
from .pulumi_cli import ProgramStack

pytestmark = pytest.mark.e2e

PACK = h.ROOT / "policy"

#: A volume and one or two clusters, every setting the rules look at from stack config.
POLICY_PROGRAM = '''\
"""A SharedVolume, a GpuCluster attached to it, and optionally a second cluster (policy e2e test)."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
region = config.get("region") or "us-central-8"
gpu_type = config.get("gpuType") or "H100_SXM"
data = together.SharedVolume("data", region=region, size_tib=2)
billing = config.get("billingType") or "ON_DEMAND"
together.GpuCluster(
    "train",
    region=region,
    gpu_type=gpu_type,
    num_gpus=config.get_int("numGpus") or 8,
    billing_type=billing,
    duration_days=30 if billing == "RESERVED" else None,
    volume_id=data.volume_id,
    opts=pulumi.ResourceOptions(protect=config.get_bool("protect") or False),
)
if config.get_int("batchGpus"):
    together.GpuCluster("batch", region=region, gpu_type=gpu_type, num_gpus=config.get_int("batchGpus"))
'''

#: What a platform team would keep next to its stacks. The rate card path is relative to the pack.
TEAM_CONFIG: dict[str, Any] = {
    "together-allowed-regions": {"allowedRegions": ["us-central-8"]},
    "together-allowed-gpu-types": {"allowedGpuTypes": ["H100_SXM", "H200_SXM"]},
    "together-max-gpus-per-cluster": {"maxGpus": 16},
    "together-max-gpus-per-stack": {"maxGpus": 24},
    "together-max-stack-hourly-cost": {"maxHourlyCost": 30, "rateCard": "../examples/rate-card.yaml"},
}


def _config_file(tmp_path: Path, name: str, config: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(config, indent=2))
    return path


def _with_pack(config_file: Path) -> tuple[str, ...]:
    return ("--policy-pack", str(PACK), "--policy-pack-config", str(config_file))


def _by_policy(violations: list[PolicyViolation]) -> dict[str, list[PolicyViolation]]:
    found: dict[str, list[PolicyViolation]] = {}
    for v in violations:
        found.setdefault(v.policy, []).append(v)
    return found


def _stack(tmp_path: Path, emu: EmulatorProcess, engine_bin: Path, config: dict[str, str]) -> ProgramStack:
    return h.program_stack(tmp_path, emu, engine_bin, source=POLICY_PROGRAM, config=config)


def test_compliant_stack_is_created_and_advisory_rules_warn(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = _stack(tmp_path, emu, engine_bin, {})
    config = _config_file(tmp_path, "policy-config.json", TEAM_CONFIG)

    result = stack.up(*_with_pack(config))

    violations = policy_violations(result.output)
    # The volume is not protected: advisory, so it only warns.
    assert [(v.level, v.policy) for v in violations] == [("advisory", "together-protect-data-volumes")], result.output
    assert 'SharedVolume "data": is not protected' in violations[0].text
    assert len(h.clusters(emu)) == 1 and len(h.volumes(emu)) == 1
    assert h.only_cluster(emu)["status"] == "Ready"


def test_violations_fail_preview_and_up_and_create_nothing(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    # us-central-4 offers H100_SXM_INF: the provider accepts it, the team's rules do not.
    stack = _stack(
        tmp_path,
        emu,
        engine_bin,
        {
            "region": "us-central-4",
            "gpuType": "H100_SXM_INF",
            "numGpus": "32",
            "billingType": "RESERVED",
            "batchGpus": "16",
        },
    )
    config = _config_file(tmp_path, "policy-config.json", TEAM_CONFIG)

    preview = stack.pulumi("preview", *_with_pack(config), check=False)

    assert preview.returncode != 0, preview.output
    found = _by_policy(policy_violations(preview.output))
    texts = {policy: [v.text for v in vs] for policy, vs in found.items()}
    assert {v.level for vs in found.values() for v in vs if v.policy != "together-protect-data-volumes"} == {
        "mandatory"
    }, texts
    region = texts["together-allowed-regions"]
    for who in ('GpuCluster "train"', 'GpuCluster "batch"', 'SharedVolume "data"'):
        assert any(f"{who}: region us-central-4 is not allowed; allowed regions: us-central-8." in t for t in region), (
            region
        )
    gpu_types = texts["together-allowed-gpu-types"]
    assert any(
        'GpuCluster "train": gpu_type H100_SXM_INF is not allowed; allowed GPU types: H100_SXM, H200_SXM.' in t
        for t in gpu_types
    ), gpu_types
    assert any(
        'GpuCluster "train": 32 GPUs (num_gpus 32) exceed the maximum of 16 GPUs per cluster (maxGpus).' in t
        for t in texts["together-max-gpus-per-cluster"]
    ), texts
    assert any(
        'GpuCluster "train": billing_type RESERVED is paid up front, but the cluster is not protected' in t
        for t in texts["together-protect-prepaid-clusters"]
    ), texts
    assert any(
        'The stack\'s clusters hold 48 GPUs (GpuCluster "train" 32, GpuCluster "batch" 16), more than the '
        "maximum of 24 GPUs per stack (maxGpus)." in t
        for t in texts["together-max-gpus-per-stack"]
    ), texts
    # 32 H100_SXM_INF RESERVED at 0.80 + 16 ON_DEMAND at 1.00 + 2 TiB at 10.00/month (example card)
    assert any(
        "The stack costs 41.63 USD/hour" in t and "(PLACEHOLDER prices)" in t and "maximum of 30.00 USD/hour" in t
        for t in texts["together-max-stack-hourly-cost"]
    ), texts
    # Violations name resources as the user does; the internal type appears only in Pulumi's own header.
    assert all(("GpuCluster" in t or "SharedVolume" in t or "stack" in t) for ts in texts.values() for t in ts)

    up = stack.up(*_with_pack(config), check=False)

    assert up.returncode != 0, up.output
    assert "together-allowed-regions" in up.output
    assert h.clusters(emu) == [] and h.volumes(emu) == []
    assert [e for e in h.log_entries(emu) if e["method"] == "POST"] == []
    assert stack.resources(h.CLUSTER_TYPE) == []

    # The same program under a config that lowers those rules to advisory: the preview warns and passes.
    relaxed = {
        name: {"enforcementLevel": "advisory", **(TEAM_CONFIG.get(name) or {})}
        for name in (
            "together-allowed-regions",
            "together-allowed-gpu-types",
            "together-max-gpus-per-cluster",
            "together-max-gpus-per-stack",
            "together-max-stack-hourly-cost",
            "together-protect-prepaid-clusters",
        )
    }
    warned = stack.pulumi("preview", *_with_pack(_config_file(tmp_path, "relaxed.json", relaxed)), check=False)

    assert warned.returncode == 0, warned.output
    levels = {(v.policy, v.level) for v in policy_violations(warned.output)}
    assert ("together-allowed-regions", "advisory") in levels and ("together-max-gpus-per-stack", "advisory") in levels
    assert not any(level == "mandatory" for _, level in levels), levels
