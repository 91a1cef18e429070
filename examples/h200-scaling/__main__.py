"""An H200 Kubernetes cluster sized from stack config: change `numGpus` and `pulumi up` scales it."""

import pulumi

import together_pulumi as together

config = pulumi.Config()

cluster = together.GpuCluster(
    "scaling",
    region=config.get("region") or "us-central-8",
    gpu_type=together.GpuType.H200_SXM,
    num_gpus=config.get_int("numGpus") or 8,
)

pulumi.export("cluster_id", cluster.cluster_id)
pulumi.export("num_nodes", cluster.num_nodes)
pulumi.export("status", cluster.status)
