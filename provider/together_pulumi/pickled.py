"""FROZEN: the names under which every stack stores this package's dynamic providers.

Pulumi's Python dynamic resources pickle their provider (with dill, by reference) into each
resource's state as ``__provider``: module path plus class name, nothing else. ``pulumi refresh``,
``up`` and ``destroy`` of an existing stack unpickle that name, so a provider class that moves or is
renamed breaks every stack that stored it. Pulumi pins engine type tokens independently of where a
class lives; this module does the same for the pickled names:

* each provider class declares ``__module__ = "together_pulumi.pickled"``, so stacks written from
  0.2.0 on name this module, wherever the class itself lives;
* this module re-exports the classes under those names. Never rename, move or remove a name here;
  a class that moves only changes the import below;
* a class renamed later keeps its frozen name here as an alias (``ReadinessProvider`` is
  ``ClusterReadinessProvider``): dill pickles a class by its ``__module__`` and ``__qualname__``, so
  a renamed class also sets ``__qualname__`` to the frozen name;
* the names written by earlier versions stay importable where they were (``LEGACY_NAMES``; the
  modules of ``together_pulumi/resources/`` now hold nothing else): tests load, update and destroy
  stacks with the pickles of every version (``tests/resources/fixtures``).
"""

from __future__ import annotations

from .host.cluster.provider import ClusterProvider
from .host.cluster.readiness import ClusterReadinessProvider
from .host.volume.provider import SharedVolumeProvider
from .host.volume.readiness import VolumeReadinessProvider

#: The cluster's readiness provider, under the name every stack stores (the class was renamed in 0.3.0).
ReadinessProvider = ClusterReadinessProvider

__all__ = ["LEGACY_NAMES", "ClusterProvider", "ReadinessProvider", "SharedVolumeProvider", "VolumeReadinessProvider"]

#: Where each provider was pickled from before 0.2.0, by version; these modules keep the names.
LEGACY_NAMES: dict[str, tuple[str, ...]] = {
    "ClusterProvider": (
        "together_pulumi.resources.gpu_cluster",  # 0.1.0
        "together_pulumi.resources.cluster.step",  # 0.1.0 after the split of resources/
    ),
    "ReadinessProvider": ("together_pulumi.resources.gpu_cluster", "together_pulumi.resources.cluster.readiness"),
    "SharedVolumeProvider": ("together_pulumi.resources.shared_volume", "together_pulumi.resources.volume.step"),
    "VolumeReadinessProvider": ("together_pulumi.resources.volume.readiness",),
}
