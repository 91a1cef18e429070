"""A GpuCluster in the provider host: the cluster provider, the readiness provider, the rules that
span fields and what a refresh observes."""
