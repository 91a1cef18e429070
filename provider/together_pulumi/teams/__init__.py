"""Tools for teams that share stacks in a DIY backend (PostgreSQL, an S3-compatible store, files).

``together-pulumi teardown`` destroys the stacks a rule selects (a name glob, stack tags, an age, an
expiry the stack declares); ``together-pulumi orphans`` lists the clusters and volumes of the account
that no stack holds. Both read and act on stacks through the Pulumi Automation API only, over any
backend the ``pulumi`` CLI can log in to; neither parses backend files. See ``docs/teams.md``.
"""

from __future__ import annotations

from .cli import add_commands, run

__all__ = ["add_commands", "run"]
