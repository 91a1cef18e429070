"""The ``teardown`` and ``orphans`` subcommands of the ``together-pulumi`` console script.

::

    together-pulumi teardown --stacks 'pr-*' --older-than 24h          # dry run: a table
    together-pulumi teardown --tag env=preview --yes --json            # destroy, report for CI
    together-pulumi orphans --rate-card rate-card.yaml --fail-if-any   # what no stack holds

Exit status: 0 done (or nothing to do), 1 a destroy failed / orphans found with ``--fail-if-any``,
2 bad arguments, or the backend, a stack or the API could not be read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import Any, TextIO

from ..api import errors
from ..api.client import TogetherClient
from ..api.settings import API_KEY_ENV
from ..model.credentials import API_KEY_CONFIG, resolve_credentials, resolve_project
from ..review.ratecard import RateCard, RateCardError, load_rate_card
from .backend import Backend, BackendError, redact
from .orphans import account_objects, held_ids, orphans
from .render import orphans_json, orphans_table, teardown_json, teardown_table
from .rules import Rules, parse_tag
from .teardown import destroy_all, plan
from .times import parse_duration, parse_timestamp

__all__ = ["add_commands", "run"]

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
MAX_PARALLEL = 32


def _typed(parse: Any) -> Any:
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__
    return convert


def _parallel(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_PARALLEL:
        raise ValueError(f"{text!r} is not a number of stacks from 1 to {MAX_PARALLEL}")
    return int(text)


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--backend-url",
        metavar="URL",
        default=os.environ.get("PULUMI_BACKEND_URL"),
        help="the backend holding the stacks: postgres://..., s3://..., file://... "
        "(default: PULUMI_BACKEND_URL, else the one `pulumi login` chose)",
    )
    command.add_argument(
        "--project", metavar="NAME", help="only the stacks of this Pulumi project (default: every one)"
    )
    command.add_argument(
        "--parallel",
        type=_typed(_parallel),
        default=4,
        metavar="N",
        help="stacks read or destroyed at once (default 4)",
    )
    command.add_argument("--json", action="store_true", help="a JSON document on standard output, for CI")
    command.add_argument(
        "--now", type=_typed(parse_timestamp), metavar="TIME", help="judge ages and expiries at this ISO 8601 time"
    )


def add_commands(commands: Any) -> None:
    """Add ``teardown`` and ``orphans`` to the console script's subcommands."""
    teardown = commands.add_parser(
        "teardown",
        help="destroy the stacks a rule selects (dry run unless --yes)",
        description="Destroy stacks by rule through the Automation API: a name glob, stack tags, an age since "
        "the last update, or an expiry the stack declares (tag or config together:expiresAt). A dry run "
        "prints what would be destroyed; --yes destroys. Protected resources and stacks with a pending "
        "operation are skipped and reported, never forced.",
        epilog="Exit status: 0 done, 1 a destroy failed or a stack could not be read, 2 bad arguments.",
    )
    _common(teardown)
    teardown.add_argument("--stacks", metavar="GLOB", help="stack names (or project/stack) matching this glob")
    teardown.add_argument(
        "--tag",
        type=_typed(parse_tag),
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a stack tag (repeatable)",
    )
    teardown.add_argument(
        "--older-than",
        type=_typed(parse_duration),
        metavar="DURATION",
        help="last update longer ago than this (24h, 7d)",
    )
    teardown.add_argument("--yes", action="store_true", help="destroy (without it: a dry run)")
    orphans_cmd = commands.add_parser(
        "orphans",
        help="list clusters and volumes that no stack holds",
        description="List the clusters and volumes of every project the API key can use that no stack of the "
        f"backend holds. The API key and URL come from {API_KEY_ENV} and TOGETHER_BASE_URL, as for the provider.",
        epilog="Exit status: 0 listed, 1 orphans found with --fail-if-any, 2 bad arguments or a read failed.",
    )
    _common(orphans_cmd)
    orphans_cmd.add_argument("--rate-card", metavar="FILE", help="YAML rate card: show the cost per hour")
    orphans_cmd.add_argument("--fail-if-any", action="store_true", help="exit 1 when there is any orphan")


def _backend(args: argparse.Namespace) -> Backend:
    return Backend(args.backend_url or None)


def _teardown(args: argparse.Namespace, stdout: TextIO, log: TextIO, now: dt.datetime) -> int:
    rules = Rules(now=now, stacks_glob=args.stacks, tags=tuple(args.tag), older_than=args.older_than)
    backend = _backend(args)
    entries = plan(backend, rules, args.project, args.parallel)
    if args.yes:
        entries = destroy_all(backend, entries, args.parallel, lambda line: print(line, file=log, flush=True))
    render = teardown_json if args.json else teardown_table
    stdout.write(render(entries, now, not args.yes))
    failed = any(e.outcome == "failed" or e.action == "error" for e in entries)
    return EXIT_FAILED if failed else EXIT_OK


def _orphans(args: argparse.Namespace, stdout: TextIO, now: dt.datetime) -> int:
    card: RateCard | None = load_rate_card(args.rate_card) if args.rate_card else None
    creds = resolve_credentials({})
    if creds is None:
        raise errors.ConfigurationError(
            f"no Together API key: set {API_KEY_ENV} (what the stacks' {API_KEY_CONFIG} is)"
        )
    backend = _backend(args)
    refs = backend.stacks(args.project)
    held = held_ids(backend, refs, args.parallel)
    with TogetherClient(creds.api_key, creds.base_url) as api:
        found = orphans(account_objects(api, resolve_project({})), held)
    stdout.write((orphans_json if args.json else orphans_table)(found, now, card))
    return EXIT_FAILED if found and args.fail_if_any else EXIT_OK


def run(args: argparse.Namespace, *, stdout: TextIO | None = None, log: TextIO | None = None) -> int:
    """Run ``teardown`` or ``orphans`` with parsed arguments; returns the exit status."""
    stdout = stdout if stdout is not None else sys.stdout
    log = log if log is not None else sys.stderr
    now = args.now or dt.datetime.now(dt.UTC)
    try:
        if args.command == "teardown":
            return _teardown(args, stdout, log, now)
        return _orphans(args, stdout, now)
    except (BackendError, RateCardError, errors.TogetherError) as exc:
        print(f"together-pulumi {args.command}: {redact(str(exc), args.backend_url)}", file=log)
        return EXIT_ERROR
