"""The nested object types of a GpuCluster: its settings objects and what it reports about nodes.

The reported objects (nodes, volumes, remediations) are read from the API's answer field by field
under these names (:func:`.report.reported`); ``required`` there means "always reported".
"""

from __future__ import annotations

from ...api.enums import AddOnType, DcgmDiagLevel, LoadBalancer
from ..fields import Field, ListOf, ObjectType

__all__ = [
    "ACCEPTANCE_TESTS_PARAMS",
    "ADD_ON",
    "CLUSTER_CONFIG",
    "CLUSTER_VOLUME",
    "CONTROL_PLANE_NODE",
    "ENABLED_FLAG",
    "GPU_WORKER_NODE",
    "INLINE_SHARED_VOLUME",
    "NODE_REMEDIATION",
    "OIDC_CONFIG",
    "SLURM_STARTUP_SCRIPTS",
]

ENABLED_FLAG = ObjectType("EnabledFlag", "A feature switch.", (Field("enabled", bool, "Whether it is on."),))

ADD_ON = ObjectType(
    "AddOn",
    "An add-on enabled on the cluster.",
    (
        # SDK 3.1.1 AddOn.add_on_type is a str: any value goes to the service, which decides.
        Field("add_on_type", str, f"Kind of add-on, e.g. {', '.join(t.value for t in AddOnType)}.", required=True),
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
        Field("username_claim", str, "JWT claim used as the username, e.g. sub or email.", required=True),
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
        Field("size_tib", int, "Size in whole TiB (at least 1).", required=True, minimum=1, unit="TiB"),
        Field("volume_name", str, "Name of the volume. Default: '<cluster_name>-storage'."),
        Field(
            "is_lifecycle_independent",
            bool,
            "Must stay false: an inline volume that outlived its cluster would be left behind by "
            "pulumi destroy (declare a SharedVolume for that).",
        ),
        Field("project_id", str, "Project owning the volume. Default: the cluster's project."),
        Field(
            "instance_cluster_id",
            str,
            "Place the volume next to this other existing cluster of the region (co-location). Used only at "
            "creation: changing it later never replaces the cluster.",
        ),
    ),
)

NODE_REMEDIATION = ObjectType(
    "NodeRemediation",
    "The latest remediation of a node (details: get_remediation / list_remediations).",
    (
        Field("id", str, "Remediation ID."),
        Field("mode", str, "How it repairs the node, e.g. REMEDIATION_MODE_REBOOT_VM."),
        Field("state", str, "Where it is: PENDING_APPROVAL, PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, ..."),
        Field("trigger", str, "REMEDIATION_TRIGGER_MANUAL (a user) or REMEDIATION_TRIGGER_AUTOMATED (health checks)."),
    ),
)

CONTROL_PLANE_NODE = ObjectType(
    "ControlPlaneNode",
    "A control plane node.",
    (
        Field("node_id", str, "Node ID.", required=True),
        Field("host_name", str, "Host name.", required=True),
        Field("status", str, "Node status.", required=True),
        Field("network", str, "Network of the node (a CIDR)."),
        Field("public_ipv4", str, "Public IPv4 address, when it has one."),
    ),
)

GPU_WORKER_NODE = ObjectType(
    "GpuWorkerNode",
    "A GPU worker node (8 GPUs) and its health.",
    (
        Field("node_id", str, "Node ID.", required=True),
        Field("host_name", str, "Host name.", required=True),
        Field("status", str, "Node status, e.g. Running, Cordoned, Rebooting, Unhealthy.", required=True),
        Field("num_gpus", int, "GPUs on the node.", required=True),
        Field("instance_id", str, "Instance ID (what node remediations address)."),
        Field("networks", ListOf(str), "Networks of the node.", required=True),
        Field("public_ipv4", str, "Public IPv4 address, when it has one."),
        Field("slurm_worker_hostname", str, "SLURM only: the node's host name inside Slurm."),
        Field("auto_remediation_enabled", bool, "Whether the service repairs the node on its own when it fails."),
        Field("marked_for_deletion", bool, "Whether the node is about to be removed (e.g. by a scale-down)."),
        Field("latest_remediation", NODE_REMEDIATION, "The node's latest remediation, if it ever had one."),
    ),
)

CLUSTER_VOLUME = ObjectType(
    "ClusterVolume",
    "A volume attached to the cluster.",
    (
        Field("volume_id", str, "Volume ID.", required=True),
        Field("volume_name", str, "Volume name.", required=True),
        Field("size_tib", int, "Size in TiB.", required=True),
        Field("status", str, "Volume status.", required=True),
    ),
)
