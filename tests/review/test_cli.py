"""``together-pulumi review``: input, output forms, the CI gate and its exit status."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from together_pulumi.review import parse_cost_cap, parse_fail_on, render_markdown, render_text, summarize
from together_pulumi.review.cli import main
from together_pulumi.review.gate import CostCap, evaluate

from .previews import SCENARIOS, load

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CARD = str(ROOT / "examples" / "rate-card.yaml")


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out = io.StringIO()
    err = io.StringIO()
    old = sys.stderr
    sys.stderr = err
    try:
        code = main(list(args), stdin=io.StringIO(stdin), stdout=out)
    finally:
        sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_reads_standard_input_and_writes_markdown() -> None:
    code, out, err = run("review", stdin=load("scale-up"))
    assert code == 0, err
    assert out.startswith("### Together GPU infrastructure review\n")
    assert "| GpuCluster `train` | update in place | 8 → 16 | 192 → 384 | num_gpus: 8 → 16 |" in out
    assert "Cost/hour" not in out  # no rate card, no costs


def test_reads_a_file_and_writes_a_file(tmp_path: Path) -> None:
    preview = tmp_path / "preview.json"
    preview.write_text(load("replace"))
    report = tmp_path / "review.md"
    code, out, _ = run("review", str(preview), "--rate-card", EXAMPLE_CARD, "-o", str(report), "--title", "PR 42")
    assert code == 0 and out == ""
    text = report.read_text()
    assert text.startswith("### PR 42\n")
    assert "**⚠️ 3 finding(s) need a reviewer's attention before merging:**" in text
    assert "PLACEHOLDER PRICES" in text


def test_text_form() -> None:
    code, out, _ = run("review", "--format", "text", "--rate-card", EXAMPLE_CARD, stdin=load("scale-down"))
    assert code == 0
    assert "!! SCALE-DOWN" in out
    assert 'GpuCluster "train": update in place\n    GPUs           16 → 8\n' in out
    assert "cost/hour      16.00 → 8.00 USD" in out
    assert "|" not in out


@pytest.mark.parametrize(
    ("scenario", "fail_on", "code"),
    [
        ("create", "replace,delete,scale-down,billing-change", 0),
        ("create", "create", 1),
        ("scale-up", "replace,delete,scale-down", 0),
        ("scale-up", "update", 1),
        ("scale-down", "scale-down", 1),
        ("scale-down", "replace,delete", 0),
        ("replace", "replace", 1),
        ("replace", "billing-change", 1),
        ("replace", "delete,scale-down", 0),
        ("delete", "delete", 1),
        ("delete", "replace", 0),
    ],
)
def test_fail_on(scenario: str, fail_on: str, code: int) -> None:
    got, out, err = run("review", "--fail-on", fail_on, stdin=load(scenario))
    assert got == code, out + err
    if code:
        assert "**❌ Review gate failed:**" in out
        assert "gate failed:" in err
    else:
        assert "gate failed" not in out + err


def test_max_cost_increase() -> None:
    # scale-up: 8 more H100 ON_DEMAND GPUs at the example's 1.00 = +8/hour, +192/day
    assert run("review", "--rate-card", EXAMPLE_CARD, "--max-cost-increase", "8", stdin=load("scale-up"))[0] == 0
    code, _, err = run("review", "--rate-card", EXAMPLE_CARD, "--max-cost-increase", "7.99", stdin=load("scale-up"))
    assert code == 1
    assert "the stack's cost rises by 8.00 USD/hour (192.00 USD/day), more than the allowed 7.99 USD/hour" in err
    assert run("review", "--rate-card", EXAMPLE_CARD, "--max-cost-increase", "192/day", stdin=load("scale-up"))[0] == 0
    assert run("review", "--rate-card", EXAMPLE_CARD, "--max-cost-increase", "100/day", stdin=load("scale-up"))[0] == 1
    # a decrease never fails
    assert run("review", "--rate-card", EXAMPLE_CARD, "--max-cost-increase", "0", stdin=load("delete"))[0] == 0


def test_max_cost_increase_fails_closed_when_a_price_is_missing(tmp_path: Path) -> None:
    card = tmp_path / "card.yaml"
    card.write_text("currency: USD\ngpu_hour: {H200_SXM: {ON_DEMAND: 1}}\nstorage_tib_month: 1\n")
    code, out, err = run("review", "--rate-card", str(card), "--max-cost-increase", "1000", stdin=load("scale-up"))
    assert code == 1
    assert "the cost increase cannot be computed (the rate card has no gpu_hour price for H100_SXM ON_DEMAND)" in err
    assert "Cost unknown: the rate card has no gpu_hour price for H100_SXM ON_DEMAND." in out


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("review", "--max-cost-increase", "5", stdin=load("create"))[0] == 2
    assert run("review", stdin="not json")[0] == 2
    code, _, err = run("review", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot be read" in err
    bad = tmp_path / "card.yaml"
    bad.write_text("currency: USD\ngpu_hour: {H100: {ON_DEMAND: 1}}\n")
    code, _, err = run("review", "--rate-card", str(bad), stdin=load("create"))
    assert code == 2 and "gpu_hour.H100: unknown GPU type 'H100'" in err
    with pytest.raises(SystemExit) as exit_:
        main(["review", "--fail-on", "replace,explode"], stdin=io.StringIO(""), stdout=io.StringIO())
    assert exit_.value.code == 2
    assert "unknown kind 'explode'; valid: error, policy, replace, delete" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run("review", "--max-cost-increase", "lots")


def test_parsers() -> None:
    assert parse_fail_on("replace, delete,,replace") == ("replace", "delete")
    assert parse_cost_cap("150") == CostCap(Decimal(150), "hour")
    assert parse_cost_cap("3600/day").hourly == 150
    assert parse_cost_cap("12.5/h") == CostCap(Decimal("12.5"), "hour")
    for bad in ("-5", "5/week", "", "1e3"):
        with pytest.raises(ValueError, match="expected an amount"):
            parse_cost_cap(bad)


def test_gate_on_preview_errors() -> None:
    data = json.loads(load("create"))
    data["diagnostics"] = [{"message": "error: preview failed\n", "severity": "error"}]
    summary = summarize(data)
    assert evaluate(summary, ("error",)).failed
    assert "⛔ **ERROR** preview failed" in render_markdown(summary)
    assert evaluate(summary, ("error",)).reasons == ("error: preview failed",)  # one label, not "error: error:"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_reports_never_show_internal_types_or_secret_values(scenario: str) -> None:
    summary = summarize(load(scenario))
    for text in (render_markdown(summary), render_text(summary)):
        assert "pulumi-python:dynamic" not in text and "ClusterReadiness" not in text
        assert "__provider" not in text and "_autoname_prefix" not in text


def test_markdown_cells_are_escaped() -> None:
    data = json.loads(load("scale-up"))
    for s in data["steps"]:
        if s["op"] == "update" and "Cluster::" in s["urn"]:
            s["newState"]["inputs"]["slurm_image"] = "a | b\nc <img>"
    out = render_markdown(summarize(data))
    assert "slurm_image: — → a \\| b c &lt;img> |" in out


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "together-pulumi"
    result = subprocess.run(
        [str(script), "review", "--format", "text"], input=load("delete"), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert 'SharedVolume "data" is DELETED' in result.stdout
