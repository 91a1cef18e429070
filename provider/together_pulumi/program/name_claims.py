"""Names given twice in one program: two resources of a stack that declare the same cluster or
volume name would fight over one object, so the second claim stops the program at ``pulumi preview``.

The claims are process-wide (one program per process); :func:`forget_claims` starts a new program.
"""

from __future__ import annotations

import threading
from typing import Any

import pulumi

from .inputs import ProgramError

__all__ = ["claim_name", "forget_claims"]

_claims: dict[tuple[str, str], str] = {}
_claims_lock = threading.Lock()


def claim_name(kind: str, name: Any, owner: str) -> None:
    """Record that ``owner`` declares the ``kind`` object named ``name``; a second claim is refused.

    Two resources of one stack that name the same cluster (or volume) would fight over one object,
    so the program stops at ``pulumi preview`` naming both. Names known only later are checked when
    they resolve.
    """
    if name is None:
        return
    if isinstance(name, str):
        _claim(kind, name, owner)
    else:
        pulumi.Output.from_input(name).apply(
            lambda value: _claim(kind, value, owner) if isinstance(value, str) else None
        )


def _claim(kind: str, name: str, owner: str) -> None:
    with _claims_lock:
        first = _claims.setdefault((kind, name), owner)
    if first != owner:
        raise ProgramError(
            f"{owner} and {first} both declare the {kind} named {name!r}; each {kind} can be managed by one "
            f"resource only. Give one of them another name (or leave the name out for a unique auto-name)."
        )


def forget_claims() -> None:
    """Start a new program (the tests run many in one process)."""
    with _claims_lock:
        _claims.clear()
