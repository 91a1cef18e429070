"""The rules' settings: one pydantic model per rule, read from ``--policy-pack-config``.

Keys are camelCase in JSON and unknown keys are refused, so a typo in the config file fails loudly
instead of leaving a limit unset. :func:`config_schema` gives the engine the same models as JSON
schema, so it validates the file and fills in defaults before any rule runs.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["NoConfig", "PolicyConfigError", "RuleConfig", "config_schema"]


class PolicyConfigError(ValueError):
    """A policy's ``--policy-pack-config`` entry is not valid; the message names the policy and key."""


class RuleConfig(BaseModel):
    """Base of the rules' config models: camelCase keys in JSON, unknown keys refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class NoConfig(RuleConfig):
    """A rule with nothing to configure but its enforcement level."""


def config_schema(model: type[RuleConfig]) -> dict[str, dict[str, Any]]:
    """JSON-schema properties of a config model, as ``PolicyConfigSchema`` takes them (camelCase keys).

    Optional settings are given as their plain type without a default: the engine validates the
    config file against this schema and fills in defaults, and ``null`` is not a value a user writes.
    """
    schema = model.model_json_schema(by_alias=True)
    properties: dict[str, dict[str, Any]] = {}
    for key, prop in _inline_refs(schema.get("properties") or {}, schema.get("$defs") or {}).items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        options = prop.pop("anyOf", None)
        if options is not None:
            kept = [o for o in options if o.get("type") != "null"]
            prop.update(kept[0] if len(kept) == 1 else {"anyOf": kept})
            if prop.get("default", 0) is None:
                del prop["default"]
        if isinstance(prop.get("items"), dict):
            prop["items"] = {k: v for k, v in prop["items"].items() if k != "title"}
        properties[key] = prop
    return properties


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with each ``$ref`` to ``defs`` replaced by what it names (the enums of GPU and billing
    types): a policy's config schema is validated on its own, without the model's ``$defs``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            named = defs[ref.removeprefix("#/$defs/")]
            return {k: _inline_refs(v, defs) for k, v in named.items() if k not in ("title", "description")}
        return {k: _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    return node
