"""The documentation and the shipped files stay true to the rules and the CLI."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

from together_pulumi.policy import RULES, rule
from together_pulumi.review.cli import _parser

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_is_documented_with_its_default_level_and_settings() -> None:
    text = (ROOT / "docs" / "code-review.md").read_text()
    for r in RULES:
        row = next((line for line in text.splitlines() if line.startswith(f"| `{r.name}` |")), None)
        assert row is not None, f"docs/code-review.md has no row for {r.name}"
        assert f"| {r.level} |" in row, row
        for field in r.config.model_fields.values():
            assert f"`{field.alias}`" in row, (r.name, field.alias)


def test_the_example_config_is_valid() -> None:
    config = json.loads((ROOT / "policy" / "config.example.json").read_text())
    for name, value in config.items():
        parsed = rule(name)
        if isinstance(value, dict):
            parsed.parse_config(value)
            assert value.get("enforcementLevel", "advisory") in ("advisory", "mandatory", "disabled")
        else:
            assert value in ("advisory", "mandatory", "disabled")
    # the relative rate card path is taken from the pack's directory
    card = config["together-max-stack-hourly-cost"]["rateCard"]
    assert (ROOT / "policy" / card).resolve().is_file()


def test_the_pack_directory() -> None:
    manifest = yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"] == "python"
    assert "serve()" in (ROOT / "policy" / "__main__.py").read_text()


def test_the_ci_commands_use_real_flags() -> None:
    text = (ROOT / "docs" / "code-review.md").read_text()
    section = text.split("## In CI", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)[0]
    command = re.search(r"together-pulumi review .*?(?<!\\)\n", block, re.DOTALL)
    assert command is not None
    args = shlex.split(command.group(0).replace("\\\n", " "), comments=True)[1:]
    parsed = _parser().parse_args(args)
    assert parsed.rate_card and parsed.fail_on and parsed.max_cost_increase is not None
