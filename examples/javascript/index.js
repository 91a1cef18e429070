// A GPU cluster from plain JavaScript (no TypeScript): the same program as ../typescript without types or
// the volume. `numGpus` (stack config, default 8) scales the cluster in place.
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
