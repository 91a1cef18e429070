"""The engine's JSON event stream, read into the shape of ``pulumi preview --json``.

``pulumi preview --json`` leaves out policy results (pulumi/pulumi#18851). With
``PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1`` the same command writes one engine event per line
instead, policy violations included, so a CI job can run the preview once with
``--policy-pack`` and review both. This module turns such a stream into the document
``pulumi preview --json`` would have written (``steps``, ``diagnostics``, ``changeSummary``), plus
a ``policyViolations`` list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["REPLACE_OPS", "from_events", "looks_like_events"]

REPLACE_OPS: Final = frozenset({"replace", "create-replacement", "delete-replaced", "discard-replaced"})


def looks_like_events(text: str) -> bool:
    """Whether ``text`` is a stream of engine events (one JSON object per line, with a ``sequence``)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        event = json.loads(first)
    except ValueError:
        return False
    return isinstance(event, dict) and "sequence" in event


def _step(metadata: Mapping[str, Any]) -> dict[str, Any]:
    op = str(metadata.get("op", ""))
    step: dict[str, Any] = {"op": op, "urn": metadata.get("urn", "")}
    if isinstance(metadata.get("old"), Mapping):
        step["oldState"] = dict(metadata["old"])
    if isinstance(metadata.get("new"), Mapping):
        step["newState"] = dict(metadata["new"])
    # `pulumi preview --json` names a replacement's causes replaceReasons; events carry them as keys.
    if op in REPLACE_OPS and metadata.get("keys"):
        step["replaceReasons"] = list(metadata["keys"])
    if metadata.get("diffs"):
        step["diffReasons"] = list(metadata["diffs"])
    return step


def from_events(text: str) -> dict[str, Any]:
    """The ``pulumi preview --json`` document of an event stream; raises ValueError on a bad line."""
    steps: list[dict[str, Any]] = []
    diagnostics: list[dict[str, Any]] = []
    violations: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"line {number} is not a JSON event ({exc})") from None
        if not isinstance(event, dict):
            raise ValueError(f"line {number} is not a JSON event object")
        if isinstance(event.get("resourcePreEvent"), Mapping):
            metadata = event["resourcePreEvent"].get("metadata")
            if isinstance(metadata, Mapping):
                steps.append(_step(metadata))
        elif isinstance(event.get("diagnosticEvent"), Mapping):
            diag = event["diagnosticEvent"]
            if diag.get("severity") != "debug":
                message = f"{diag.get('prefix') or ''}{diag.get('message') or ''}"
                diagnostics.append({"message": message, "severity": diag.get("severity"), "urn": diag.get("urn")})
        elif isinstance(event.get("policyEvent"), Mapping):
            violations.append(dict(event["policyEvent"]))
        elif isinstance(event.get("summaryEvent"), Mapping):
            summary = dict(event["summaryEvent"].get("resourceChanges") or {})
    return {"steps": steps, "diagnostics": diagnostics, "changeSummary": summary, "policyViolations": violations}
