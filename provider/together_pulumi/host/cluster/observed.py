"""What a refresh records for the settings a user declared: the service's values, compared semantically.

The service normalises what it is given, and that must not read as drift: it returns add-ons only
while they are enabled (an add-on given without config counts as enabled) with their configs merged
across updates; it adds its own defaults to ``cluster_config`` and, like any proto3 JSON service, may
leave out a false, empty or zero value; and it formats times its own way (``...00.000Z`` for
``...00Z``). So each function below returns the declared value unchanged when the service's value
means the same, and otherwise the service's value in the declared shape, which the next preview shows
as drift and ``pulumi up`` sends back. Keys the user did not declare (service defaults) are not drift;
an add-on that is on while the program does not list it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ...model.fields import contains_unknown, values_equal
from .rules import parse_time

__all__ = ["add_on_enabled", "observed_add_ons", "observed_config", "observed_time"]


def observed_time(declared: Any, served: datetime | None) -> Any:
    """The declared time while it is the same instant as the service's; else the service's (or None)."""
    if served is None:
        return None
    mine = parse_time(declared) if isinstance(declared, str) else None
    if mine is not None and mine == served:
        return declared
    return served.astimezone(UTC).isoformat().replace("+00:00", "Z")


def observed_config(declared: Any, served: Mapping[str, Any] | None) -> Any:
    """``cluster_config`` as the service has it, restricted to the keys the user declared."""
    if not isinstance(declared, Mapping) or contains_unknown(declared):
        return declared
    seen = _project(declared, served)
    return declared if values_equal(declared, seen) else seen


def add_on_enabled(add_on: Mapping[str, Any], kind: Any) -> bool:
    """An add-on is on unless its own config switch says ``enabled: false``."""
    config = add_on.get("config")
    own = config.get(kind) if isinstance(config, Mapping) else None
    return not (isinstance(own, Mapping) and own.get("enabled") is False)


def observed_add_ons(declared: Any, served: Sequence[Mapping[str, Any]]) -> Any:
    """The declared add-ons as the service has them: on or off, and the rest of their config."""
    if not isinstance(declared, list):
        return declared
    by_name = {a.get("name"): a for a in served if isinstance(a, Mapping)}
    out = []
    for add_on in declared:
        if not isinstance(add_on, Mapping) or contains_unknown(add_on):
            out.append(add_on)
            continue
        kind, found = add_on.get("add_on_type"), by_name.get(add_on.get("name"))
        # The service lists only enabled add-ons: one it does not list is off.
        is_on = found is not None and add_on_enabled(found, kind)
        config = add_on.get("config")
        rest = {k: v for k, v in config.items() if k != kind} if isinstance(config, Mapping) else {}
        seen_rest = _project(rest, found.get("config") if found is not None else None)
        if is_on == add_on_enabled(add_on, kind) and values_equal(rest, seen_rest):
            out.append(add_on)
        else:
            out.append({**add_on, "config": {**seen_rest, kind: {"enabled": is_on}}})
    # Add-ons on that the program does not list (switched on elsewhere, or still on after a removal
    # that did not go through) are drift too: the next `pulumi up` switches them off.
    listed = {a.get("name") for a in declared if isinstance(a, Mapping)}
    for found in served:
        if (
            isinstance(found, Mapping)
            and found.get("name") not in listed
            and add_on_enabled(found, found.get("add_on_type"))
        ):
            out.append({"name": found.get("name"), "add_on_type": found.get("add_on_type")})
    return out


def _project(declared: Any, served: Any) -> Any:
    """The served value in the shape of the declared one: only declared keys, recursively. A value the
    service left out reads as the declared one when that is a zero value (false, "", 0)."""
    if isinstance(declared, Mapping):
        source = served if isinstance(served, Mapping) else {}
        out = {}
        for key, value in declared.items():
            if value is None:
                continue
            seen = _project(value, source.get(key))
            if seen is not None and seen != {}:
                out[key] = seen
        return out
    if served is None and _is_zero(declared):
        return declared
    return served


def _is_zero(value: Any) -> bool:
    """What a proto3 JSON service leaves out: false, "" and 0 (numbers cross the wire as floats)."""
    if isinstance(value, bool):
        return value is False
    if isinstance(value, int | float):
        return value == 0
    return isinstance(value, str) and not value
