"""Every ``together clusters`` command of the official CLI (3.1.1) against the emulator.

Each command runs the real console script in a subprocess (see ``conftest.py``); its effect is
checked from outside, in the emulator's state and request log, not just from its exit code.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from emulator_process import EmulatorProcess

from .conftest import Cli

#: End to end: a real program (the official CLI, a process per command) over real HTTP to an emulator
#: process, so `make e2e` and `make test` run these, not `make unit`.
pytestmark = pytest.mark.e2e

DRIVER = "nv-us-central-8-cu128-570-u2204"
COMMON = ["--region", "us-central-8", "--gpu-type", "H100_SXM", "--num-gpus", "8"]


def _cluster(emu: EmulatorProcess, name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in emu.admin.state()["clusters"] if c["cluster_name"] == name]
    assert len(found) == 1, found
    return found[0]


def _volume(emu: EmulatorProcess, volume_id: str) -> dict[str, Any] | None:
    return next((v for v in emu.admin.state()["volumes"] if v["volume_id"] == volume_id), None)


def _count(emu: EmulatorProcess, key: str) -> int:
    counts: dict[str, int] = emu.admin.requests_log()["counts"]
    return counts.get(key, 0)


def test_list_regions(cli: Cli, cli_emulator: EmulatorProcess) -> None:
    regions = cli.json("clusters", "list-regions")["regions"]
    assert [r["name"] for r in regions][:2] == ["us-central-8", "us-central-2"]
    table = cli.run("clusters", "list-regions", json_output=False).stdout
    assert DRIVER in table and "H200_SXM" in table
    assert _count(cli_emulator, "GET /v1/compute/regions") == 2
    assert _count(cli_emulator, "GET /v3/whoami") == 2  # the CLI resolves its project first


def test_storage_commands(cli: Cli, cli_emulator: EmulatorProcess) -> None:
    created = cli.json(
        "clusters", "storage", "create", "--region", "us-west-2", "--size-tib", "2", "--volume-name", "data",
        "--is-lifecycle-independent",
    )  # fmt: skip
    vid = created["volume_id"]
    stored = _volume(cli_emulator, vid)
    assert stored is not None
    assert (stored["volume_name"], stored["region"], stored["size_tib"]) == ("data", "us-west-2", 2)
    assert stored["is_lifecycle_independent"] is True

    assert [v["volume_id"] for v in cli.json("clusters", "storage", "list")["volumes"]] == [vid]
    assert vid in cli.run("clusters", "storage", "list", json_output=False).stdout
    assert cli.json("clusters", "storage", "get", vid)["volume_name"] == "data"
    shown = cli.run("clusters", "storage", "get", vid, json_output=False).stdout
    assert "data" in shown and "available" in shown

    cli.run("clusters", "storage", "update", vid, "--size-tib", "5", json_output=False)
    stored = _volume(cli_emulator, vid)
    assert stored is not None and stored["size_tib"] == 5

    deleted = cli.run("clusters", "storage", "delete", vid, json_output=False)
    assert f"Deleted. ({vid})" in deleted.stdout
    assert _volume(cli_emulator, vid) is None
    assert _count(cli_emulator, "DELETE /v1/compute/clusters/storage/volumes/{volume_id}") == 1


def test_create_list_get(cli: Cli, cli_emulator: EmulatorProcess) -> None:
    vid = cli.json(
        "clusters", "storage", "create", "--region", "us-central-8", "--size-tib", "1", "--volume-name", "v"
    )["volume_id"]
    k8s = cli.json(
        "clusters", "create", "--name", "k8s", *COMMON, "--billing-type", "ON_DEMAND", "--nvidia-version-id", DRIVER,
        "--cluster-type", "KUBERNETES", "--volume", vid, "--headlamp-addon", "--install-traefik",
        "--auto-scale", "--auto-scale-max-gpus", "32",
    )  # fmt: skip
    assert k8s["cluster_name"] == "k8s" and k8s["status"] == "WaitingForControlPlaneNodes"
    slurm = cli.run(
        "clusters", "create", "--name", "slurm", *COMMON, "--billing-type", "RESERVED", "--duration-days", "3",
        "--num-reserved-gpus", "8", "--nvidia-driver-version", "570", "--cuda-version", "12.8", "--os", "ubuntu-22.04",
        "--cluster-type", "SLURM", "--slurm-shm-size-gib", "64", "--slurm-image", "registry/slurm:1",
        "--slurm-web-addon", json_output=False,
    )  # fmt: skip
    assert "Cluster created successfully" in slurm.stdout
    scheduled = cli.json(
        "--project", "proj-emulator",
        "clusters", "create", "--name", "scheduled", *COMMON[:4], "--num-gpus", "16", "--billing-type",
        "SCHEDULED_CAPACITY", "--reservation-start-time", "2020-01-01T00:00:00Z", "--reservation-end-time",
        "2099-01-01T00:00:00Z", "--nvidia-version-id", DRIVER, "--capacity-pool-id", "cp-1",
        "--num-capacity-pool-gpus", "8", "--num-preemptible-gpus", "8",
    )  # fmt: skip
    assert scheduled["project_id"] == "proj-emulator"

    state = _cluster(cli_emulator, "k8s")
    assert state["volumes"][0]["volume_id"] == vid and state["install_traefik"] is True
    assert [a["add_on_type"] for a in state["_internal"]["all_add_ons"]] == ["headlamp"]
    state = _cluster(cli_emulator, "slurm")
    assert (state["cluster_type"], state["billing_type"], state["slurm_shm_size_gib"]) == ("SLURM", "RESERVED", 64)
    assert state["nvidia_driver_version_id"] == DRIVER  # --os resolved through list-regions to the catalogue id
    assert [a["add_on_type"] for a in state["_internal"]["all_add_ons"]] == ["slurm_web"]
    assert state["duration_hours"] == 72 and state["num_reserved_gpus"] == 8
    state = _cluster(cli_emulator, "scheduled")
    assert state["capacity_pool_id"] == "cp-1" and state["desired_preemptible_gpus"] == 8

    listed = cli.json("clusters", "list")["clusters"]
    assert sorted(c["cluster_name"] for c in listed) == ["k8s", "scheduled", "slurm"]
    table = cli.run("clusters", "list", json_output=False).stdout
    assert all(name in table for name in ("k8s", "slurm", "scheduled")) and "Ready" in table
    got = cli.json("clusters", "get", k8s["cluster_id"])
    assert got["status"] == "Ready" and len(got["gpu_worker_nodes"]) == 1
    assert _count(cli_emulator, "POST /v1/compute/clusters") == 3


def test_update(cli: Cli, cli_emulator: EmulatorProcess) -> None:
    k8s = cli.json(
        "clusters", "create", "--name", "k8s", *COMMON, "--billing-type", "ON_DEMAND", "--nvidia-version-id", DRIVER,
        "--headlamp-addon",
    )  # fmt: skip
    reserved = cli.json(
        "clusters", "create", "--name", "reserved", *COMMON[:4], "--num-gpus", "16", "--billing-type", "RESERVED",
        "--duration-days", "3", "--nvidia-version-id", DRIVER,
    )  # fmt: skip
    cid = k8s["cluster_id"]
    scaled = cli.json("clusters", "update", cid, "--num-gpus", "16")  # prints the cluster read back afterwards
    assert scaled["num_gpus"] == 16
    assert _cluster(cli_emulator, "k8s")["num_gpus"] == 16
    assert len(_cluster(cli_emulator, "k8s")["gpu_worker_nodes"]) == 2

    cli.run("clusters", "update", cid, "--no-headlamp", json_output=False)
    (headlamp,) = _cluster(cli_emulator, "k8s")["_internal"]["all_add_ons"]
    assert headlamp["config"] == {"headlamp": {"enabled": False}}
    assert _cluster(cli_emulator, "k8s")["add_ons"] == []  # only enabled add-ons are shown
    cli.run("clusters", "update", cid, "--headlamp", json_output=False)
    assert [a["name"] for a in _cluster(cli_emulator, "k8s")["add_ons"]] == ["headlamp"]

    cli.run("clusters", "update", cid, "--num-preemptible-gpus", "8", json_output=False)
    assert _cluster(cli_emulator, "k8s")["allocated_preemptible_gpus"] == 8
    cli.run("clusters", "update", cid, "--num-preemptible-gpus", "0", "--cluster-type", "SLURM", json_output=False)
    switched = _cluster(cli_emulator, "k8s")
    assert switched["cluster_type"] == "SLURM" and switched["slurm_shm_size_gib"] == 64

    rid = reserved["cluster_id"]
    cli.run(
        "clusters", "update", rid, "--num-reserved-gpus", "8", "--reservation-end-time", "2099-01-01T00:00:00Z",
        json_output=False,
    )  # fmt: skip
    state = _cluster(cli_emulator, "reserved")
    assert state["num_reserved_gpus"] == 8 and state["reservation_end_time"].startswith("2099-01-01T00:00:00")

    refused = cli.run("clusters", "update", cid, "--num-gpus", "12", json_output=False, check=False)
    assert refused.returncode != 0 and "num_gpus" in refused.stdout + refused.stderr
    assert _count(cli_emulator, "PUT /v1/compute/clusters/{cluster_id}") == 7


HOME_LAB_KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "home-lab", "cluster": {"server": "https://10.0.0.1:6443"}}],
    "users": [{"name": "home-lab", "user": {"token": "home-token"}}],
    "contexts": [{"name": "home-lab", "context": {"cluster": "home-lab", "user": "home-lab"}}],
    "current-context": "home-lab",
}


def test_get_credentials(cli: Cli, cli_emulator: EmulatorProcess) -> None:
    cid = cli.json(
        "clusters", "create", "--name", "creds", *COMMON, "--billing-type", "ON_DEMAND", "--nvidia-version-id", DRIVER
    )["cluster_id"]  # fmt: skip
    # A kubeconfig the user already has: the cluster's is merged into it, nothing of it is lost.
    kubeconfig = cli.home / ".kube" / "config"
    kubeconfig.parent.mkdir()
    kubeconfig.write_text(yaml.safe_dump(HOME_LAB_KUBECONFIG))
    kubeconfig.chmod(0o600)
    written = cli.run("clusters", "get-credentials", cid, json_output=False)
    assert f"Kubeconfig written to {kubeconfig}" in written.stdout
    merged = yaml.safe_load(kubeconfig.read_text())
    # The CLI names the new context after the cluster, next to the one that was there.
    assert sorted(c["name"] for c in merged["contexts"]) == ["creds", "home-lab"]
    assert merged["current-context"] == "home-lab"
    servers = {c["name"]: c["cluster"]["server"] for c in merged["clusters"]}
    assert servers.pop("home-lab") == "https://10.0.0.1:6443"
    assert [server.startswith(f"https://api.{cid}.") for server in servers.values()] == [True]
    users = {u["name"]: u["user"] for u in merged["users"]}
    assert users.pop("home-lab") == {"token": "home-token"}
    assert [bool(user.get("token")) for user in users.values()] == [True]
    assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"

    other = cli.home / "other.yaml"
    cli.run(
        "clusters", "get-credentials", cid, "--file", str(other), "--context-name", "mine", "--set-default-context",
        json_output=False,
    )  # fmt: skip
    custom = yaml.safe_load(other.read_text())
    assert custom["current-context"] == "mine" and [c["name"] for c in custom["contexts"]] == ["mine"]
    printed = cli.run("clusters", "get-credentials", cid, "--file", "-", json_output=False).stdout
    assert "kind: Config" in printed
    assert _count(cli_emulator, "GET /v1/compute/clusters/{cluster_id}") == 3


def test_delete(cli: Cli, cli_emulator: EmulatorProcess) -> None:
    cid = cli.json(
        "clusters", "create", "--name", "doomed", *COMMON, "--billing-type", "ON_DEMAND", "--nvidia-version-id", DRIVER
    )["cluster_id"]  # fmt: skip
    deleted = cli.run("clusters", "delete", cid, json_output=False)
    assert f"Deleted cluster ({cid})" in deleted.stdout
    assert cli_emulator.admin.state()["clusters"] == []  # --deletion-seconds 0: gone
    missing = cli.run("clusters", "delete", cid, json_output=False, check=False)
    assert missing.returncode != 0 and f"cluster {cid} not found" in missing.stdout  # read from details[].detail
    assert _count(cli_emulator, "DELETE /v1/compute/clusters/{cluster_id}") == 2


def test_remediations(cli: Cli, cli_emulator: EmulatorProcess) -> None:
    cid = cli.json(
        "clusters", "create", "--name", "fleet", *COMMON[:4], "--num-gpus", "24", "--billing-type", "ON_DEMAND",
        "--nvidia-version-id", DRIVER,
    )["cluster_id"]  # fmt: skip
    nodes = cli.json("clusters", "get", cid)["gpu_worker_nodes"]
    a, b, c = (n["instance_id"] for n in nodes)

    created = cli.json("clusters", "remediations", "create", cid, a, "--mode", "REBOOT_VM", "--reason", "xid 79")
    rid = created["id"]
    (state,) = cli_emulator.admin.state()["remediations"]
    assert (state["id"], state["instance_id"], state["mode"]) == (rid, a, "REMEDIATION_MODE_REBOOT_VM")
    assert state["reason"] == "xid 79" and state["state"] == "PENDING"
    human = cli.run("clusters", "remediations", "create", cid, b, "--mode", "VM_ONLY", json_output=False).stdout
    assert "Remediation created" in human

    listed = cli.json("clusters", "remediations", "list", cid)["remediations"]
    assert {r["instance_id"] for r in listed} == {a, b}
    only_a = cli.json("clusters", "remediations", "list", cid, a, "--mode", "REBOOT_VM", "--state", "PENDING")
    assert [r["id"] for r in only_a["remediations"]] == [rid]
    table = cli.run("clusters", "remediations", "list", cid, "--trigger", "MANUAL", json_output=False).stdout
    assert rid in table and "REBOOT_VM" in table
    assert cli.json("clusters", "remediations", "get", rid)["reason"] == "xid 79"

    cancelled = cli.json("clusters", "remediations", "cancel", rid)
    assert cancelled["state"] == "CANCELLED"
    proposed = cli_emulator.admin.health_event(cid, c)
    approved = cli.json("clusters", "remediations", "approve", proposed["id"], "looks right", "--mode", "HOST_AWARE")
    assert (approved["state"], approved["mode"]) == ("PENDING", "REMEDIATION_MODE_HOST_AWARE")
    again = cli_emulator.admin.health_event(cid, a)
    rejected = cli.run("clusters", "remediations", "reject", again["id"], "false alarm", json_output=False)
    assert f"Remediation rejected.[/blue] ({again['id']})" not in rejected.stdout  # rich markup is rendered
    assert f"({again['id']})" in rejected.stdout

    by_id = {r["id"]: r for r in cli_emulator.admin.state()["remediations"]}
    assert by_id[rid]["state"] == "CANCELLED"
    assert by_id[proposed["id"]]["review_comment"] == "looks right" and by_id[proposed["id"]]["reviewed_by"]
    assert (by_id[again["id"]]["state"], by_id[again["id"]]["review_comment"]) == ("CANCELLED", "false alarm")
    base = "POST /v1/compute/clusters/{cluster_id}/instances/{instance_id}/remediations/{remediation_id}"
    assert [_count(cli_emulator, f"{base}/{verb}") for verb in ("approve", "reject", "cancel")] == [1, 1, 1]


def test_a_refused_create_prints_the_emulators_message(cli: Cli, cli_emulator: EmulatorProcess) -> None:
    """The CLI's error printer reads ``details[].detail`` of an RPC error: every detail must carry one."""
    refused = cli.run(
        "clusters", "create", "--name", "bad", "--region", "us-central-8", "--gpu-type", "H100_SXM",
        "--num-gpus", "12", "--billing-type", "ON_DEMAND", "--nvidia-version-id", DRIVER,
        json_output=False, check=False,
    )  # fmt: skip
    assert refused.returncode != 0
    printed = (refused.stdout + refused.stderr).splitlines()
    message = "num_gpus must be a positive multiple of 8 (one node = 8 GPUs); got 12"
    # the CLI's own error block (an "Error" line, then the message), not "Failed" and the raw body
    assert any(line.strip() == message for line in printed), printed
    assert any(line.strip().endswith("Error") for line in printed), printed
    assert not any("field_violations" in line for line in printed), printed
    assert _count(cli_emulator, "POST /v1/compute/clusters") == 1
    assert not [c for c in cli_emulator.admin.state()["clusters"] if c["cluster_name"] == "bad"]
