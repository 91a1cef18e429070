"""What a cluster reports: node health and access details, from the API's cluster to the outputs."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import yaml

from emulator_inprocess import InProcessEmulator
from together_pulumi.host.cluster.provider import ClusterProvider
from together_pulumi.host.cluster.readiness import ClusterReadinessProvider
from together_pulumi.model.cluster.fields import READINESS_OUTPUTS
from together_pulumi.model.cluster.report import kubernetes_access
from together_pulumi.model.cluster.types import CONTROL_PLANE_NODE, GPU_WORKER_NODE, NODE_REMEDIATION

from .conftest import result_outs
from .test_lifecycle import CLUSTER, checked, readiness_inputs

SLURM = {**CLUSTER, "cluster_type": "SLURM", "slurm_shm_size_gib": 64}


def ready_cluster(props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    created = ClusterProvider().create(checked(props))
    return created.id, dict(result_outs(ClusterReadinessProvider().create(readiness_inputs(result_outs(created)))))


def test_nodes_report_health_addresses_and_slurm_names(api: InProcessEmulator) -> None:
    cluster_id, outs = ready_cluster(SLURM)
    wire = next(c for c in api.admin.state()["clusters"] if c["cluster_id"] == cluster_id)

    (control,) = outs["control_plane_nodes"]
    assert set(control) == {f.name for f in CONTROL_PLANE_NODE.fields}
    cp_wire = wire["control_plane_nodes"][0]
    assert (control["host_name"], control["network"], control["public_ipv4"]) == (
        cp_wire["host_name"],
        cp_wire["network"],
        cp_wire["public_ipv4"],
    )
    assert len(outs["gpu_worker_nodes"]) == 2
    for node, node_wire in zip(outs["gpu_worker_nodes"], wire["gpu_worker_nodes"], strict=True):
        assert set(node) == {f.name for f in GPU_WORKER_NODE.fields}
        for name in (
            "node_id", "host_name", "status", "instance_id", "networks", "public_ipv4",
            "auto_remediation_enabled", "marked_for_deletion",
        ):  # fmt: skip
            assert node[name] == node_wire[name], name
        assert node["slurm_worker_hostname"] == node_wire["slurm_worker_hostname"]
        assert node["latest_remediation"] is None
        # Hardware constants and phase histories are left out on purpose.
        assert "phase_transitions" not in node and "ib_hca_count" not in node
    assert outs["slurm_worker_hostnames"] == [n["slurm_worker_hostname"] for n in wire["gpu_worker_nodes"]]


def test_a_node_under_remediation_shows_it_after_a_refresh(api: InProcessEmulator) -> None:
    cluster_id, outs = ready_cluster(CLUSTER)
    instance = outs["gpu_worker_nodes"][1]["instance_id"]
    opened = api.admin.health_event(cluster_id, instance, mode="REMEDIATION_MODE_REBOOT_VM")

    read = ClusterReadinessProvider().read(f"{cluster_id}-ready", outs)

    first, second = result_outs(read)["gpu_worker_nodes"]
    assert first["latest_remediation"] is None
    assert second["latest_remediation"] == {
        "id": opened["id"],
        "mode": "REMEDIATION_MODE_REBOOT_VM",
        "state": "PENDING_APPROVAL",
        "trigger": "REMEDIATION_TRIGGER_AUTOMATED",
    }
    assert set(second["latest_remediation"]) == {f.name for f in NODE_REMEDIATION.fields}
    assert result_outs(read)["slurm_worker_hostnames"] == []  # a Kubernetes cluster has none


def test_access_details_come_from_the_kubeconfig(api: InProcessEmulator) -> None:
    cluster_id, outs = ready_cluster(CLUSTER)
    document = yaml.safe_load(outs["kubeconfig"])
    entry = document["clusters"][0]["cluster"]

    assert outs["kubernetes_endpoint"] == entry["server"]
    assert cluster_id in outs["kubernetes_endpoint"]
    assert outs["kubernetes_ca_certificate"] == base64.b64decode(entry["certificate-authority-data"]).decode()
    token = document["users"][0]["user"]["token"]
    assert token not in outs["kubernetes_endpoint"] + outs["kubernetes_ca_certificate"]


def test_a_bare_cluster_reports_every_output_with_empty_access_details() -> None:
    from together_pulumi.api.models import Cluster
    from together_pulumi.model.cluster.report import cluster_report

    bare = Cluster(
        cluster_id="t-1",
        cluster_name="c",
        cluster_type="KUBERNETES",
        region="r",
        gpu_type="H100_SXM",
        num_gpus=8,
        status="Ready",
    )
    reported = cluster_report(bare)
    assert set(reported) == set(READINESS_OUTPUTS)
    assert reported["kubernetes_endpoint"] is None and reported["kubeconfig"] == ""
    assert reported["gpu_worker_nodes"] == [] and reported["created_at"] is None


PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def kubeconfig(current: str | None, clusters: list[tuple[str, str, str | None]]) -> str:
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "clusters": [
            {
                "name": name,
                "cluster": {"server": server, **({"certificate-authority-data": ca} if ca is not None else {})},
            }
            for name, server, ca in clusters
        ],
        "contexts": [{"name": f"{name}-ctx", "context": {"cluster": name, "user": "u"}} for name, _, _ in clusters],
        "users": [{"name": "u", "user": {"token": "sekret"}}],
    }
    if current is not None:
        doc["current-context"] = current
    return yaml.safe_dump(doc)


B64_PEM = base64.b64encode(PEM.encode()).decode()
TWO = [("a", "https://a:6443", B64_PEM), ("b", "https://b:6443", None)]


@pytest.mark.parametrize(
    ("text", "endpoint", "ca"),
    [
        ("", None, None),
        ("::: not yaml [", None, None),
        ("- just\n- a list\n", None, None),
        ("apiVersion: v1\nclusters: []\n", None, None),
        (kubeconfig("b-ctx", TWO), "https://b:6443", None),
        (kubeconfig(None, TWO), "https://a:6443", PEM),
        (kubeconfig("gone-ctx", [("a", "https://a:6443", "not base64!")]), "https://a:6443", "not base64!"),
    ],
    ids=["empty", "not-yaml", "not-a-mapping", "no-clusters", "current-context", "first-cluster", "raw-ca"],
)
def test_kubernetes_access_never_raises(text: str, endpoint: str | None, ca: str | None) -> None:
    access = kubernetes_access(text)
    assert (access.endpoint, access.ca_certificate) == (endpoint, ca)
