"""A multi-node B200 Slurm cluster with a shared volume that outlives it."""

import pulumi

import together_pulumi as together

config = pulumi.Config()
region = config.get("region") or "us-west-2"
nodes = config.get_int("nodes") or 2

data = together.SharedVolume(
    "data", together.SharedVolumeArgs(region=region, size_tib=config.get_int("volumeTib") or 4)
)

train = together.GpuCluster(
    "train",
    together.GpuClusterArgs(
        region=region,
        gpu_type=together.GpuType.B200_SXM,
        num_gpus=8 * nodes,
        cluster_type=together.ClusterType.SLURM,
        slurm_shm_size_gib=64,
        volume_id=data.volume_id,
        cluster_config=together.ClusterConfigArgs(
            load_balancer="NONE",
            slurm_startup_scripts=together.SlurmStartupScriptsArgs(
                worker_prolog="#!/bin/bash\nnvidia-smi -L > /dev/null\n"
            ),
        ),
    ),
)

pulumi.export("volume_id", data.volume_id)
pulumi.export("cluster_id", train.cluster_id)
pulumi.export("status", train.status)
pulumi.export("num_nodes", train.num_nodes)
pulumi.export("kubeconfig", train.kubeconfig)
