"""The ``together-pulumi`` console script; ``together-pulumi review`` summarizes a preview for a reviewer.

(``teardown`` and ``orphans``, for teams sharing a backend, live in :mod:`together_pulumi.teams`.)

::

    pulumi preview --json --show-sames > preview.json
    together-pulumi review preview.json --rate-card rate-card.yaml > review.md
    pulumi preview --json | together-pulumi review --format text --fail-on replace,delete

Exit status: 0 when the gate passes (or none is asked for), 1 when ``--fail-on`` or
``--max-cost-increase`` fails it (the report says why), 2 when the input or the rate card is not
valid or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .. import teams
from .gate import CostCap, evaluate, parse_cost_cap, parse_fail_on
from .ratecard import RateCard, RateCardError, load_rate_card
from .render import render_markdown, render_text
from .summary import FINDING_KINDS, FindingKind, PreviewError, summarize

__all__ = ["main"]

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2


def _fail_on(text: str) -> tuple[FindingKind, ...]:
    try:
        return parse_fail_on(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--fail-on: ")) from None


def _cost_cap(text: str) -> CostCap:
    try:
        return parse_cost_cap(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix(f"--max-cost-increase {text!r}: ")) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="together-pulumi", description="Tools for Together AI GPU clusters managed with Pulumi."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    review = commands.add_parser(
        "review",
        help="summarize `pulumi preview --json` for a pull-request review",
        description=(
            "Summarize `pulumi preview --json` (a file, or standard input) for a reviewer: one row per "
            "GpuCluster and SharedVolume with the operation, what changes, GPUs, GPU-hours per day and, "
            "with a rate card, the cost before and after; loud warnings for replacements, deletions, "
            "scale-downs and billing changes."
        ),
        epilog=(
            "Exit status: 0 passed, 1 the gate (--fail-on, --max-cost-increase) failed, "
            "2 bad input, rate card or arguments. Run the preview with --show-sames for the stack's totals."
        ),
    )
    review.add_argument(
        "preview", nargs="?", default="-", help="the output of `pulumi preview --json` (default: standard input)"
    )
    review.add_argument("--rate-card", metavar="FILE", help="YAML rate card with your prices (see the docs)")
    review.add_argument(
        "--format", choices=("markdown", "text"), default="markdown", help="markdown (default) or text for a terminal"
    )
    review.add_argument("-o", "--output", metavar="FILE", help="write the report here instead of standard output")
    review.add_argument("--title", help="heading of the report")
    review.add_argument(
        "--fail-on",
        type=_fail_on,
        default=(),
        metavar="KINDS",
        help=f"exit 1 if the preview has any of these (comma-separated): {', '.join(FINDING_KINDS)}",
    )
    review.add_argument(
        "--max-cost-increase",
        type=_cost_cap,
        metavar="AMOUNT[/h|/day]",
        help="exit 1 if the stack's cost rises by more than this (rate card currency; per hour by default); "
        "fails when the increase cannot be computed",
    )
    teams.add_commands(commands)  # teardown, orphans
    return parser


def _read(source: str, stdin: TextIO) -> str:
    if source == "-":
        return stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise PreviewError(f"{source}: cannot be read ({exc.strerror or exc})") from None


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the console script; returns the exit status."""
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    args = _parser().parse_args(argv)
    if args.command != "review":
        return teams.run(args, stdout=stdout)
    card: RateCard | None = None
    try:
        if args.rate_card:
            card = load_rate_card(args.rate_card)
        elif args.max_cost_increase is not None:
            raise RateCardError("--max-cost-increase needs --rate-card FILE (the prices to compute costs with)")
        summary = summarize(_read(args.preview, stdin), card)
    except (RateCardError, PreviewError) as exc:
        print(f"together-pulumi review: {exc}", file=sys.stderr)
        return EXIT_USAGE
    gate = evaluate(summary, args.fail_on, args.max_cost_increase)
    render = render_markdown if args.format == "markdown" else render_text
    report = render(summary, gate=gate, rate_card_source=args.rate_card, title=args.title)
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")
    else:
        stdout.write(report)
    if gate.failed:
        for reason in gate.reasons:
            print(f"together-pulumi review: gate failed: {reason}", file=sys.stderr)
        return EXIT_GATE_FAILED
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
