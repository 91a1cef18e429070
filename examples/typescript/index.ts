// A shared volume and a Slurm cluster attached to it, from TypeScript. `numGpus` (stack config, default 8)
// scales the cluster in place; the kubeconfig is exported as a secret.
import * as pulumi from "@pulumi/pulumi";
import * as together from "@pulumi/together";

const config = new pulumi.Config();
const region = config.get("region") ?? "us-central-8";

const data = new together.SharedVolume("data", { region, sizeTib: 1 });

const train = new together.GpuCluster("train", {
    region,
    gpuType: "H100_SXM",
    numGpus: config.getNumber("numGpus") ?? 8,
    clusterType: "SLURM",
    slurmShmSizeGib: 64,
    volumeId: data.volumeId,
});

export const volumeId = data.volumeId;
export const clusterId = train.clusterId;
export const status = train.status;
export const numNodes = train.numNodes;
// Secret without pulumi.secret(): the component marks it so, and the generated SDK too.
export const kubeconfig = train.kubeconfig;
