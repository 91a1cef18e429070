// A GPU cluster from plain JavaScript (no TypeScript): the same program as ../typescript without types or
// the volume, and a lookup of it. `numGpus` (stack config, default 8) scales the cluster in place.
"use strict";
const pulumi = require("@pulumi/pulumi");
const together = require("@pulumi/together");

const config = new pulumi.Config();

const train = new together.GpuCluster("train", {
    region: config.get("region") || "us-central-8",
    gpuType: "H100_SXM",
    numGpus: config.getNumber("numGpus") || 8,
});

exports.clusterId = train.clusterId;
exports.status = train.status;
exports.numNodes = train.numNodes;
// Secret without pulumi.secret(): the component marks it so.
exports.kubeconfig = train.kubeconfig;

// A function (an invoke the plugin answers): the cluster as a lookup reports it, once it exists.
const found = together.getClusterOutput({ clusterId: train.clusterId });
exports.foundStatus = found.status;
exports.foundKubeconfig = found.kubeconfig; // secret too
