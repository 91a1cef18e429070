"""The ``pulumi preview --json`` fixtures of the review tests, and how they are made and compared.

``tests/review/fixtures/<scenario>.json`` are real previews written by the engine in
``tests/e2e/test_review.py`` (one program through create, scale up, scale down, replace, delete),
scrubbed of what differs from run to run or machine to machine (source positions, stack traces,
timestamps). Regenerate them with::

    TOGETHER_PULUMI_REGENERATE_FIXTURES=1 .venv/bin/python -m pytest -q tests/e2e/test_review.py

Without that variable the e2e test checks that the live previews still read the same as the
fixtures (same rows, operations, GPUs, changed settings and findings), so stale fixtures fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from together_pulumi.review import Summary, summarize

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCENARIOS = ("create", "scale-up", "scale-down", "replace", "delete")
#: The replace scenario previewed with the policy pack as the engine's event stream (a .jsonl fixture).
EVENTS_SCENARIO = "replace-with-policy"
REGENERATE_ENV = "TOGETHER_PULUMI_REGENERATE_FIXTURES"

_DROPPED = {"sourcePosition", "stackTrace", "created", "modified", "duration"}
#: The emulator's port differs from run to run.
_FIXED = {"together:baseUrl": "http://127.0.0.1:8787"}


def scrub(value: Any) -> Any:
    """A preview without what changes between runs and machines (it keeps secrets as the engine wrote them)."""
    if isinstance(value, dict):
        return {k: _FIXED.get(k) or scrub(v) for k, v in value.items() if k not in _DROPPED}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def load(scenario: str) -> str:
    if scenario == EVENTS_SCENARIO:
        return (FIXTURES / f"{scenario}.jsonl").read_text()
    return (FIXTURES / f"{scenario}.json").read_text()


def write(scenario: str, preview_json: str) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    data = scrub(json.loads(preview_json))
    (FIXTURES / f"{scenario}.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


#: Events a review reads; the rest (debug logs, the program's output, the prelude's config) is dropped.
_KEPT_EVENTS = ("resourcePreEvent", "policyEvent", "summaryEvent", "diagnosticEvent")


def write_events(scenario: str, stream: str) -> None:
    kept = []
    for line in stream.splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        diag = event.get("diagnosticEvent")
        if diag is not None and diag.get("severity") != "error":
            continue
        if any(key in event for key in _KEPT_EVENTS):
            kept.append(json.dumps(scrub({k: v for k, v in event.items() if k != "timestamp"}), sort_keys=True))
    (FIXTURES / f"{scenario}.jsonl").write_text("\n".join(kept) + "\n")


def fingerprint(summary: Summary) -> list[tuple[Any, ...]]:
    """What a review says, without ids and generated names: rows, operations, GPUs, changed settings, findings.
    In a stable order: a stream lists steps as they run (a volume deleted before its replacement comes
    first), a preview document in the program's order."""
    return sorted(
        (
            row.kind,
            row.name,
            row.operation,
            row.gpus_before,
            row.gpus_after,
            tuple(c.prop for c in row.changes),
            tuple(sorted(f.kind for f in row.findings)),
        )
        for row in summary.rows
    )


def fixture_summary(scenario: str) -> Summary:
    return summarize(load(scenario))
