"""From what a program writes to what a resource registers: ``...Args`` or keyword arguments to
properties, the private inputs that name it and carry its options (``model/private_inputs.py``), and
Pulumi's ``import_`` option as an adoption. A mistake in the program is a :class:`ProgramError`.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from enum import Enum
from typing import Any, TypeVar

import pulumi

from ..model.fields import Field
from ..model.naming import stack_identity
from ..model.private_inputs import AUTONAME_PREFIX, CREATE_FIRST, NAME_SEED, REPLACE_ON_CHANGES

__all__ = [
    "ProgramError",
    "deleted_first",
    "import_as_adoption",
    "name_inputs",
    "option_inputs",
    "props_from_args",
    "to_props",
]

_A = TypeVar("_A")


class ProgramError(pulumi.RunError):
    """Wrong in the program itself: ``pulumi preview`` stops with this message alone (no traceback)."""


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
    args_class: type[_A], args: _A | None, kwargs: dict[str, Any], table: tuple[Field, ...], owner: str
) -> dict[str, Any]:
    """Accept either ``Resource(name, Args(...))`` or ``Resource(name, field=...)``, not both.

    Every field of the table is present in the result (``None`` when unset): the Pulumi SDK only
    makes attributes of the keys it is given, and output-only fields must be attributes too. A
    mistake is a :class:`ProgramError` naming ``owner`` ("GpuCluster train"), never a traceback.
    """
    kind = args_class.__name__
    if args is not None and kwargs:
        raise ProgramError(f"{owner}: pass either a {kind} or keyword arguments, not both")
    if args is None:
        valid = {f.name for f in dataclasses.fields(args_class)}  # type: ignore[arg-type]
        unknown = sorted(set(kwargs) - valid)
        if unknown:
            raise ProgramError(
                f"{owner}: {', '.join(unknown)} is not an argument of {kind}; valid: {', '.join(sorted(valid))}"
            )
        missing = [f for f in table if f.input and f.required and kwargs.get(f.name) is None]
        if missing:
            raise ProgramError(f"{owner}: " + "; ".join(f"{f.name} is required: {f.description}" for f in missing))
        args = args_class(**kwargs)
    props: dict[str, Any] = {f.name: None for f in table}
    props.update(to_props(args))
    return props


def option_inputs(opts: pulumi.ResourceOptions | None) -> dict[str, Any]:
    """Resource options the provider must know of: ``replace_on_changes``, which it applies itself (the
    engine matches it against the changed keys a provider reports, and Python dynamic providers report
    none), and ``delete_before_replace=False`` (see ``provider.CREATE_FIRST``)."""
    found: dict[str, Any] = {}
    if opts is not None and opts.replace_on_changes:
        found[REPLACE_ON_CHANGES] = list(opts.replace_on_changes)
    if opts is not None and opts.delete_before_replace is False:
        found[CREATE_FIRST] = True
    return found


def name_inputs(resource_name: str, resource_type: str, parent: pulumi.Resource | None) -> dict[str, Any]:
    """The private inputs from which the provider derives a stable auto-name (see ``naming``): the
    readable part, and a hash of what identifies this resource in this stack (the salt stays out of
    the state)."""
    identity = stack_identity(pulumi.get_organization(), pulumi.get_project(), pulumi.get_stack())
    # The parent's type and name, not its URN: a child's input may not wait on its own parent.
    under = (parent.pulumi_resource_type, parent.pulumi_resource_name) if parent is not None else ("", "")
    text = "/".join((identity, *under, resource_type, resource_name))
    return {AUTONAME_PREFIX: resource_name, NAME_SEED: hashlib.sha256(text.encode()).hexdigest()[:32]}


def import_as_adoption(
    opts: pulumi.ResourceOptions | None, props: dict[str, Any], adopt_field: str, owner: str
) -> pulumi.ResourceOptions | None:
    """Pulumi's ``import_=<id>`` option adopts the object, exactly as ``<adopt_field>=<id>`` does.

    The engine's own import step cannot run a dynamic provider (it reads without the pickled provider:
    pulumi/pulumi#16175), and a component has no import step at all, so the id becomes the adopt input
    and the option is not passed on. Removing it later changes nothing, as with ``import_``.
    """
    if opts is None or opts.import_ is None:
        return opts
    declared = props.get(adopt_field)
    if declared is not None and declared != opts.import_:
        raise ProgramError(
            f"{owner}: import_={opts.import_!r} and {adopt_field}={declared!r} name two different objects; keep one"
        )
    props[adopt_field] = opts.import_
    rest = copy.copy(opts)
    rest.import_ = None
    return rest


def deleted_first(opts: pulumi.ResourceOptions) -> bool:
    """The replacement order of a cluster or volume: the old one is deleted before its replacement is
    made, unless the program asks otherwise.

    On ``pulumi up --replace``, ``pulumi state taint`` and a replaced parent the engine asks the
    provider nothing (not even its diff) and reads only this option. A replacement made first would
    carry the same name as the object it replaces whenever no replacing input changed, and names are
    how an interrupted create is found again; deleting first keeps one object per name on every path.
    With ``delete_before_replace=False`` an object found under the resource's own name is never taken
    over (it may be the one being replaced): the create stops and says what to do.
    """
    return True if opts.delete_before_replace is None else bool(opts.delete_before_replace)
