"""Lookups, projects, node health and read-back settings, through the real ``pulumi`` CLI.

Two programs, each driven over several steps, because every ``pulumi`` command costs seconds: the
exhaustive cases are unit tests in tests/resources.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator_process import EmulatorProcess

from . import harness as h

pytestmark = pytest.mark.e2e

LOOKUP_PROGRAM = '''\
"""A volume placed next to a cluster made in the console, and a Slurm cluster of our own."""

import pulumi

import together_pulumi as together

config = pulumi.Config()

found = together.get_cluster_output(cluster_name="console-made", project_id=config.get("lookupProject"))
near = together.SharedVolume("near", region=found.region, size_tib=1, instance_cluster_id=found.cluster_id)
train = together.GpuCluster(
    "train", region="us-central-8", gpu_type="H100_SXM", num_gpus=16, cluster_type="SLURM", slurm_shm_size_gib=64
)
if config.get("extraProject"):
    together.SharedVolume("extra", region="us-central-8", size_tib=1, project_id=config.get("extraProject"))

pulumi.export("found_id", found.cluster_id)
pulumi.export("found_kubeconfig", found.kubeconfig)
pulumi.export("found_endpoint", found.kubernetes_endpoint)
pulumi.export("found_hosts", found.gpu_worker_nodes.apply(lambda nodes: [n.host_name for n in nodes]))
pulumi.export("near_volume", near.volume_id)
pulumi.export("train_id", train.cluster_id)
pulumi.export("train_project", train.project_id)
pulumi.export("train_endpoint", train.kubernetes_endpoint)
pulumi.export("train_ca", train.kubernetes_ca_certificate)
pulumi.export("train_slurm_hosts", train.slurm_worker_hostnames)
pulumi.export("train_nodes", train.gpu_worker_nodes)
pulumi.export(
    "awaiting_approval",
    together.list_remediations_output(train.cluster_id, states=["PENDING_APPROVAL"]).apply(
        lambda found: [r.id for r in found]
    ),
)
'''


def console_cluster(emu: EmulatorProcess, project: str) -> dict[str, Any]:
    """A cluster made outside any stack, as in the web console."""
    body = {
        **{"cluster_name": "console-made", "region": "us-central-8", "gpu_type": "H100_SXM", "num_gpus": 8},
        **{"billing_type": "ON_DEMAND", "nvidia_version_id": "nv-us-central-8-cu129-575-u2204", "project_id": project},
    }
    with emu.client() as client:
        response = client.post("/v1/compute/clusters", json=body)
        response.raise_for_status()
        made: dict[str, Any] = response.json()
    return made


def token_of(emu: EmulatorProcess, cluster_id: str) -> str:
    """The bearer token inside a cluster's kubeconfig (the secret that must never show)."""
    wire = next(c for c in emu.admin.state()["clusters"] if c["cluster_id"] == cluster_id)
    document = yaml.safe_load(base64.b64decode(wire["kube_config"]))
    token: str = document["users"][0]["user"]["token"]
    return token


def test_a_cluster_made_elsewhere_is_looked_up_wired_and_its_kubeconfig_kept_secret(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    emu.admin.set_projects("proj-a", "proj-b")
    console = console_cluster(emu, "proj-b")
    stack = h.program_stack(tmp_path, emu, engine_bin, source=LOOKUP_PROGRAM, config={"together:projectId": "proj-b"})

    up = stack.up()

    # The lookup ran in the default project of the stack config; the volume is placed next to it.
    (near,) = [v for v in h.volumes(emu) if v["volume_name"].startswith("near")]
    assert near["instance_cluster_id"] == console["cluster_id"]
    train = next(c for c in h.clusters(emu) if c["cluster_name"].startswith("train"))
    assert train["project_id"] == "proj-b"  # the default project, from together:projectId
    outputs = stack.outputs()
    assert outputs["found_id"] == console["cluster_id"]
    assert outputs["found_kubeconfig"].startswith("apiVersion: v1")
    assert outputs["found_endpoint"].startswith("https://") and console["cluster_id"] in outputs["found_endpoint"]
    assert len(outputs["found_hosts"]) == 1
    # Node health and access of our own cluster.
    assert (outputs["train_id"], outputs["train_project"]) == (train["cluster_id"], "proj-b")
    assert outputs["train_endpoint"] == f"https://api.{train['cluster_id']}.us-central-8.cloud.together.ai:6443"
    assert outputs["train_ca"] == f"emulator CA for {train['cluster_id']}"
    nodes = outputs["train_nodes"]
    assert [n["host_name"] for n in nodes] == [n["host_name"] for n in train["gpu_worker_nodes"]]
    assert outputs["train_slurm_hosts"] == [n["slurm_worker_hostname"] for n in train["gpu_worker_nodes"]]
    # (Pulumi leaves null values out of nested outputs.)
    assert all(n["status"] == "Running" and n.get("latest_remediation") is None and n["networks"] for n in nodes)
    assert outputs["awaiting_approval"] == []
    # The looked-up kubeconfig is secret: hidden in outputs, encrypted in state, never printed.
    assert "found_kubeconfig" in stack.secret_outputs()
    secret = token_of(emu, console["cluster_id"])
    exported = json.dumps(stack.export(show_secrets=False))
    assert secret not in exported and secret not in up.output
    assert token_of(emu, train["cluster_id"]) not in exported

    # A new default project never moves the existing cluster (the preview says where it stays).
    stack.set_config("together:projectId", "proj-a")
    stack.set_config("lookupProject", "proj-b")
    unchanged = stack.pulumi("preview", "--expect-no-changes", "--diff", check=False)
    assert unchanged.returncode == 0, unchanged.output
    assert "stays in project proj-b" in unchanged.output and "proj-a" in unchanged.output

    # A project the key cannot use fails the preview naming the ones it can: on a resource ...
    stack.set_config("extraProject", "proj-nope")
    refused = stack.preview(check=False).messages()
    assert "project_id 'proj-nope' is not a project this API key can use; its projects: proj-a, proj-b" in refused
    stack.remove_config("extraProject")
    # ... and as the default project.
    stack.set_config("together:projectId", "proj-zzz")
    refused = stack.preview(check=False).messages()
    assert "together:projectId / TOGETHER_PROJECT_ID: 'proj-zzz' is not a project this API key can use" in refused
    assert "proj-a, proj-b" in refused
    stack.set_config("together:projectId", "proj-b")

    # A failing node opens a remediation: the node shows it after a refresh, the program lists it.
    instance = train["gpu_worker_nodes"][1]["instance_id"]
    opened = emu.admin.health_event(train["cluster_id"], instance, mode="REMEDIATION_MODE_REBOOT_VM")
    stack.up("--refresh")
    outputs = stack.outputs()
    assert outputs["train_nodes"][0].get("latest_remediation") is None
    assert outputs["train_nodes"][1]["latest_remediation"] == {
        "id": opened["id"],
        "mode": "REMEDIATION_MODE_REBOOT_VM",
        "state": "PENDING_APPROVAL",
        "trigger": "REMEDIATION_TRIGGER_AUTOMATED",
    }
    assert outputs["awaiting_approval"] == [opened["id"]]

    stack.destroy()
    assert [c["cluster_id"] for c in h.clusters(emu)] == [console["cluster_id"]]  # not ours: left alone
    assert h.volumes(emu) == []


SETTINGS_PROGRAM = '''\
"""A reserved cluster with settings the service normalises: its config, add-ons and reservation end."""

import pulumi

import together_pulumi as together

cluster = together.GpuCluster(
    "svc",
    region="us-central-8",
    gpu_type="H100_SXM",
    num_gpus=8,
    billing_type="RESERVED",
    duration_days=7,
    reservation_end_time="2031-01-01T00:00:00Z",
    cluster_config=together.ClusterConfigArgs(load_balancer="NGINX", jumphost_enabled=False),
    add_ons=[together.AddOnArgs(add_on_type="dashboard", name="dash")],
)
pulumi.export("cluster_id", cluster.cluster_id)
'''


def test_settings_changed_elsewhere_show_as_drift_and_up_reverts_them(
    emu: EmulatorProcess, engine_bin: Path, tmp_path: Path
) -> None:
    stack = h.program_stack(tmp_path, emu, engine_bin, source=SETTINGS_PROGRAM)
    stack.up()
    cluster_id = stack.outputs()["cluster_id"]
    # The service's own normalisation (time format, add-ons listed while enabled) is not drift.
    stack.refresh()
    stack.expect_no_changes()

    change = {
        "cluster_config": {"load_balancer": "TRAEFIK"},
        "add_ons": [{"name": "dash", "config": {"dashboard": {"enabled": False}}}],
        "reservation_end_time": "2031-03-01T00:00:00Z",
    }
    with emu.client() as client:
        client.put(f"/v1/compute/clusters/{cluster_id}", json=change).raise_for_status()
    stack.refresh()

    diff = stack.preview_diff().stdout
    assert re.search(r"~ reservation_end_time\s*: \"2031-03-01T00:00:00Z\" => \"2031-01-01T00:00:00Z\"", diff), diff
    assert re.search(r"~ load_balancer\s*: \"TRAEFIK\" => \"NGINX\"", diff), diff
    # The add-on was declared without config (on): the recorded "off" goes.
    assert re.search(r"- dashboard: \{\s*- enabled: false", diff), diff
    assert "replace" not in diff

    stack.up()

    cluster = h.only_cluster(emu)
    assert cluster["cluster_config"]["load_balancer"] == "NGINX"
    assert cluster["reservation_end_time"].startswith("2031-01-01T00:00:00")
    with emu.client() as client:
        served = client.get(f"/v1/compute/clusters/{cluster_id}").json()
    assert [a["name"] for a in served["add_ons"]] == ["dash"]  # listed again: enabled
    stack.expect_no_changes()
