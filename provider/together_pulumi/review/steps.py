"""Reading ``pulumi preview --json``: its steps folded into one :class:`PreviewResource` per URN.

The engine may list several steps for one resource (a replacement is a create and a delete); rows
are made per resource, so the steps are gathered first, with the state in the stack and the state
the program declares.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .events import REPLACE_OPS, from_events, looks_like_events
from .facts import display, settings
from .results import Change, Operation
from .tokens import UNKNOWN, replacing_settings

__all__ = [
    "PreviewError",
    "PreviewResource",
    "is_retained",
    "load_preview",
    "operation_of",
    "preview_resources",
    "setting_changes",
    "state_settings",
]

_OPS: Final[dict[str, Operation]] = {
    "create": "create",
    "update": "update",
    "delete": "delete",
    "discard": "delete",
    "same": "unchanged",
    "read": "read",
    "read-replacement": "read",
    "refresh": "read",
    "import": "import",
    "import-replacement": "import",
}


class PreviewError(ValueError):
    """The input is not the JSON that ``pulumi preview --json`` writes."""


@dataclass
class PreviewResource:
    """One resource of the preview: the ops of its steps, its state in the stack (``old``), the state
    the program declares (``new``) and why it is replaced."""

    urn: str
    type: str
    ops: list[str] = field(default_factory=list)
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    replace_reasons: list[str] = field(default_factory=list)


def load_preview(preview: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    """The preview as a mapping with ``steps``, from its JSON, the engine's event stream or a parsed object."""
    if isinstance(preview, Mapping):
        return preview
    text = preview.decode("utf-8", "replace") if isinstance(preview, bytes) else preview
    if looks_like_events(text):
        try:
            return from_events(text)
        except ValueError as exc:
            raise PreviewError(f"not a stream of engine events: {exc}") from None
    try:
        data = json.loads(preview)
    except ValueError as exc:
        raise PreviewError(
            f"not the JSON of `pulumi preview --json` ({exc}); run `pulumi preview --json > preview.json`"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("steps", []), list):
        raise PreviewError("not the JSON of `pulumi preview --json`: expected an object with a `steps` list")
    return data


def _type_of(step: Mapping[str, Any]) -> str:
    for state in ("newState", "oldState"):
        value = (step.get(state) or {}).get("type")
        if isinstance(value, str):
            return value
    # urn:pulumi:<stack>::<project>::<parent types $ >type::<name>
    parts = str(step.get("urn", "")).split("::")
    return parts[2].split("$")[-1] if len(parts) >= 4 else ""


def preview_resources(steps: Sequence[Any]) -> list[PreviewResource]:
    found: dict[str, PreviewResource] = {}
    for step in steps:
        if not isinstance(step, Mapping) or not isinstance(step.get("urn"), str):
            raise PreviewError("not the JSON of `pulumi preview --json`: a step has no `urn`")
        urn = step["urn"]
        resource = found.setdefault(urn, PreviewResource(urn, _type_of(step)))
        op = str(step.get("op", ""))
        resource.ops.append(op)
        # The first old state is the one in the stack; the last new state is what the program declares.
        if resource.old is None and isinstance(step.get("oldState"), Mapping):
            resource.old = dict(step["oldState"])
        if isinstance(step.get("newState"), Mapping) and op not in ("delete", "delete-replaced", "discard"):
            resource.new = dict(step["newState"])
        for reason in step.get("replaceReasons") or ():
            if reason not in resource.replace_reasons:
                resource.replace_reasons.append(str(reason))
    for resource in found.values():
        if not resource.replace_reasons and operation_of(resource.ops) == "replace":
            resource.replace_reasons = _replacing_changes(resource)
    return list(found.values())


def _replacing_changes(resource: PreviewResource) -> list[str]:
    """The replacing settings that change, for a replacement the engine gives no reasons for (one it
    makes because a resource this one depends on is deleted before its replacement)."""
    before, after = settings((resource.old or {}).get("inputs")), settings((resource.new or {}).get("inputs"))
    changed = sorted(p for p in replacing_settings(resource.type) if before.get(p) != after.get(p))
    # An auto-name follows the replacing change: it is a reason only when nothing else changed.
    return [p for p in changed if p not in _NAMES] or changed


def operation_of(ops: Sequence[str]) -> Operation:
    if REPLACE_OPS & set(ops):
        return "replace"
    for op in ops:
        if op in _OPS and op != "same":
            return _OPS[op]
    return "unchanged" if "same" in ops else "other"


def state_settings(state: Mapping[str, Any] | None, *, outputs_first: bool) -> dict[str, Any]:
    """A state's settings: with ``outputs_first`` what the resource really has (its outputs over its inputs)."""
    if not state:
        return {}
    inputs, outputs = settings(state.get("inputs")), settings(state.get("outputs"))
    return {**inputs, **outputs} if outputs_first else {**outputs, **inputs}


#: The names of the objects: a replacement's new auto-name is not one of its causes.
_NAMES = ("cluster_name", "volume_name")


def setting_changes(
    resource: PreviewResource, before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[Change, ...]:
    # Settings a user can declare: those in either side's inputs (outputs also hold status, nodes, ...).
    declared = {*settings((resource.old or {}).get("inputs")), *settings((resource.new or {}).get("inputs"))}
    reasons = set(resource.replace_reasons)
    changes = []
    for prop in sorted(declared):
        old, new = before.get(prop), after.get(prop)
        if old == new and old is not UNKNOWN:
            continue
        if prop in _NAMES and reasons and prop not in reasons:
            continue  # an auto-name that follows the replacing change, not a change of the program
        changes.append(Change(prop, display(old), display(new), replaces=prop in reasons))
    return tuple(changes)


def is_retained(resource: PreviewResource) -> bool:
    return bool((resource.old or {}).get("retainOnDelete"))
