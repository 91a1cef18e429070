"""One H100 node (8 GPUs), Kubernetes: the smallest useful Together GPU cluster."""

import pulumi

import together_pulumi as together

config = pulumi.Config()

cluster = together.GpuCluster(
    "quickstart",
    region=config.get("region") or "us-central-8",
    gpu_type=together.GpuType.H100_SXM,
    num_gpus=8,  # one node
    cluster_type=together.ClusterType.KUBERNETES,
)

pulumi.export("cluster_id", cluster.cluster_id)
pulumi.export("status", cluster.status)
pulumi.export("kubeconfig", cluster.kubeconfig)  # secret: `pulumi stack output kubeconfig --show-secrets`
