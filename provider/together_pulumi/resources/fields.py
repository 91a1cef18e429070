"""Field tables: the one source of truth of every resource.

A resource module declares its fields once, as a tuple of :class:`Field`. Everything else reads that
table: static validation in ``check``, in-place vs replace in ``diff``, request bodies, ``schema.json``
and ``docs/reference.md``. Adding an API field is one line in a table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime import rpc

__all__ = [
    "UNKNOWN",
    "Change",
    "Field",
    "FieldType",
    "ListOf",
    "ObjectType",
    "Violation",
    "camel_case",
    "contains_unknown",
    "field_map",
    "from_engine",
    "is_set",
    "is_unknown",
    "validate_value",
]

#: The one placeholder our code sees for values not known until apply (see :func:`from_engine`).
UNKNOWN: str = rpc.UNKNOWN


def is_unknown(value: Any) -> bool:
    """True for either form the SDK uses for a value not known during preview: the
    ``pulumi.output.Unknown`` object (what ``check`` and ``diff`` receive) or the wire string."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def from_engine(value: Any) -> Any:
    """Property values as the engine sent them, with every unknown turned into :data:`UNKNOWN`.

    The dynamic provider host deserializes ``check`` and ``diff`` inputs keeping unknowns as
    ``pulumi.output.Unknown`` objects; every provider method that receives engine values passes
    them through here first, so the rules deal with one representation only (and hand the same
    string back to the engine, which reads it as unknown).
    """
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {key: from_engine(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [from_engine(item) for item in value]
    return value


class Change(StrEnum):
    """What changing an input does to the real object."""

    IN_PLACE = "in_place"  # the API updates it
    REPLACE = "replace"  # a new object is made and the old one deleted
    STATE_ONLY = "state_only"  # provider behaviour only (timeouts, waiting): no API call


@dataclass(frozen=True)
class ObjectType:
    """A nested object: a name (for schema ``types``) and its own fields."""

    name: str
    description: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class ListOf:
    """A list whose items all have one type."""

    item: FieldType


#: A scalar Python type, an enum, a nested object, or a list of any of these.
FieldType = type[str] | type[int] | type[bool] | type[float] | type[Enum] | ObjectType | ListOf


@dataclass(frozen=True)
class Field:
    """One property of a resource.

    ``input`` fields are set by the user (and echoed as outputs); output-only fields come from the
    service. ``api_name`` is the wire name; ``sent=False`` marks a provider-only input. ``default`` is
    what ``check`` fills in when the user leaves the field out (``None``: nothing). ``computed``
    inputs get a value from the service or the provider when unset (a name, the driver, the
    project), so leaving them out later is not a change.
    """

    name: str
    type: FieldType
    description: str
    input: bool = True
    required: bool = False
    default: Any = None
    change: Change = Change.REPLACE
    secret: bool = False
    api_name: str | None = None
    sent: bool = True
    computed: bool = False

    @property
    def wire_name(self) -> str | None:
        """The JSON name on the wire, or None for provider-only fields."""
        if not self.sent:
            return None
        return self.api_name or self.name


def field_map(table: Iterable[Field]) -> dict[str, Field]:
    """Fields by Python name."""
    return {f.name: f for f in table}


def camel_case(name: str) -> str:
    """``num_gpus`` -> ``numGpus`` (schema property names)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def contains_unknown(value: Any) -> bool:
    """True when a value is, or holds, a placeholder for something not known during preview."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def is_set(props: Mapping[str, Any], name: str) -> bool:
    """True when the user gave this property a value (known or not)."""
    return props.get(name) is not None


@dataclass(frozen=True)
class Violation:
    """A property path and what is wrong with its value."""

    path: str
    reason: str


_TYPE_WORDS: dict[type, str] = {str: "a string", int: "an integer", bool: "a boolean", float: "a number"}


def _type_word(kind: FieldType) -> str:
    if isinstance(kind, ObjectType):
        return f"an object ({kind.name})"
    if isinstance(kind, ListOf):
        return f"a list of {_type_word(kind.item)}"
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "one of " + ", ".join(str(m.value) for m in kind)
    return _TYPE_WORDS.get(kind, kind.__name__)


def validate_value(value: Any, kind: FieldType, path: str) -> list[Violation]:
    """Type-check one value against a field type; unknown values are never wrong."""
    if value is None or is_unknown(value):
        return []
    if isinstance(kind, ObjectType):
        return validate_object(value, kind.fields, path)
    if isinstance(kind, ListOf):
        if not isinstance(value, list | tuple):
            return [Violation(path, f"must be {_type_word(kind)}; got {type(value).__name__}")]
        found: list[Violation] = []
        for index, item in enumerate(value):
            found += validate_value(item, kind.item, f"{path}[{index}]")
        return found
    if isinstance(kind, type) and issubclass(kind, Enum):
        allowed = [str(m.value) for m in kind]
        if str(value) not in allowed:
            return [Violation(path, f"must be one of {', '.join(allowed)}; got {value!r}")]
        return []
    if kind is int and (isinstance(value, bool) or not isinstance(value, int | float) or value != int(value)):
        return [Violation(path, f"must be an integer; got {value!r}")]
    if kind is float and (isinstance(value, bool) or not isinstance(value, int | float)):
        return [Violation(path, f"must be a number; got {value!r}")]
    if kind is bool and not isinstance(value, bool):
        return [Violation(path, f"must be true or false; got {value!r}")]
    if kind is str and not isinstance(value, str):
        return [Violation(path, f"must be a string; got {value!r}")]
    return []


def validate_object(value: Any, table: tuple[Field, ...], path: str) -> list[Violation]:
    """Check a nested object: known keys only, required keys present, each value typed."""
    if is_unknown(value):
        return []
    if not isinstance(value, Mapping):
        return [Violation(path, f"must be an object; got {type(value).__name__}")]
    fields = field_map(table)
    found: list[Violation] = []
    for key in value:
        if key not in fields:
            found.append(Violation(f"{path}.{key}", f"is not a property of {path}; valid: {', '.join(fields)}"))
    for f in table:
        if f.required and value.get(f.name) is None:
            found.append(Violation(f"{path}.{f.name}", "is required"))
        found += validate_value(value.get(f.name), f.type, f"{path}.{f.name}")
    return found


def to_wire(value: Any, kind: FieldType) -> Any:
    """Convert a checked property value to its JSON form (nested objects keep only sent fields)."""
    if value is None:
        return None
    if isinstance(kind, ObjectType):
        fields = field_map(kind.fields)
        return {
            (f.wire_name or name): to_wire(v, f.type)
            for name, v in value.items()
            if v is not None and (f := fields.get(name)) is not None and f.wire_name
        }
    if isinstance(kind, ListOf):
        return [to_wire(v, kind.item) for v in value]
    if kind is int:
        return int(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return str(value.value if isinstance(value, Enum) else value)
    return value


_NAME_SAFE = re.compile(r"[^a-z0-9-]+")


def dns_label(text: str) -> str:
    """A DNS-1123-style label from free text (cluster and volume names end up as Kubernetes names)."""
    return _NAME_SAFE.sub("-", text.lower()).strip("-") or "resource"
