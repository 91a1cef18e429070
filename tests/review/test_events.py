"""The engine's event stream (PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1) as review input, policy verdicts included."""

from __future__ import annotations

import json

import pytest

from together_pulumi.review import PreviewError, evaluate, render_markdown, summarize
from together_pulumi.review.events import from_events, looks_like_events

from .previews import EVENTS_SCENARIO, fingerprint, load


def test_the_stream_reads_like_the_json_document_of_the_same_change() -> None:
    streamed, document = summarize(load(EVENTS_SCENARIO)), summarize(load("replace"))
    assert fingerprint(streamed) == fingerprint(document)
    assert streamed.complete  # every step is in the stream, unchanged ones included


def test_policy_verdicts() -> None:
    summary = summarize(load(EVENTS_SCENARIO))
    verdicts = sorted((v.level, v.policy, v.resource) for v in summary.policy_violations)
    assert verdicts == [
        ("advisory", "together-protect-data-volumes", 'SharedVolume "data"'),
        ("mandatory", "together-max-gpus-per-cluster", 'GpuCluster "train"'),
        ("mandatory", "together-protect-prepaid-clusters", 'GpuCluster "train"'),
    ]
    mandatory = [f for f in summary.findings if f.kind == "policy"]
    assert mandatory and all(f.message.startswith("[together-") for f in mandatory)
    # The description line Pulumi puts first is dropped; the policy's own message names the resource.
    (gpus,) = [v for v in summary.policy_violations if v.policy == "together-max-gpus-per-cluster"]
    assert (
        gpus.message == 'GpuCluster "train": 16 GPUs (num_gpus 16) exceed the maximum of 8 GPUs per cluster (maxGpus).'
    )
    assert summary.errors == ("preview failed",)  # (the engine's "error: " prefix is the finding's label)
    assert evaluate(summary, ("policy",)).failed
    assert not evaluate(summary, ("delete",)).failed
    text = render_markdown(summary)
    assert "**Policy warnings (advisory, 1):**" in text and "pulumi-python:dynamic" not in text


def test_json_documents_are_not_streams() -> None:
    assert not looks_like_events(load("create"))
    assert not looks_like_events(json.dumps(json.loads(load("create"))))  # one line, no `sequence`
    assert looks_like_events('{"sequence": 0, "timestamp": 1, "policyLoadEvent": {}}\n')


def test_stream_details() -> None:
    events = [
        {"sequence": 0, "cancelEvent": {}},
        {"sequence": 1, "diagnosticEvent": {"prefix": "debug: ", "message": "x", "severity": "debug"}},
        {"sequence": 2, "diagnosticEvent": {"prefix": "error: ", "message": "boom\n", "severity": "error"}},
        {
            "sequence": 3,
            "policyEvent": {
                "resourceUrn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev",
                "message": "Stack rule.\nThe stack is too big.\n",
                "policyName": "p",
                "enforcementLevel": "advisory",
            },
        },
        {
            "sequence": 4,
            "policyEvent": {
                "resourceUrn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::logs",
                "message": "just one line",
                "policyName": "q",
                "enforcementLevel": "mandatory",
            },
        },
        {"sequence": 5, "summaryEvent": {"resourceChanges": {"same": 2}}},
    ]
    document = from_events("\n".join(json.dumps(e) for e in events) + "\n\n")
    assert document["steps"] == [] and document["changeSummary"] == {"same": 2}
    assert document["diagnostics"] == [{"message": "error: boom\n", "severity": "error", "urn": None}]
    summary = summarize(document)
    assert [(v.resource, v.message) for v in summary.policy_violations] == [
        ("the stack", "The stack is too big."),
        ('aws:s3/bucket:Bucket "logs"', "just one line"),
    ]


def test_a_broken_stream() -> None:
    with pytest.raises(PreviewError, match="line 2 is not a JSON event"):
        summarize('{"sequence": 0, "cancelEvent": {}}\n{not json\n')
