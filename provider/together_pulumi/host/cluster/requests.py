"""What the Cluster part sends: the create request from the checked inputs, and an update's body.

Both are converted from the field table (``sent`` inputs; ``IN_PLACE`` fields for an update); only
what the table cannot say is written here: the driver the catalog resolves, the inline volume's name,
region and project, and how add-ons are switched on and off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...model.cluster.fields import CLUSTER_FIELDS, COUNTS_RESET_WHEN_REMOVED, DRIVER_FIELDS
from ...model.fields import Change, values_equal
from .. import session
from ..errors import ProviderError
from .observed import add_on_enabled
from .rules import inline_volume_name

if TYPE_CHECKING:
    from ...api.models import ClusterCreateRequest

__all__ = ["create_request", "update_body", "update_changes"]


def create_request(props: Mapping[str, Any]) -> tuple[ClusterCreateRequest, dict[str, Any]]:
    """The create request, converted once from the checked inputs, and the driver fields the catalog
    resolved when the user chose none (the state records them: the service may not report them)."""
    from ...api.models import ClusterCreateRequest

    body = {f.name: props[f.name] for f in CLUSTER_FIELDS if f.input and f.sent and props.get(f.name) is not None}
    resolved = _resolved_driver(props, body)
    if isinstance(body.get("shared_volume"), Mapping):
        body["shared_volume"] = {
            **body["shared_volume"],
            "volume_name": inline_volume_name(props),
            "region": props["region"],
        }
        if body["shared_volume"].get("project_id") is None and props.get("project_id"):
            body["shared_volume"]["project_id"] = props["project_id"]  # with its cluster
    return ClusterCreateRequest.model_validate(body), resolved


def _resolved_driver(props: Mapping[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """With no driver chosen, the region's newest catalog entry (put into ``body``); with the legacy
    pair, the catalog's id for it, if listed."""
    region = (session.catalog() or {}).get(props["region"])
    entries = region.driver_versions if region else []
    if not any(props.get(name) for name in DRIVER_FIELDS):
        if not entries:
            raise ProviderError(
                f"GpuCluster.region {props['region']}: no driver catalog to pick a default from; set "
                "nvidia_version_id or cuda_version + nvidia_driver_version"
            )
        newest = entries[0]
        body["nvidia_version_id"] = newest.id
        return {
            "nvidia_version_id": newest.id,
            "cuda_version": newest.cuda_version,
            "nvidia_driver_version": newest.nvidia_driver_version,
        }
    if props.get("cuda_version") and not props.get("nvidia_version_id"):
        pair = (props["cuda_version"], props["nvidia_driver_version"])
        match = next((d for d in entries if (d.cuda_version, d.nvidia_driver_version) == pair), None)
        if match:
            return {"nvidia_version_id": match.id}
    return {}


def update_changes(olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """The mutable fields that changed (only those are sent); a GPU count the user removed goes back to zero."""
    changes = {
        f.name: news[f.name]
        for f in CLUSTER_FIELDS
        if f.change is Change.IN_PLACE
        and news.get(f.name) is not None
        and not values_equal(olds.get(f.name), news[f.name])
    }
    changes.update({name: 0 for name in COUNTS_RESET_WHEN_REMOVED if news.get(name) is None and olds.get(name)})
    if _removed_add_ons(olds.get("add_ons"), news.get("add_ons")):
        changes.setdefault("add_ons", news.get("add_ons") or [])
    return changes


def update_body(olds: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The update request's body for ``changes``: add-ons addressed by name, those removed switched off."""
    body = {**changes}
    if "add_ons" in body:
        switched_off = _removed_add_ons(olds.get("add_ons"), body["add_ons"])
        body["add_ons"] = [_add_on_update(a) for a in body["add_ons"]] + switched_off
    return body


def _add_on_update(add_on: Mapping[str, Any]) -> dict[str, Any]:
    """An update addresses an add-on by name (its type is fixed at create). One declared without config
    is on, and says so: the service merges configs, so this switches it back on if it was turned off
    elsewhere."""
    config = add_on.get("config") or {add_on["add_on_type"]: {"enabled": True}}
    return {"name": add_on["name"], "config": config}


def _removed_add_ons(olds: Any, news: Any) -> list[dict[str, Any]]:
    """Updates that switch off the add-ons the program no longer lists. The API addresses an add-on by
    name and merges the config given (SDK 3.1.1 ``ClusterUpdateParams.add_ons``: "provides the new
    external config to merge"; each type's config has ``enabled``), so off is ``{<type>: {enabled: false}}``."""
    listed = {a.get("name") for a in news or [] if isinstance(a, Mapping)}
    return [
        {"name": a["name"], "config": {a["add_on_type"]: {"enabled": False}}}
        for a in olds or []
        if isinstance(a, Mapping) and a.get("name") not in listed and add_on_enabled(a, a.get("add_on_type"))
    ]
