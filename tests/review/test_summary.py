"""The review summary over the real previews in fixtures/ and over variants of them."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from together_pulumi.review import PreviewError, Summary, parse_rate_card, summarize
from together_pulumi.review.tokens import CLUSTER_TYPE, SECRET_SIG, UNKNOWN, VOLUME_TYPE

from .previews import SCENARIOS, load

CARD = parse_rate_card(
    {
        "currency": "USD",
        "gpu_hour": {"H100_SXM": {"ON_DEMAND": 2, "RESERVED": "1.5"}, "H200_SXM": {"ON_DEMAND": 3, "RESERVED": 2}},
        "storage_tib_month": 73,
    }
)


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(load(name))
    return data


def step(data: dict[str, Any], type_: str, op: str | None = None) -> dict[str, Any]:
    for s in data["steps"]:
        if (s.get("newState") or s.get("oldState") or {}).get("type") == type_ and (op is None or s["op"] == op):
            return dict(s)
    raise AssertionError(f"no {type_} step")


def row(summary: Summary, name: str, kind: str = "GpuCluster") -> Any:
    (found,) = [r for r in summary.rows if r.name == name and r.kind == kind]
    return found


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_fixture_has_one_row_per_cluster_and_volume_named_by_the_user(scenario: str) -> None:
    summary = summarize(load(scenario))
    assert sorted((r.kind, r.name) for r in summary.rows) == [("GpuCluster", "train"), ("SharedVolume", "data")]
    assert summary.errors == ()
    assert summary.complete  # the fixtures were made with --show-sames


def test_create() -> None:
    summary = summarize(load("create"), CARD)
    train, data = row(summary, "train"), row(summary, "data", "SharedVolume")
    assert (train.operation, train.gpus_before, train.gpus_after) == ("create", None, 8)
    assert train.details == "8 x H100_SXM in us-central-8, ON_DEMAND, KUBERNETES"
    assert train.cost_before is None and train.cost_after is not None and train.cost_after.amount == 16
    assert data.operation == "create" and data.cost_after is not None and data.cost_after.amount == Decimal("0.2")
    assert [f.kind for f in summary.findings] == ["create", "create"]
    assert not any(f.loud for f in summary.findings)
    assert summary.gpu_total("before") == 0 and summary.gpu_total("after") == 8
    assert summary.cost_delta is not None and summary.cost_delta.amount == Decimal("16.2")


def test_scale_up_is_an_update_in_place_with_its_cost() -> None:
    summary = summarize(load("scale-up"), CARD)
    train = row(summary, "train")
    assert (train.operation, train.gpus_before, train.gpus_after) == ("update", 8, 16)
    assert [(c.prop, c.before, c.after, c.replaces) for c in train.changes] == [("num_gpus", "8", "16", False)]
    assert train.cost_delta is not None and train.cost_delta.amount == 16
    assert row(summary, "data", "SharedVolume").operation == "unchanged"
    assert [f.kind for f in summary.findings] == ["update"]
    assert summary.gpu_delta == 8


def test_scale_down_is_loud() -> None:
    summary = summarize(load("scale-down"))
    train = row(summary, "train")
    assert (train.operation, train.gpus_before, train.gpus_after) == ("update", 16, 8)
    (loud,) = [f for f in summary.findings if f.loud]
    assert loud.kind == "scale-down"
    assert loud.message.startswith('GpuCluster "train" scales DOWN 16 → 8 GPUs: 1 node(s) are removed')


def test_replace_names_the_reasons_the_lost_data_and_the_billing_change() -> None:
    summary = summarize(load("replace"), CARD)
    train, data = row(summary, "train"), row(summary, "data", "SharedVolume")
    assert train.operation == "replace" and data.operation == "replace"
    kinds = sorted(f.kind for f in summary.findings)
    assert kinds == ["billing-change", "replace", "replace"]
    changed = {c.prop: c for c in train.changes}
    assert changed["gpu_type"].before == "H100_SXM" and changed["gpu_type"].after == "H200_SXM"
    assert changed["gpu_type"].replaces and changed["billing_type"].replaces
    assert changed["volume_id"].after == "(known after apply)"
    assert "__provider" not in changed and not any(p.startswith("_") for p in changed)
    replace = next(f for f in train.findings if f.kind == "replace")
    assert "every node is recreated and running jobs die" in replace.message
    assert "gpu_type" in replace.message and "billing_type" in replace.message
    billing = next(f for f in train.findings if f.kind == "billing-change")
    assert "billing_type ON_DEMAND → RESERVED" in billing.message and "duration_days — → 30" in billing.message
    volume = next(f for f in data.findings if f.kind == "replace")
    assert "volume_name" in volume.message and "deleted with its data" in volume.message
    # 16 H200 GPUs RESERVED at 2/h, prepaid for 30 days
    assert train.commitment is not None
    cost, period = train.commitment
    assert cost.amount == 16 * 2 * 24 * 30 and period == "30 days"
    assert train.cost_before is not None and train.cost_before.amount == 32  # 16 x H100 ON_DEMAND at 2
    assert train.cost_after is not None and train.cost_after.amount == 32  # 16 x H200 RESERVED at 2


def test_delete_of_resources_removed_from_the_program() -> None:
    summary = summarize(load("delete"), CARD)
    train, data = row(summary, "train"), row(summary, "data", "SharedVolume")
    assert (train.operation, train.gpus_before, train.gpus_after) == ("delete", 16, None)
    assert data.operation == "delete"
    messages = [f.message for f in summary.findings]
    assert 'GpuCluster "train" is DELETED: its 2 node(s) and every job on them are gone.' in messages
    assert 'SharedVolume "data" is DELETED: the data on it is lost.' in messages
    assert summary.gpu_total("after") == 0 and summary.gpu_delta == -16
    assert summary.cost_delta is not None and summary.cost_delta.amount == Decimal(-32) - Decimal("0.2")


def test_retained_resources_leave_the_stack_but_keep_billing() -> None:
    data = fixture("delete")
    for s in data["steps"]:
        if s.get("oldState"):
            s["oldState"]["retainOnDelete"] = True
    summary = summarize(data)
    messages = " ".join(f.message for f in summary.findings)
    assert "is NOT deleted (retain_on_delete)" in messages and "keeps running and billing" in messages
    assert "is DELETED" not in messages


def test_without_show_sames_only_deltas_are_claimed() -> None:
    data = fixture("scale-up")
    data["steps"] = [s for s in data["steps"] if s["op"] != "same"]
    summary = summarize(data, CARD)
    assert not summary.complete
    assert [r.name for r in summary.rows] == ["train"]
    assert summary.gpu_delta == 8


def test_replacement_as_separate_create_and_delete_steps() -> None:
    """`pulumi up --json` and some previews spell a replacement as create-replacement + delete-replaced."""
    data = fixture("replace")
    cluster = step(data, CLUSTER_TYPE, "replace")
    create = {**cluster, "op": "create-replacement"}
    delete = {"op": "delete-replaced", "urn": cluster["urn"], "oldState": cluster["oldState"]}
    data["steps"] = [s for s in data["steps"] if s is not cluster and s != cluster] + [create, delete]
    summary = summarize(data)
    train = row(summary, "train")
    assert train.operation == "replace" and any(f.kind == "replace" for f in train.findings)
    assert train.gpus_before == 16 and train.gpus_after == 16


def test_secrets_are_never_shown() -> None:
    data = fixture("scale-up")
    cluster = step(data, CLUSTER_TYPE, "update")
    secret = {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "plaintext": '"hunter2-token"'}
    cluster["oldState"]["inputs"]["cluster_name"] = secret
    cluster["newState"]["inputs"]["cluster_name"] = "[secret]"
    cluster["newState"]["inputs"]["oidc_config"] = {"client_id": "abc", "ca_cert": secret}
    data["steps"] = [cluster if s["urn"] == cluster["urn"] and s["op"] == "update" else s for s in data["steps"]]
    summary = summarize(data)
    text = repr(summary)
    assert "hunter2" not in text
    changed = {c.prop: c for c in row(summary, "train").changes}
    assert changed["oidc_config"].after == '{"ca_cert": "[secret]", "client_id": "abc"}'


def test_unknown_gpu_counts_make_totals_unknown_not_zero() -> None:
    data = fixture("scale-up")
    cluster = step(data, CLUSTER_TYPE, "update")
    cluster["newState"]["inputs"]["num_gpus"] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    data["steps"] = [cluster if s["urn"] == cluster["urn"] and s["op"] == "update" else s for s in data["steps"]]
    summary = summarize(data, CARD)
    train = row(summary, "train")
    assert train.gpus_after is UNKNOWN and summary.gpu_delta is UNKNOWN
    assert summary.cost_delta is not None and summary.cost_delta.amount is None
    assert any("num_gpus is not known until apply" in m for m in summary.cost_delta.missing)
    assert not any(f.kind == "scale-down" for f in summary.findings)


def test_volume_growth_and_inline_volumes_that_die_with_their_cluster() -> None:
    data = fixture("delete")
    cluster = step(data, CLUSTER_TYPE, "delete")
    cluster["oldState"]["inputs"]["shared_volume"] = {
        "size_tib": 3,
        "volume_name": "scratch",
        "is_lifecycle_independent": False,
    }
    data["steps"] = [cluster if s["urn"] == cluster["urn"] and s["op"] == "delete" else s for s in data["steps"]]
    summary = summarize(data, CARD)
    train = row(summary, "train")
    assert any("inline shared_volume scratch is not lifecycle-independent" in f.message for f in train.findings)
    # 16 H100 at 2/h plus 3 TiB at 73 per 730 h
    assert train.cost_before is not None and train.cost_before.amount == Decimal(32) + Decimal("0.3")


def test_billing_terms_changed_in_place() -> None:
    data = fixture("scale-up")
    cluster = step(data, CLUSTER_TYPE, "update")
    cluster["newState"]["inputs"]["num_gpus"] = 8
    cluster["newState"]["inputs"]["reservation_end_time"] = "2027-01-01T00:00:00Z"
    data["steps"] = [cluster if s["urn"] == cluster["urn"] and s["op"] == "update" else s for s in data["steps"]]
    summary = summarize(data)
    (billing,) = [f for f in summary.findings if f.kind == "billing-change"]
    assert billing.message == (
        'GpuCluster "train" changes billing terms: reservation_end_time — → 2027-01-01T00:00:00Z.'
    )


def test_preview_errors_are_findings() -> None:
    data = fixture("create")
    data["diagnostics"] = [
        {"message": "error: preview failed\n", "severity": "error"},
        {"message": "some info\n", "severity": "info"},
    ]
    summary = summarize(data)
    assert summary.errors == ("preview failed",)  # (the engine's "error: " prefix is the finding's label)
    assert summary.findings[0].kind == "error"


def test_other_resources_are_counted_not_listed() -> None:
    data = fixture("create")
    data["steps"].append(
        {
            "op": "create",
            "urn": "urn:pulumi:s::p::aws:s3/bucket:Bucket::logs",
            "newState": {"type": "aws:s3/bucket:Bucket"},
        }
    )
    summary = summarize(data)
    assert summary.other_changes == {"create": 1}
    assert len(summary.rows) == 2


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '{"steps": 3}', '{"steps": [{"op": "create"}]}'], ids=repr)
def test_not_a_preview(text: str) -> None:
    with pytest.raises(PreviewError, match="pulumi preview --json"):
        summarize(text)


def test_an_empty_preview_has_no_rows() -> None:
    summary = summarize('{"steps": [], "changeSummary": {}}')
    assert summary.rows == () and summary.findings == ()


def test_internal_steps_are_folded_into_one_row() -> None:
    data = fixture("scale-up")
    types = {(s.get("newState") or s.get("oldState") or {}).get("type") for s in data["steps"]}
    assert CLUSTER_TYPE in types and VOLUME_TYPE in types and len(data["steps"]) > 2
    summary = summarize(copy.deepcopy(data))
    assert len(summary.rows) == 2
