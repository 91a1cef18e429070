"""The field table of GpuCluster: every input and output, once (see ``..fields``)."""

from __future__ import annotations

from ...api.enums import BillingType, ClusterType, GpuType
from ...contract import GPUS_PER_NODE
from ..fields import Change, Field, ListOf
from .types import (
    ACCEPTANCE_TESTS_PARAMS,
    ADD_ON,
    CLUSTER_CONFIG,
    CLUSTER_VOLUME,
    CONTROL_PLANE_NODE,
    GPU_WORKER_NODE,
    INLINE_SHARED_VOLUME,
    OIDC_CONFIG,
)

__all__ = [
    "CLUSTER_FIELDS",
    "COUNTS_RESET_WHEN_REMOVED",
    "DRIVER_FIELDS",
    "GPUS_PER_NODE",
    "NAME_LINKS",
    "READINESS_FROM_CLUSTER_PART",
    "READINESS_INPUTS",
    "READINESS_OUTPUTS",
]

NODE_UNIT = "one node = 8 GPUs"

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
        minimum=GPUS_PER_NODE,
        multiple_of=GPUS_PER_NODE,
        unit=NODE_UNIT,
    ),
    Field("cluster_type", ClusterType, "Orchestrator: KUBERNETES or SLURM.", default="KUBERNETES", change=IN_PLACE),
    Field(
        "cluster_name",
        str,
        "Name of the cluster: 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or "
        "digit. Default: the resource name plus a suffix derived from the stack and the replacing inputs, the "
        "same in preview and up.",
        computed=True,
    ),
    Field(
        "nvidia_version_id",
        str,
        "Driver catalogue entry of the region (get_regions()). With neither this "
        "nor cuda_version/nvidia_driver_version, the region's newest entry is used and reported.",
        computed=True,
        reported_as="nvidia_driver_version_id",
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
    Field("duration_days", int, "RESERVED only: reservation length, 1 to 90 days.", minimum=1, maximum=90),
    Field("reservation_start_time", str, "SCHEDULED_CAPACITY only: RFC 3339 start of the reservation."),
    Field(
        "reservation_end_time",
        str,
        "RESERVED or SCHEDULED_CAPACITY: RFC 3339 end of the reservation; can be moved in place.",
        change=IN_PLACE,
    ),
    Field(
        "num_reserved_gpus",
        int,
        "RESERVED only: prepaid GPUs within num_gpus.",
        change=IN_PLACE,
        minimum=0,
        multiple_of=GPUS_PER_NODE,
        unit=NODE_UNIT,
    ),
    Field(
        "num_preemptible_gpus",
        int,
        "Preemptible GPUs requested besides num_gpus (multiple of 8; needs project_id; Kubernetes only).",
        change=IN_PLACE,
        reported_as="desired_preemptible_gpus",
        minimum=0,
        multiple_of=GPUS_PER_NODE,
        unit=NODE_UNIT,
    ),
    Field("capacity_pool_id", str, "Capacity pool to draw GPUs from."),
    Field(
        "num_capacity_pool_gpus",
        int,
        "GPUs drawn from capacity_pool_id (multiple of 8, at most num_gpus).",
        change=IN_PLACE,
        minimum=0,
        multiple_of=GPUS_PER_NODE,
        unit=NODE_UNIT,
    ),
    Field("project_id", str, "Project that owns the cluster. Default: the API key's project.", computed=True),
    Field("volume_id", str, "Existing shared volume of the same region to attach (e.g. a SharedVolume's volume_id)."),
    Field("shared_volume", INLINE_SHARED_VOLUME, "A shared volume created together with the cluster."),
    Field(
        "slurm_shm_size_gib",
        int,
        "SLURM only (required to create one): shared memory size in GiB. A cluster switched to SLURM in place "
        "gets the service's default (64).",
        minimum=1,
        unit="GiB",
        computed=True,
    ),
    Field("slurm_image", str, "SLURM only: custom Slurm image."),
    Field("install_traefik", bool, "KUBERNETES only: install the Traefik ingress controller."),
    Field(
        "auto_scale",
        bool,
        "Let the cluster autoscaler move the GPU count between num_gpus and "
        "auto_scale_max_gpus; such moves are not drift.",
    ),
    Field(
        "auto_scale_max_gpus",
        int,
        "Upper bound for auto_scale (multiple of 8, at least num_gpus).",
        minimum=GPUS_PER_NODE,
        multiple_of=GPUS_PER_NODE,
        unit=NODE_UNIT,
    ),
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
        minimum=1,
        unit="second",
    ),
    Field(
        "delete_timeout_seconds",
        int,
        "How long delete waits for the cluster to be gone.",
        default=1800,
        change=STATE_ONLY,
        sent=False,
        minimum=1,
        unit="second",
    ),
    # outputs: read from the API's cluster under the same name (see cluster.report), required = always there
    Field("cluster_id", str, "ID of the cluster.", input=False, required=True),
    Field("status", str, "Status when last read, e.g. Ready.", input=False, required=True),
    Field(
        "kubeconfig",
        str,
        "Admin kubeconfig (YAML) of the cluster; empty until the control plane is up. Always secret.",
        input=False,
        secret=True,
        required=True,
    ),
    Field(
        "kubernetes_endpoint",
        str,
        "URL of the cluster's Kubernetes API server (from the kubeconfig; empty until the control plane is up).",
        input=False,
    ),
    Field(
        "kubernetes_ca_certificate",
        str,
        "PEM CA certificate of the Kubernetes API server (from the kubeconfig). Public; the kubeconfig's token is "
        "the secret.",
        input=False,
    ),
    Field("num_nodes", int, "Number of GPU worker nodes.", input=False, required=True),
    Field("control_plane_nodes", ListOf(CONTROL_PLANE_NODE), "Control plane nodes.", input=False, required=True),
    Field(
        "gpu_worker_nodes",
        ListOf(GPU_WORKER_NODE),
        "GPU worker nodes with their health: status and latest remediation.",
        input=False,
        required=True,
    ),
    Field(
        "slurm_worker_hostnames",
        ListOf(str),
        "SLURM only: the workers' host names inside Slurm (empty for Kubernetes). The API reports no login host.",
        input=False,
        required=True,
    ),
    Field("volumes", ListOf(CLUSTER_VOLUME), "Attached shared volumes.", input=False, required=True),
    Field("os_image", str, "OS image of the nodes, e.g. ubuntu22.04-cuda12.8-nvidia570.", input=False),
    Field("created_at", str, "Creation time (RFC 3339).", input=False),
    Field("first_ready_at", str, "When the cluster first became Ready (RFC 3339).", input=False),
)

#: The driver selectors: the service picks one when none is given.
DRIVER_FIELDS = ("nvidia_version_id", "cuda_version", "nvidia_driver_version")

#: In-place counts whose removal from the program means zero.
COUNTS_RESET_WHEN_REMOVED = ("num_reserved_gpus", "num_preemptible_gpus", "num_capacity_pool_gpus")

#: Replacing inputs that link to other objects, left out of the auto-name's hash so that the name is
#: known at preview even while a linked volume is still being made (a change of one keeps the name,
#: so the old cluster is deleted first).
NAME_LINKS = ("volume_id", "shared_volume", "project_id", "existing_cluster_id")

#: What the readiness part waits on, taken from the Cluster part (its id and what it really has:
#: with ignore_changes=["num_gpus"] it must not wait for another size) ...
READINESS_FROM_CLUSTER_PART = ("cluster_id", "cluster_name", "num_gpus", "cluster_type")
#: ... and the inputs of the readiness part in all: those plus how to wait, from the user's inputs.
READINESS_INPUTS = (
    *READINESS_FROM_CLUSTER_PART,
    "auto_scale",
    "billing_type",
    "reservation_start_time",
    "wait_for_ready",
    "ready_timeout_seconds",
)
#: Outputs the readiness part reports (everything output-only except the id, which Cluster owns).
READINESS_OUTPUTS = tuple(f.name for f in CLUSTER_FIELDS if not f.input and f.name != "cluster_id")
