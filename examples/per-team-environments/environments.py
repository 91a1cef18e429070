"""One stack of this directory's program per pull request or team, through the Automation API.

    python environments.py up pr-123 --ttl 3d    # create or update stack pr-123, expiring in 3 days
    python environments.py destroy pr-123        # destroy its resources and remove the stack
    python environments.py list                  # the stacks of this project, with their expiry

Each stack is tagged ``together:expiresAt`` (an ISO 8601 time, UTC), the tag
``together-pulumi teardown`` reads: a nightly ``together-pulumi teardown --yes`` destroys the
stacks whose time has passed, whoever forgot them. The state goes to ``PULUMI_BACKEND_URL`` and the
secrets provider is the passphrase one (``PULUMI_CONFIG_PASSPHRASE``); the Together key and URL come
from ``TOGETHER_API_KEY`` (and ``TOGETHER_BASE_URL``), as for any program of this provider.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from pulumi import automation as auto

PROGRAM = Path(__file__).resolve().parent
EXPIRES_AT = "together:expiresAt"
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def duration(text: str) -> dt.timedelta:
    """``90m``, ``12h``, ``3d``."""
    match = re.fullmatch(r"(\d+)([mhd])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 90m, 12h or 3d")
    return dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def up(name: str, ttl: dt.timedelta, region: str | None) -> None:
    """Create the stack (or select it), declare when it expires, and run ``pulumi up``."""
    stack = auto.create_or_select_stack(stack_name=name, work_dir=str(PROGRAM))
    expires = (dt.datetime.now(dt.UTC) + ttl).replace(microsecond=0)
    stack.set_tag(EXPIRES_AT, expires.isoformat().replace("+00:00", "Z"))
    if region:
        stack.set_config("region", auto.ConfigValue(region))
    result = stack.up(on_output=print, color="never")
    print(f"{name}: {result.summary.result}, expires {stack.get_tag(EXPIRES_AT)}")
    for key, output in result.outputs.items():
        print(f"{name}: {key} = {'[secret]' if output.secret else output.value}")


def destroy(name: str) -> None:
    """Destroy the stack's resources, then remove the stack (its name can be used again)."""
    try:
        stack = auto.select_stack(stack_name=name, work_dir=str(PROGRAM))
    except auto.errors.StackNotFoundError:
        print(f"{name}: no such stack, nothing to destroy")
        return
    stack.destroy(on_output=print, color="never")
    stack.workspace.remove_stack(name)
    print(f"{name}: destroyed and removed")


def list_stacks() -> None:
    workspace = auto.LocalWorkspace(work_dir=str(PROGRAM))
    for summary in workspace.list_stacks():
        tags = workspace.list_tags(summary.name)
        print(f"{summary.name}\tresources={summary.resource_count}\texpires={tags.get(EXPIRES_AT, '-')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("up", help="create or update an environment's stack")
    create.add_argument("name", help="the stack name, e.g. pr-123 or team-vision")
    create.add_argument("--ttl", type=duration, default=dt.timedelta(days=3), help="time to live (default 3d)")
    create.add_argument("--region", help="the cluster's region (default us-central-8)")
    remove = commands.add_parser("destroy", help="destroy an environment and remove its stack")
    remove.add_argument("name")
    commands.add_parser("list", help="the environments and when they expire")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            up(args.name, args.ttl, args.region)
        elif args.command == "destroy":
            destroy(args.name)
        else:
            list_stacks()
    except auto.errors.CommandError as exc:
        print(f"environments.py {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
