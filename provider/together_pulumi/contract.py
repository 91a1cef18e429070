"""The provider's contract with the engine and the API, in one small module that imports nothing heavy.

The provider (``model/``, ``program/``, ``host/``), ``review/`` and ``policy/`` (which read what the
engine reports about the provider's resources) and the end-to-end tests import these names instead
of keeping copies.
The emulator keeps its own copy of the API's facts on purpose: it is an independent oracle.

- The API's GPU and billing types (their enums are :mod:`.api.enums`), and the 8 GPUs of every node.
- The engine type tokens of the resources. They are stored in every stack, like the pickled
  provider names (:mod:`.pickled`): never change one, or every stack sees a new resource type.
- How the engine spells a value that is not known during a preview.
"""

from __future__ import annotations

from typing import Any, Final

from .api.enums import BillingType, GpuType

__all__ = [
    "BILLING_TYPES",
    "CLUSTER_PART_NAME",
    "CLUSTER_READINESS_NAME",
    "CLUSTER_TYPE",
    "DYNAMIC_MODULE",
    "GPUS_PER_NODE",
    "GPU_CLUSTER_TYPE",
    "GPU_TYPES",
    "PACKAGE",
    "READINESS_TYPE",
    "UNKNOWN_SENTINELS",
    "UNKNOWN_STRING",
    "VOLUME_NAME",
    "VOLUME_READINESS_NAME",
    "VOLUME_READINESS_TYPE",
    "VOLUME_TYPE",
    "dynamic_type",
    "is_engine_unknown",
]

#: Every node carries 8 GPUs, on every GPU type offered.
GPUS_PER_NODE: Final = 8
GPU_TYPES: Final[tuple[str, ...]] = tuple(t.value for t in GpuType)
BILLING_TYPES: Final[tuple[str, ...]] = tuple(t.value for t in BillingType)

# --- engine type tokens ---------------------------------------------------------------------------

#: The schema's package name: tokens ``together:index:<Name>``, config keys ``together:<key>``.
PACKAGE: Final = "together"
#: The component a user declares for a cluster.
GPU_CLUSTER_TYPE: Final = f"{PACKAGE}:index:GpuCluster"
#: The ``module`` of every dynamic resource class; with its ``name``, the engine type token.
DYNAMIC_MODULE: Final = "together"
#: The GpuCluster's child that holds every input (named like the component).
CLUSTER_PART_NAME: Final = "Cluster"
#: The GpuCluster's child that waits for Ready (``<name>-ready``).
CLUSTER_READINESS_NAME: Final = "ClusterReadiness"
VOLUME_NAME: Final = "SharedVolume"
#: The SharedVolume's child that waits until it is usable (``<name>-ready``).
VOLUME_READINESS_NAME: Final = "VolumeReadiness"


def dynamic_type(name: str) -> str:
    """The engine type token of a Python dynamic resource class ``name`` of :data:`DYNAMIC_MODULE`."""
    return f"pulumi-python:dynamic/{DYNAMIC_MODULE}:{name}"


CLUSTER_TYPE: Final = dynamic_type(CLUSTER_PART_NAME)
READINESS_TYPE: Final = dynamic_type(CLUSTER_READINESS_NAME)
VOLUME_TYPE: Final = dynamic_type(VOLUME_NAME)
VOLUME_READINESS_TYPE: Final = dynamic_type(VOLUME_READINESS_NAME)

# --- values not known yet -------------------------------------------------------------------------

#: The engine's placeholder for a string not known during a preview; previews print it for any unknown.
UNKNOWN_STRING: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
#: How the engine spells a value that is not known during a preview (one per kind of value).
UNKNOWN_SENTINELS: Final = frozenset(
    {
        UNKNOWN_STRING,
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    }
)


def is_engine_unknown(value: Any) -> bool:
    """Whether ``value`` is one of the engine's placeholders for a value not known yet. (The Pulumi SDK
    also hands ``check`` and ``diff`` a ``pulumi.output.Unknown`` object: see ``model.fields``.)"""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS
