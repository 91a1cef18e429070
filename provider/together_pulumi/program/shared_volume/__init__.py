"""``SharedVolume``: the public dynamic resource (``resource.py``) and its readiness child
(``parts.py``), registered by the user's program."""

from .resource import SharedVolume

__all__ = ["SharedVolume"]
