"""A GpuCluster's pieces: nested types, the field table, the rules, the Cluster step and the readiness
step (the public component is ``..gpu_cluster``)."""
