"""The together component plugin: serves together:index:GpuCluster and together:index:SharedVolume, and the
functions (together:index:getRegions, getCluster, ...) as invokes."""

from together_pulumi.component import serve

serve()
