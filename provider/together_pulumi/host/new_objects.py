"""Whether a check's inputs make a new object, and whether a value is stated for the first time.

Checks that matter only for an object about to be created (the default project, a placement hint)
ask these: a new resource, or a replacing input that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model.fields import Change, Field, contains_unknown, values_equal

__all__ = ["creates_object", "newly_stated", "without_key"]


def newly_stated(olds: Mapping[str, Any], value: Any, old_value: Any) -> bool:
    """True when a value is stated for the first time: a new resource, or a changed value."""
    return not olds or not values_equal(old_value, value)


def creates_object(
    table: tuple[Field, ...], olds: Mapping[str, Any], inputs: Mapping[str, Any], hints: Mapping[str, str] | None = None
) -> bool:
    """Whether these checked inputs make a new object: a new resource, or a replacing input that changed
    (a computed one only when the user states it). ``hints`` names, per object input, a key inside it
    that is only a creation hint and does not count."""
    if not olds:
        return True
    for f in table:
        if not f.input or f.change is not Change.REPLACE:
            continue
        new, old = inputs.get(f.name), olds.get(f.name)
        if new is None and f.computed:
            continue
        if hints and f.name in hints:
            new, old = without_key(new, hints[f.name]), without_key(old, hints[f.name])
        if contains_unknown(new) or not values_equal(old, new):
            return True
    return False


def without_key(value: Any, key: str) -> Any:
    """An object input without one of its keys (other values as they are)."""
    return {k: v for k, v in value.items() if k != key} if isinstance(value, Mapping) else value
