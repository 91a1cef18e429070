"""A GpuCluster's field table, its nested types and its report."""
