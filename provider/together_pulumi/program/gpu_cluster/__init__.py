"""``GpuCluster``: the public component (``component.py``) and the two dynamic resources under it
(``parts.py``), all registered by the user's program."""

from .component import GpuCluster

__all__ = ["GpuCluster"]
