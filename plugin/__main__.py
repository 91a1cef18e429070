"""The together component plugin: serves together:index:GpuCluster and together:index:SharedVolume."""

from together_pulumi.component import serve

serve()
