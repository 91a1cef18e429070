"""The program every environment stack runs: one H100 node (8 GPUs)."""

import pulumi

import together_pulumi as together

config = pulumi.Config()

cluster = together.GpuCluster(
    "env",
    region=config.get("region") or "us-central-8",
    gpu_type=together.GpuType.H100_SXM,
    num_gpus=8,  # one node
    cluster_type=together.ClusterType.KUBERNETES,
)

pulumi.export("cluster_id", cluster.cluster_id)
pulumi.export("status", cluster.status)
