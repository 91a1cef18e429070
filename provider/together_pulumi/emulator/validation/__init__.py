"""Request-body validation: every rule the service applies before touching state.

Bodies are read as raw JSON (not FastAPI models) so every error has the service's ``{"code",
"message", "details"}`` shape, with one ``field_violations`` entry per bad field. Rules that
need the store (does the volume exist, is there stock) live with the operations.
"""

from .admin import (
    CapacitySetting,
    parse_admin_scale,
    parse_admin_status,
    parse_admin_volume_status,
    parse_capacity,
    parse_preempt,
)
from .checker import Checker, parse_timestamp, require_number, require_object
from .cluster_create import ClusterSpec, InlineVolumeSpec, parse_cluster_create
from .cluster_update import ClusterUpdate, parse_cluster_update
from .shapes import ADD_ON_TYPES, BILLING_TYPES, CLUSTER_TYPES, LOAD_BALANCERS
from .volumes import VolumeResize, VolumeSpec, parse_volume_create, parse_volume_update

__all__ = [
    "ADD_ON_TYPES",
    "BILLING_TYPES",
    "CLUSTER_TYPES",
    "LOAD_BALANCERS",
    "CapacitySetting",
    "Checker",
    "ClusterSpec",
    "ClusterUpdate",
    "InlineVolumeSpec",
    "VolumeResize",
    "VolumeSpec",
    "parse_admin_scale",
    "parse_admin_status",
    "parse_admin_volume_status",
    "parse_capacity",
    "parse_cluster_create",
    "parse_cluster_update",
    "parse_preempt",
    "parse_timestamp",
    "parse_volume_create",
    "parse_volume_update",
    "require_number",
    "require_object",
]
