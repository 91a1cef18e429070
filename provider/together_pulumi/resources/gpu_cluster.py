"""``GpuCluster``: a Together Instant GPU cluster (Kubernetes or Slurm), with its field table.

Why a component over two dynamic resources
-----------------------------------------
A GPU cluster takes many minutes to become ``Ready`` and bills from the moment it is accepted. When a
Python dynamic provider's ``create`` raises, the engine records nothing, so a ``create`` that waited
and then timed out would orphan a billable cluster, and the next ``pulumi up`` would make a second.
So the user-facing ``GpuCluster`` is a component of two children:

* ``Cluster`` creates (or adopts) the cluster and returns as soon as the API accepts it, so its id
  is in the stack state before any waiting starts. It owns updates, refresh and deletion.
* ``ClusterReadiness`` waits for ``Ready`` and reports status, kubeconfig and nodes. If its wait
  fails or times out, ``pulumi up`` fails naming the cluster id and status; the cluster stays in
  state, and the next ``pulumi up`` creates only the readiness step again, which resumes waiting.
  After an update that changes the cluster's size or type it waits again, because those are among
  its inputs. Its inputs are all known during ``pulumi preview`` (the cluster's id is the Cluster
  step's resource id, known for an update), so a reviewer sees only what the change changes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from ..api import errors
from ..api.models import (
    AddOnType,
    BillingType,
    Cluster,
    ClusterCreateRequest,
    ClusterStatus,
    ClusterType,
    ClusterUpdateRequest,
    DcgmDiagLevel,
    GpuType,
    LoadBalancer,
    Region,
)
from . import session
from .args import props_from_args
from .base import AUTONAME_PREFIX, TableProvider, uncertain_create_message, values_equal, without_provider
from .cluster_rules import GPUS_PER_NODE, catalogue_rules, parse_time, removal_rules, static_rules
from .fields import Change, Field, ListOf, ObjectType, Violation, from_engine, to_wire
from .waiting import poll_until, progress

__all__ = [
    "CLUSTER_FIELDS",
    "AcceptanceTestsParamsArgs",
    "AddOnArgs",
    "AddOnConfigArgs",
    "ClusterConfigArgs",
    "EnabledFlagArgs",
    "GpuCluster",
    "GpuClusterArgs",
    "InlineSharedVolumeArgs",
    "OidcConfigArgs",
    "SlurmStartupScriptsArgs",
]


# --- nested types ----------------------------------------------------------------------------------

ENABLED_FLAG = ObjectType("EnabledFlag", "A feature switch.", (Field("enabled", bool, "Whether it is on."),))

ADD_ON = ObjectType(
    "AddOn",
    "An add-on enabled on the cluster.",
    (
        Field("add_on_type", AddOnType, "Kind of add-on.", required=True),
        Field("name", str, "Name of this add-on instance; updates address add-ons by name.", required=True),
        Field(
            "config",
            ObjectType(
                "AddOnConfig",
                "Per-type add-on configuration.",
                tuple(Field(t.value, ENABLED_FLAG, f"Configuration of the {t.value} add-on.") for t in AddOnType),
            ),
            "Add-on configuration.",
        ),
    ),
)

SLURM_STARTUP_SCRIPTS = ObjectType(
    "SlurmStartupScripts",
    "Slurm lifecycle scripts (Slinky); saving them "
    "reconfigures Slurm live. A failing worker prolog/epilog drains the node.",
    (
        Field("controller_prolog", str, "Slurm controller prolog script."),
        Field("controller_epilog", str, "Slurm controller epilog script."),
        Field("worker_prolog", str, "Slurm worker prolog script."),
        Field("worker_epilog", str, "Slurm worker epilog script."),
        Field("login_init_script", str, "Script run when the login node starts."),
        Field("nodeset_init_script", str, "Script run when a nodeset starts."),
        Field("extra_slurm_conf", str, "Extra slurm.conf lines."),
    ),
)

CLUSTER_CONFIG = ObjectType(
    "ClusterConfig",
    "Cluster software configuration.",
    (
        Field("load_balancer", LoadBalancer, "Load balancer to install.", required=True),
        Field("gpu_operator_version", str, "NVIDIA GPU Operator version; default: the service's."),
        Field("network_operator_version", str, "NVIDIA Network Operator version; default: the service's."),
        Field("jumphost_enabled", bool, "Whether a jump host is provisioned."),
        Field("kubernetes_dashboard_enabled", bool, "Whether the Kubernetes dashboard is installed."),
        Field("ssh_ca_enabled", bool, "Whether the cluster has its own SSH certificate authority (OIDC SSH)."),
        Field("ingress", ENABLED_FLAG, "Ingress switch."),
        Field("observability", ENABLED_FLAG, "Observability stack switch."),
        Field("slurm_startup_scripts", SLURM_STARTUP_SCRIPTS, "Slurm lifecycle scripts."),
    ),
)

OIDC_CONFIG = ObjectType(
    "OidcConfig",
    "OIDC login to the cluster's Kubernetes API. Fixed at creation.",
    (
        Field("issuer_url", str, "OIDC issuer URL, e.g. https://accounts.google.com.", required=True),
        Field("client_id", str, "OIDC client ID.", required=True),
        Field(
            "username_claim", str, "JWT claim used as the username: email, preferred_username or sub.", required=True
        ),
        Field("username_prefix", str, "Prefix added to usernames, e.g. 'oidc:'.", required=True),
        Field("group_claim", str, "JWT claim holding the user's groups, e.g. 'groups'.", required=True),
        Field("group_prefix", str, "Prefix added to group names, e.g. 'oidc:'.", required=True),
        Field("ca_cert", str, "PEM CA certificate of the issuer, when it uses a private CA."),
    ),
)

ACCEPTANCE_TESTS_PARAMS = ObjectType(
    "AcceptanceTestsParams",
    "GPU acceptance tests run during bring-up.",
    (
        Field("enabled", bool, "Whether acceptance tests run."),
        Field("dcgm_diag_level", DcgmDiagLevel, "DCGM diagnostics depth (MEDIUM when omitted)."),
        Field("dcgm_diag_skipped", bool, "Skip DCGM diagnostics."),
        Field("gpu_burn_skipped", bool, "Skip GPU burn."),
        Field("gpu_burn_duration", int, "GPU burn duration in seconds (0: the default)."),
        Field("nccl_single_node_skipped", bool, "Skip the single-node NCCL test."),
        Field("nccl_multi_node_skipped", bool, "Skip the multi-node NCCL test."),
        Field("storage_skipped", bool, "Skip the storage performance test."),
    ),
)

INLINE_SHARED_VOLUME = ObjectType(
    "InlineSharedVolume",
    "A shared volume created with the cluster, in its "
    "region. Deleted with the cluster unless is_lifecycle_independent.",
    (
        Field("size_tib", int, "Size in whole TiB (at least 1).", required=True),
        Field("volume_name", str, "Name of the volume. Default: '<cluster_name>-storage'."),
        Field(
            "is_lifecycle_independent",
            bool,
            "Must stay false: an inline volume that outlived its cluster would be left behind by "
            "pulumi destroy (declare a SharedVolume for that).",
        ),
        Field("project_id", str, "Project owning the volume."),
    ),
)

CONTROL_PLANE_NODE = ObjectType(
    "ControlPlaneNode",
    "A control plane node.",
    (
        Field("node_id", str, "Node ID."),
        Field("host_name", str, "Host name."),
        Field("status", str, "Node status."),
        Field("public_ipv4", str, "Public IPv4 address, when it has one."),
    ),
)

GPU_WORKER_NODE = ObjectType(
    "GpuWorkerNode",
    "A GPU worker node (8 GPUs).",
    (
        Field("node_id", str, "Node ID."),
        Field("host_name", str, "Host name."),
        Field("status", str, "Node status."),
        Field("num_gpus", int, "GPUs on the node."),
        Field("instance_id", str, "Instance ID (used by node remediation)."),
    ),
)

CLUSTER_VOLUME = ObjectType(
    "ClusterVolume",
    "A volume attached to the cluster.",
    (
        Field("volume_id", str, "Volume ID."),
        Field("volume_name", str, "Volume name."),
        Field("size_tib", int, "Size in TiB."),
        Field("status", str, "Volume status."),
    ),
)

# --- the field table -------------------------------------------------------------------------------

IN_PLACE = Change.IN_PLACE
STATE_ONLY = Change.STATE_ONLY

CLUSTER_FIELDS: tuple[Field, ...] = (
    Field("region", str, "Region to create the cluster in (see get_regions()).", required=True),
    Field("gpu_type", GpuType, "GPU type of every node.", required=True),
    Field(
        "num_gpus",
        int,
        "Number of GPUs: a positive multiple of 8 (one node = 8 GPUs). Scales in place.",
        required=True,
        change=IN_PLACE,
    ),
    Field("cluster_type", ClusterType, "Orchestrator: KUBERNETES or SLURM.", default="KUBERNETES", change=IN_PLACE),
    Field("cluster_name", str, "Name of the cluster. Default: the resource name plus a random suffix.", computed=True),
    Field(
        "nvidia_version_id",
        str,
        "Driver catalogue entry of the region (get_regions()). With neither this "
        "nor cuda_version/nvidia_driver_version, the region's newest entry is used and reported.",
        computed=True,
    ),
    Field(
        "cuda_version", str, "CUDA version, paired with nvidia_driver_version (legacy driver selector).", computed=True
    ),
    Field("nvidia_driver_version", str, "NVIDIA driver version, paired with cuda_version.", computed=True),
    Field(
        "billing_type",
        BillingType,
        "ON_DEMAND (until deleted), RESERVED (prepaid for duration_days) or "
        "SCHEDULED_CAPACITY (between the reservation times).",
        default="ON_DEMAND",
    ),
    Field("duration_days", int, "RESERVED only: reservation length, 1 to 90 days."),
    Field("reservation_start_time", str, "SCHEDULED_CAPACITY only: RFC 3339 start of the reservation."),
    Field(
        "reservation_end_time",
        str,
        "RESERVED or SCHEDULED_CAPACITY: RFC 3339 end of the reservation; can be moved in place.",
        change=IN_PLACE,
    ),
    Field("num_reserved_gpus", int, "RESERVED only: prepaid GPUs within num_gpus.", change=IN_PLACE),
    Field(
        "num_preemptible_gpus",
        int,
        "Preemptible GPUs requested besides num_gpus (multiple of 8; needs project_id; Kubernetes only).",
        change=IN_PLACE,
    ),
    Field("capacity_pool_id", str, "Capacity pool to draw GPUs from."),
    Field(
        "num_capacity_pool_gpus",
        int,
        "GPUs drawn from capacity_pool_id (multiple of 8, at most num_gpus).",
        change=IN_PLACE,
    ),
    Field("project_id", str, "Project that owns the cluster. Default: the API key's project.", computed=True),
    Field("volume_id", str, "Existing shared volume of the same region to attach (e.g. a SharedVolume's volume_id)."),
    Field("shared_volume", INLINE_SHARED_VOLUME, "A shared volume created together with the cluster."),
    Field("slurm_shm_size_gib", int, "SLURM only (required there): shared memory size in GiB."),
    Field("slurm_image", str, "SLURM only: custom Slurm image."),
    Field("install_traefik", bool, "KUBERNETES only: install the Traefik ingress controller."),
    Field(
        "auto_scale",
        bool,
        "Let the cluster autoscaler move the GPU count between num_gpus and "
        "auto_scale_max_gpus; such moves are not drift.",
    ),
    Field("auto_scale_max_gpus", int, "Upper bound for auto_scale (multiple of 8, at least num_gpus)."),
    Field("oidc_config", OIDC_CONFIG, "OIDC login for the Kubernetes API. Fixed at creation."),
    Field("acceptance_tests_params", ACCEPTANCE_TESTS_PARAMS, "Acceptance tests run during bring-up."),
    Field("add_ons", ListOf(ADD_ON), "Add-ons (dashboard, ingress, ...). Updated in place.", change=IN_PLACE),
    Field(
        "cluster_config",
        CLUSTER_CONFIG,
        "Software configuration, including Slurm startup scripts. Updated in place.",
        change=IN_PLACE,
    ),
    Field(
        "existing_cluster_id",
        str,
        "Adopt this existing cluster instead of creating one, after checking "
        "that its region and gpu_type match (the import path: `pulumi import` does not work for "
        "dynamic providers). Mutable fields are then converged to the declared values.",
        sent=False,
    ),
    Field(
        "wait_for_ready",
        bool,
        "Wait until the cluster is Ready on create and update. When false, "
        "pulumi up returns as soon as the API accepts the request.",
        default=True,
        change=STATE_ONLY,
        sent=False,
    ),
    Field(
        "ready_timeout_seconds",
        int,
        "How long create and update wait for Ready before failing (the "
        "cluster stays in state; the next pulumi up resumes waiting).",
        default=3600,
        change=STATE_ONLY,
        sent=False,
    ),
    Field(
        "delete_timeout_seconds",
        int,
        "How long delete waits for the cluster to be gone.",
        default=1800,
        change=STATE_ONLY,
        sent=False,
    ),
    # outputs
    Field("cluster_id", str, "ID of the cluster.", input=False),
    Field("status", str, "Status when last read, e.g. Ready.", input=False),
    Field("kubeconfig", str, "Admin kubeconfig (YAML) of the cluster. Always secret.", input=False, secret=True),
    Field("num_nodes", int, "Number of GPU worker nodes.", input=False),
    Field("control_plane_nodes", ListOf(CONTROL_PLANE_NODE), "Control plane nodes.", input=False),
    Field("gpu_worker_nodes", ListOf(GPU_WORKER_NODE), "GPU worker nodes.", input=False),
    Field("volumes", ListOf(CLUSTER_VOLUME), "Attached shared volumes.", input=False),
    Field("created_at", str, "Creation time (RFC 3339).", input=False),
    Field("first_ready_at", str, "When the cluster first became Ready (RFC 3339).", input=False),
)

_DRIVER_FIELDS = ("nvidia_version_id", "cuda_version", "nvidia_driver_version")
#: Outputs the readiness step reports (everything output-only except the id, which Cluster owns).
READINESS_OUTPUTS = tuple(f.name for f in CLUSTER_FIELDS if not f.input and f.name != "cluster_id")


def _int(value: Any) -> int:
    return int(value)


#: In-place counts whose removal from the program means zero.
_COUNTS_RESET_WHEN_REMOVED = ("num_reserved_gpus", "num_preemptible_gpus", "num_capacity_pool_gpus")


def _node_outputs(cluster: Cluster) -> dict[str, Any]:
    """What the readiness step reports, from a cluster as read from the API."""
    return {
        "status": cluster.status,
        "kubeconfig": _decode_kubeconfig(cluster.kube_config),
        "num_nodes": len(cluster.gpu_worker_nodes),
        "control_plane_nodes": [
            {"node_id": n.node_id, "host_name": n.host_name, "status": n.status, "public_ipv4": n.public_ipv4}
            for n in cluster.control_plane_nodes
        ],
        "gpu_worker_nodes": [
            {
                "node_id": n.node_id,
                "host_name": n.host_name,
                "status": n.status,
                "num_gpus": n.num_gpus,
                "instance_id": n.instance_id,
            }
            for n in cluster.gpu_worker_nodes
        ],
        "volumes": [v.model_dump(include={"volume_id", "volume_name", "size_tib", "status"}) for v in cluster.volumes],
        "created_at": _iso(cluster.created_at),
        "first_ready_at": _iso(cluster.first_ready_at),
    }


def _decode_kubeconfig(encoded: str) -> str:
    if not encoded:
        return ""
    try:
        return base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return encoded  # already plain YAML


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _live_gpus(cluster: Cluster) -> int:
    return sum(n.num_gpus or GPUS_PER_NODE for n in cluster.gpu_worker_nodes)


# --- the Cluster step ----------------------------------------------------------------------------


class ClusterProvider(TableProvider):
    """Creates, adopts, updates, refreshes and deletes the cluster; never waits for Ready."""

    table: ClassVar[tuple[Field, ...]] = CLUSTER_FIELDS
    kind: ClassVar[str] = "GpuCluster"
    name_field: ClassVar[str | None] = "cluster_name"
    adopt_field: ClassVar[str | None] = "existing_cluster_id"
    id_field: ClassVar[str] = "cluster_id"

    def rules(self, olds: Mapping[str, Any], inputs: dict[str, Any]) -> list[Violation]:
        return static_rules(inputs) + removal_rules(olds, inputs)

    def catalogue_rules(self, inputs: dict[str, Any], regions: dict[str, Region]) -> list[Violation]:
        return catalogue_rules(inputs, regions)

    def lookup_name(self, object_id: str) -> str:
        return session.client().get_cluster(object_id).cluster_name

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = self.table_diff(olds, news)
        # Two clusters cannot hold one volume: with volume_id, the old cluster must go first.
        if result.replaces and news.get("volume_id") is not None:
            result.delete_before_replace = True
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        session.client()  # fail first, and clearly, without credentials
        if props.get("existing_cluster_id"):
            cluster = self._adopt(props)
            resolved = {"nvidia_version_id": cluster.nvidia_driver_version_id}
        else:
            body, resolved = self._create_body(props)
            try:
                cluster = session.client().create_cluster(ClusterCreateRequest.model_validate(body))
            except errors.UncertainCreateError as exc:
                raise RuntimeError(uncertain_create_message("GpuCluster", "existing_cluster_id", exc)) from None
            progress(
                f"GpuCluster {cluster.cluster_name}: created {cluster.cluster_id} ({cluster.gpu_type} x "
                f"{cluster.num_gpus} in {cluster.region}), {cluster.status}"
            )
        return CreateResult(cluster.cluster_id, self._outputs(props, cluster, resolved))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            cluster = session.client().get_cluster(id_)
        except errors.NotFoundError:
            return ReadResult("", {})
        observed = without_provider(props)
        observed["status"] = cluster.status
        # Mutable fields the user set: the server's value is the truth; a difference is drift.
        current = {
            "num_gpus": cluster.num_gpus,
            "cluster_type": cluster.cluster_type,
            "num_reserved_gpus": cluster.num_reserved_gpus,
            "num_preemptible_gpus": cluster.desired_preemptible_gpus,
            "num_capacity_pool_gpus": cluster.num_capacity_pool_gpus,
        }
        for name, value in current.items():
            if props.get(name) is not None:
                observed[name] = value
        if props.get("auto_scale") and props.get("num_gpus") is not None:
            requested, ceiling = _int(props["num_gpus"]), _int(props.get("auto_scale_max_gpus") or 0)
            if requested <= cluster.num_gpus <= ceiling:
                observed["num_gpus"] = props["num_gpus"]  # the autoscaler's move, not drift
        return ReadResult(id_, observed, self.inputs_from_state(observed))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Only the mutable fields that changed are sent.
        changes = {
            f.name: to_wire(news[f.name], f.type)
            for f in CLUSTER_FIELDS
            if f.change is IN_PLACE
            and news.get(f.name) is not None
            and not values_equal(olds.get(f.name), news[f.name])
        }
        # A GPU count the user removed goes back to zero (e.g. no more preemptible GPUs).
        for name in _COUNTS_RESET_WHEN_REMOVED:
            if news.get(name) is None and olds.get(name):
                changes[name] = 0
        outs = without_provider({**olds, **news})
        for f in CLUSTER_FIELDS:  # settings the user removed leave the state too
            if f.input and not f.computed and news.get(f.name) is None:
                outs.pop(f.name, None)
        outs.update({name: value for name, value in changes.items() if name in _COUNTS_RESET_WHEN_REMOVED})
        if changes:
            cluster = session.client().update_cluster(id_, ClusterUpdateRequest.model_validate(changes))
            progress(
                f"GpuCluster {cluster.cluster_name} ({id_}): updating {', '.join(sorted(changes))}; "
                f"status {cluster.status}"
            )
            outs["status"] = cluster.status
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = session.client()
        name = props.get("cluster_name") or id_
        try:
            client.delete_cluster(id_)
        except errors.NotFoundError:
            return
        progress(f"GpuCluster {name} ({id_}): deletion requested")

        def fetch() -> Cluster | None:
            try:
                return client.get_cluster(id_)
            except errors.NotFoundError:
                return None

        poll_until(
            fetch,
            lambda c: c is None,
            describe=lambda c: "deleted" if c is None else c.status,
            label=f"GpuCluster {name} ({id_})",
            timeout_seconds=float(props.get("delete_timeout_seconds") or 1800),
            on_timeout=lambda c, t: (
                f"GpuCluster {name}: cluster {id_} is still {c.status if c else '?'} after "
                f"{t:.0f}s of deletion (delete_timeout_seconds). It stays in the stack "
                "state; run `pulumi destroy` (or up) again to keep waiting."
            ),
        )

    # --- helpers -------------------------------------------------------------------------------

    def _create_body(self, props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The create request, with the driver resolved from the catalogue when the user chose none."""
        body = {
            f.wire_name: to_wire(props[f.name], f.type)
            for f in CLUSTER_FIELDS
            if f.input and f.wire_name and props.get(f.name) is not None
        }
        resolved: dict[str, Any] = {}
        regions = session.catalogue() or {}
        region = regions.get(props["region"])
        entries = region.driver_versions if region else []
        if not any(props.get(name) for name in _DRIVER_FIELDS):
            if not entries:
                raise ValueError(
                    f"GpuCluster.region {props['region']}: no driver catalogue to pick a default "
                    "from; set nvidia_version_id or cuda_version + nvidia_driver_version"
                )
            newest = entries[0]
            body["nvidia_version_id"] = newest.id
            resolved = {
                "nvidia_version_id": newest.id,
                "cuda_version": newest.cuda_version,
                "nvidia_driver_version": newest.nvidia_driver_version,
            }
        elif props.get("cuda_version") and not props.get("nvidia_version_id"):
            pair = (props["cuda_version"], props["nvidia_driver_version"])
            match = next((d for d in entries if (d.cuda_version, d.nvidia_driver_version) == pair), None)
            if match:
                resolved = {"nvidia_version_id": match.id}
        if isinstance(body.get("shared_volume"), dict):
            volume = dict(body["shared_volume"])
            volume.setdefault("volume_name", f"{props['cluster_name']}-storage")
            volume["region"] = props["region"]
            body["shared_volume"] = volume
        return body, resolved

    def _adopt(self, props: dict[str, Any]) -> Cluster:
        cluster_id = props["existing_cluster_id"]
        client = session.client()
        try:
            cluster = client.get_cluster(cluster_id)
        except errors.NotFoundError:
            raise ValueError(f"GpuCluster.existing_cluster_id {cluster_id} does not exist") from None
        mismatches = [
            f"{name} is {getattr(cluster, name)}, declared {props[name]}"
            for name in ("region", "gpu_type", "cluster_name")
            if props.get(name) is not None and getattr(cluster, name) != props[name]
        ]
        if cluster.status == ClusterStatus.DELETING:
            mismatches.append("it is being deleted")
        if mismatches:
            raise ValueError(f"GpuCluster.existing_cluster_id {cluster_id} cannot be adopted: {'; '.join(mismatches)}")
        progress(f"GpuCluster: adopting existing cluster {cluster_id} ({cluster.cluster_name})")
        observed = {"num_gpus": cluster.num_gpus, "cluster_type": cluster.cluster_type}
        changes = {
            f.name: to_wire(props[f.name], f.type)
            for f in CLUSTER_FIELDS
            if f.change is IN_PLACE
            and props.get(f.name) is not None
            and f.name in observed
            and to_wire(props[f.name], f.type) != observed[f.name]
        }
        if changes:
            progress(f"GpuCluster: converging adopted cluster {cluster_id}: {', '.join(sorted(changes))}")
            cluster = client.update_cluster(cluster_id, ClusterUpdateRequest.model_validate(changes))
        return cluster

    @staticmethod
    def _outputs(props: dict[str, Any], cluster: Cluster, resolved: dict[str, Any]) -> dict[str, Any]:
        outs = without_provider(props)
        outs.update(
            cluster_id=cluster.cluster_id,
            cluster_name=cluster.cluster_name,
            status=cluster.status,
            project_id=props.get("project_id") or cluster.project_id or None,
        )
        for name in _DRIVER_FIELDS:
            if outs.get(name) is None:
                outs[name] = resolved.get(name) or getattr(cluster, name, None)
        return outs


class ClusterStep(Resource, module="together", name="Cluster"):
    """Internal child of :class:`GpuCluster` that records the cluster (see the module docstring)."""

    cluster_id: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    num_gpus: pulumi.Output[int]
    cluster_type: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ClusterProvider(), name, props, opts)


# --- the readiness step ----------------------------------------------------------------------------


class ReadinessProvider(TableProvider):
    """Waits until the cluster is Ready after create and after every update, then reports it."""

    table: ClassVar[tuple[Field, ...]] = ()
    kind: ClassVar[str] = "GpuCluster"

    _INPUTS = (
        "cluster_id",
        "cluster_name",
        "num_gpus",
        "cluster_type",
        "auto_scale",
        "billing_type",
        "reservation_start_time",
        "wait_for_ready",
        "ready_timeout_seconds",
    )

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = from_engine(news)
        return CheckResult({k: news[k] for k in self._INPUTS if news.get(k) is not None}, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Never a replacement: waiting on a new cluster id is just another wait. (During the preview
        # of any Cluster update its id is unknown, so replacing here would show phantom replaces.)
        olds, news = from_engine(olds), from_engine(news)
        changed = [k for k in self._INPUTS if news.get(k) is not None and not values_equal(olds.get(k), news[k])]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"{props['cluster_name']}-ready", self._wait(props))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._wait(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            cluster = session.client().get_cluster(props["cluster_id"])
        except errors.NotFoundError:
            return ReadResult("", {})
        outs = without_provider(props)
        outs.update(_node_outputs(cluster))
        if not props.get("auto_scale"):
            # What the nodes were made for, as observed: after drift, the next up waits for the size
            # it restores (the autoscaler's moves are not drift).
            outs.update(num_gpus=cluster.num_gpus, cluster_type=cluster.cluster_type)
        return ReadResult(id_, outs, {k: outs[k] for k in self._INPUTS if outs.get(k) is not None})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to do: the Cluster step deletes the cluster."""

    def _wait(self, props: dict[str, Any]) -> dict[str, Any]:
        client = session.client()
        cluster_id, name = props["cluster_id"], props.get("cluster_name") or props["cluster_id"]
        want_gpus = _int(props["num_gpus"])
        timeout = float(props.get("ready_timeout_seconds") or 3600)
        label = f"GpuCluster {name} ({cluster_id})"

        def fetch() -> Cluster | None:
            try:
                return client.get_cluster(cluster_id)
            except errors.NotFoundError:
                return None

        def ready(c: Cluster | None) -> bool:
            if c is None or c.status != ClusterStatus.READY:
                return False
            return bool(props.get("auto_scale")) or (c.num_gpus == want_gpus and _live_gpus(c) == want_gpus)

        def describe(c: Cluster | None) -> str:
            if c is None:
                return "gone"
            return f"{c.status}, {len(c.gpu_worker_nodes)} of {want_gpus // GPUS_PER_NODE} GPU nodes"

        def gone(c: Cluster | None) -> str | None:
            if c is None or c.status == ClusterStatus.DELETING:
                return (
                    f"{label} was deleted while waiting for Ready (outside Pulumi?). Run `pulumi refresh` "
                    "and then `pulumi up` to create it again."
                )
            return None

        def timed_out(c: Cluster | None, elapsed: float) -> str:
            status = c.status if c else "unknown"
            if c is not None and c.status == ClusterStatus.READY:
                status = f"Ready with {_live_gpus(c)} of {want_gpus} GPUs"
            return (
                f"{label} is still {status} after {elapsed:.0f}s waiting for Ready (ready_timeout_seconds="
                f"{timeout:.0f}). The cluster exists and is recorded in the stack state: run `pulumi up` "
                "again to resume waiting (no second cluster is created), or raise ready_timeout_seconds."
            )

        if not props.get("wait_for_ready", True) or self._scheduled_later(props):
            cluster = fetch()
            if cluster is None:
                raise RuntimeError(gone(None) or "")
            progress(f"{label}: {cluster.status} (not waiting for Ready)")
        else:
            cluster = poll_until(
                fetch, ready, describe=describe, label=label, timeout_seconds=timeout, on_timeout=timed_out, fail=gone
            )
            assert cluster is not None
        outs = {k: props[k] for k in self._INPUTS if props.get(k) is not None}
        outs.update(_node_outputs(cluster))
        return outs

    @staticmethod
    def _scheduled_later(props: dict[str, Any]) -> bool:
        """SCHEDULED_CAPACITY clusters start at their reservation time: do not wait for that."""
        if props.get("billing_type") != BillingType.SCHEDULED_CAPACITY or not props.get("reservation_start_time"):
            return False
        start = parse_time(str(props["reservation_start_time"]))
        return start is not None and start > datetime.now(UTC)


class ReadinessStep(Resource, module="together", name="ClusterReadiness"):
    """Internal child of :class:`GpuCluster` that waits for Ready (see the module docstring)."""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(ReadinessProvider(), name, {**props, **{k: None for k in READINESS_OUTPUTS}}, opts)


# --- the public resource ---------------------------------------------------------------------------


@dataclass
class EnabledFlagArgs:
    """``{"enabled": bool}``."""

    enabled: pulumi.Input[bool] | None = None


@dataclass
class AddOnConfigArgs:
    """Per-type add-on configuration."""

    dashboard: EnabledFlagArgs | None = None
    ingress: EnabledFlagArgs | None = None
    torchpass: EnabledFlagArgs | None = None
    headlamp: EnabledFlagArgs | None = None
    slurm_web: EnabledFlagArgs | None = None


@dataclass
class AddOnArgs:
    """An add-on enabled on the cluster."""

    add_on_type: pulumi.Input[str]
    name: pulumi.Input[str]
    config: AddOnConfigArgs | None = None


@dataclass
class SlurmStartupScriptsArgs:
    """Slurm lifecycle scripts."""

    controller_prolog: pulumi.Input[str] | None = None
    controller_epilog: pulumi.Input[str] | None = None
    worker_prolog: pulumi.Input[str] | None = None
    worker_epilog: pulumi.Input[str] | None = None
    login_init_script: pulumi.Input[str] | None = None
    nodeset_init_script: pulumi.Input[str] | None = None
    extra_slurm_conf: pulumi.Input[str] | None = None


@dataclass
class ClusterConfigArgs:
    """Cluster software configuration."""

    load_balancer: pulumi.Input[str]
    gpu_operator_version: pulumi.Input[str] | None = None
    network_operator_version: pulumi.Input[str] | None = None
    jumphost_enabled: pulumi.Input[bool] | None = None
    kubernetes_dashboard_enabled: pulumi.Input[bool] | None = None
    ssh_ca_enabled: pulumi.Input[bool] | None = None
    ingress: EnabledFlagArgs | None = None
    observability: EnabledFlagArgs | None = None
    slurm_startup_scripts: SlurmStartupScriptsArgs | None = None


@dataclass
class OidcConfigArgs:
    """OIDC login for the Kubernetes API."""

    issuer_url: pulumi.Input[str]
    client_id: pulumi.Input[str]
    username_claim: pulumi.Input[str]
    username_prefix: pulumi.Input[str]
    group_claim: pulumi.Input[str]
    group_prefix: pulumi.Input[str]
    ca_cert: pulumi.Input[str] | None = None


@dataclass
class AcceptanceTestsParamsArgs:
    """GPU acceptance tests run during bring-up."""

    enabled: pulumi.Input[bool] | None = None
    dcgm_diag_level: pulumi.Input[str] | None = None
    dcgm_diag_skipped: pulumi.Input[bool] | None = None
    gpu_burn_skipped: pulumi.Input[bool] | None = None
    gpu_burn_duration: pulumi.Input[int] | None = None
    nccl_single_node_skipped: pulumi.Input[bool] | None = None
    nccl_multi_node_skipped: pulumi.Input[bool] | None = None
    storage_skipped: pulumi.Input[bool] | None = None


@dataclass
class InlineSharedVolumeArgs:
    """A shared volume created with the cluster."""

    size_tib: pulumi.Input[int]
    volume_name: pulumi.Input[str] | None = None
    is_lifecycle_independent: pulumi.Input[bool] | None = None
    project_id: pulumi.Input[str] | None = None


@dataclass
class GpuClusterArgs:
    """Arguments of :class:`GpuCluster`; ``docs/reference.md`` describes every field."""

    region: pulumi.Input[str]
    gpu_type: pulumi.Input[str]
    num_gpus: pulumi.Input[int]
    cluster_type: pulumi.Input[str] | None = None
    cluster_name: pulumi.Input[str] | None = None
    nvidia_version_id: pulumi.Input[str] | None = None
    cuda_version: pulumi.Input[str] | None = None
    nvidia_driver_version: pulumi.Input[str] | None = None
    billing_type: pulumi.Input[str] | None = None
    duration_days: pulumi.Input[int] | None = None
    reservation_start_time: pulumi.Input[str] | None = None
    reservation_end_time: pulumi.Input[str] | None = None
    num_reserved_gpus: pulumi.Input[int] | None = None
    num_preemptible_gpus: pulumi.Input[int] | None = None
    capacity_pool_id: pulumi.Input[str] | None = None
    num_capacity_pool_gpus: pulumi.Input[int] | None = None
    project_id: pulumi.Input[str] | None = None
    volume_id: pulumi.Input[str] | None = None
    shared_volume: InlineSharedVolumeArgs | pulumi.Input[dict[str, Any]] | None = None
    slurm_shm_size_gib: pulumi.Input[int] | None = None
    slurm_image: pulumi.Input[str] | None = None
    install_traefik: pulumi.Input[bool] | None = None
    auto_scale: pulumi.Input[bool] | None = None
    auto_scale_max_gpus: pulumi.Input[int] | None = None
    oidc_config: OidcConfigArgs | pulumi.Input[dict[str, Any]] | None = None
    acceptance_tests_params: AcceptanceTestsParamsArgs | pulumi.Input[dict[str, Any]] | None = None
    add_ons: list[AddOnArgs] | pulumi.Input[list[Any]] | None = None
    cluster_config: ClusterConfigArgs | pulumi.Input[dict[str, Any]] | None = None
    existing_cluster_id: pulumi.Input[str] | None = None
    wait_for_ready: pulumi.Input[bool] | None = None
    ready_timeout_seconds: pulumi.Input[int] | None = None
    delete_timeout_seconds: pulumi.Input[int] | None = None


class GpuCluster(pulumi.ComponentResource):
    """A Together Instant GPU cluster: ``num_gpus / 8`` nodes of ``gpu_type``, Kubernetes or Slurm.

    ``pulumi up`` creates it and waits until it is Ready (``wait_for_ready``, ``ready_timeout_seconds``);
    ``kubeconfig`` is always secret. See the module docstring for why this is a component.
    """

    cluster_id: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    region: pulumi.Output[str]
    gpu_type: pulumi.Output[str]
    num_gpus: pulumi.Output[int]
    cluster_type: pulumi.Output[str]
    billing_type: pulumi.Output[str]
    project_id: pulumi.Output[str | None]
    nvidia_version_id: pulumi.Output[str | None]
    cuda_version: pulumi.Output[str]
    nvidia_driver_version: pulumi.Output[str]
    status: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    num_nodes: pulumi.Output[int]
    control_plane_nodes: pulumi.Output[list[dict[str, Any]]]
    gpu_worker_nodes: pulumi.Output[list[dict[str, Any]]]
    volumes: pulumi.Output[list[dict[str, Any]]]
    created_at: pulumi.Output[str | None]
    first_ready_at: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: GpuClusterArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__("together:index:GpuCluster", resource_name, None, opts)
        props = props_from_args(GpuClusterArgs, args, kwargs, CLUSTER_FIELDS, "GpuCluster")
        props = {k: v for k, v in props.items() if k not in READINESS_OUTPUTS}
        props[AUTONAME_PREFIX] = resource_name
        user = opts or pulumi.ResourceOptions()
        # Options that matter for the billable object go to the Cluster step, not only the component.
        cluster = ClusterStep(
            resource_name,
            props,
            pulumi.ResourceOptions(
                parent=self,
                protect=user.protect,
                retain_on_delete=user.retain_on_delete,
                ignore_changes=user.ignore_changes,
                delete_before_replace=user.delete_before_replace,
                replace_on_changes=user.replace_on_changes,
                depends_on=user.depends_on,
            ),
        )
        # The id, name, size and type come from the Cluster step: waiting starts after it, and for
        # the size it really has (ignore_changes=["num_gpus"] must not make it wait for another). Its
        # resource id, unlike an output, stays known in the preview of an update. The flags come from
        # the user's inputs, known during preview even when absent from state.
        ready_props = {
            "cluster_id": cluster.id,
            "cluster_name": cluster.cluster_name,
            "num_gpus": cluster.num_gpus,
            "cluster_type": cluster.cluster_type,
            **{
                k: props.get(k)
                for k in (
                    "auto_scale",
                    "billing_type",
                    "reservation_start_time",
                    "wait_for_ready",
                    "ready_timeout_seconds",
                )
            },
        }
        ready = ReadinessStep(
            f"{resource_name}-ready",
            ready_props,
            pulumi.ResourceOptions(parent=self, additional_secret_outputs=["kubeconfig"]),
        )

        outputs: dict[str, Any] = {}
        for f in CLUSTER_FIELDS:
            if f.name == "cluster_id":
                value = cluster.id  # known during the preview of an update, unlike an output
            elif f.name in READINESS_OUTPUTS:
                value = getattr(ready, f.name)
            elif hasattr(cluster, f.name):
                value = getattr(cluster, f.name)
            else:
                continue
            outputs[f.name] = pulumi.Output.secret(value) if f.secret else value
            setattr(self, f.name, outputs[f.name])
        self.register_outputs(outputs)
