"""Which stacks ``teardown`` selects: name and tag filters, then an age or the stack's own expiry.

A stack is a candidate when it matches every filter (``--stacks`` glob on ``stack`` or
``project/stack``; each ``--tag KEY=VALUE``). A candidate is *due* when:

* it declares an expiry (stack tag ``together:expiresAt``, else the stack config of that name as the
  last update stored it) and that time has passed: whatever ``--older-than`` says;
* it declares an expiry still to come: never (its own declaration wins over the age rule);
* it declares none: with ``--older-than D`` when its last update is older than D; without
  ``--older-than``, when a filter (``--stacks`` or ``--tag``) chose it.

Without any flag only expired stacks are due. An expiry that is not a timestamp keeps the stack
and says why.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .backend import StackRef
from .state import EXPIRES_AT, StackState
from .times import format_age, parse_timestamp

__all__ = ["Rules", "Verdict", "parse_tag"]


def parse_tag(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` (``--tag``); ValueError says what is valid."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"{text!r} is not KEY=VALUE (e.g. --tag env=pr)")
    return key.strip(), value.strip()


@dataclass(frozen=True)
class Verdict:
    """Whether a candidate is due, and why (shown in the table)."""

    due: bool
    reason: str


@dataclass(frozen=True)
class Rules:
    """The selection a teardown was asked for, evaluated at ``now``."""

    now: dt.datetime
    stacks_glob: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    older_than: dt.timedelta | None = None

    def matches_name(self, ref: StackRef) -> bool:
        """The ``--stacks`` glob, on the stack name or on ``project/stack``."""
        glob = self.stacks_glob
        return glob is None or fnmatch.fnmatchcase(ref.name, glob) or fnmatch.fnmatchcase(ref.label, glob)

    def matches_tags(self, tags: Mapping[str, str]) -> bool:
        return all(tags.get(key) == value for key, value in self.tags)

    def age(self, ref: StackRef) -> dt.timedelta | None:
        return self.now - ref.last_update if ref.last_update else None

    def verdict(self, ref: StackRef, tags: Mapping[str, str], state: StackState) -> Verdict:
        """Whether a stack that passed the filters is due (see the module's docstring)."""
        declared, where = _declared_expiry(tags, state)
        if declared is not None:
            try:
                expires = parse_timestamp(declared)
            except ValueError as exc:
                return Verdict(False, f"kept: {where} {exc}")
            if expires <= self.now:
                return Verdict(True, f"expired {format_age(self.now - expires)} ago ({where})")
            return Verdict(False, f"kept: expires {format_age(self.now - expires)} ({where})")
        age = self.age(ref)
        if self.older_than is not None:
            if age is not None and age > self.older_than:
                return Verdict(True, f"last update {format_age(age)} ago, older than {format_age(self.older_than)}")
            return Verdict(
                False, f"kept: last update {format_age(age)} ago, not older than {format_age(self.older_than)}"
            )
        if self.stacks_glob is not None or self.tags:
            return Verdict(True, "selected by " + self._filters())
        return Verdict(False, "kept: declares no expiry (pass --older-than, --stacks or --tag to select it)")

    def _filters(self) -> str:
        parts: Sequence[str] = [f"--stacks {self.stacks_glob}"] if self.stacks_glob else []
        return " and ".join([*parts, *(f"--tag {k}={v}" for k, v in self.tags)])


def _declared_expiry(tags: Mapping[str, str], state: StackState) -> tuple[str | None, str]:
    if tags.get(EXPIRES_AT):
        return tags[EXPIRES_AT], f"tag {EXPIRES_AT}"
    if state.config.get(EXPIRES_AT):
        return state.config[EXPIRES_AT], f"config {EXPIRES_AT}"
    return None, ""
