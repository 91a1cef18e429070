"""Turning ``...Args`` objects or keyword arguments into the property dict a dynamic resource sends."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, TypeVar

from .fields import Field

__all__ = ["props_from_args", "to_props"]

_A = TypeVar("_A")


def to_props(value: Any) -> Any:
    """Args dataclasses become dicts (recursively); enums their values; Outputs pass through untouched.

    Not ``dataclasses.asdict``: it deep-copies leaves, and a copied ``pulumi.Output`` breaks.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_props(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [to_props(item) for item in value]
    if isinstance(value, dict):
        return {key: to_props(item) for key, item in value.items() if item is not None}
    return value


def props_from_args(
    args_class: type[_A], args: _A | None, kwargs: dict[str, Any], table: tuple[Field, ...], kind: str
) -> dict[str, Any]:
    """Accept either ``Resource(name, Args(...))`` or ``Resource(name, field=...)``, not both.

    Every field of the table is present in the result (``None`` when unset): the Pulumi SDK only
    makes attributes of the keys it is given, and output-only fields must be attributes too.
    """
    if args is not None and kwargs:
        raise TypeError(f"{kind}: pass either an {args_class.__name__} or keyword arguments, not both")
    if args is None:
        valid = {f.name for f in dataclasses.fields(args_class)}  # type: ignore[arg-type]
        unknown = sorted(set(kwargs) - valid)
        if unknown:
            raise TypeError(f"{kind}: unknown argument(s) {', '.join(unknown)}; valid: {', '.join(sorted(valid))}")
        try:
            args = args_class(**kwargs)
        except TypeError as exc:
            raise TypeError(f"{kind}: {exc}") from None
    props: dict[str, Any] = {f.name: None for f in table}
    props.update(to_props(args))
    return props
