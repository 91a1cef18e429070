"""Field tables: the one source of truth of every resource.

A resource declares its fields once, as a tuple of :class:`Field`. Everything else reads that table:
validation in ``check`` (types, required, and the value constraints on each field), in-place vs
replace in ``diff``, the request bodies, what a cluster reports and lookups return, the generated
``...Args``, ``...Outputs`` and ``...Info`` classes, ``schema.json``, ``docs/reference.md`` and the
README's change table. A new optional API field is one line here, one in the request model of
``api/models`` (the wire layer declares its own shapes), and the emulator's deliberate copy; then
``make schema docs``. The checklist, with its exceptions: ``docs/development.md``.

Values coming from the engine pass through :func:`from_engine` first, which turns both forms of "not
known yet" into the one :data:`UNKNOWN` sentinel; the rest of the code only ever sees that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from pulumi.output import Unknown

from ..contract import UNKNOWN_STRING, is_engine_unknown

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
    "is_unknown",
    "known",
    "show",
    "validate_object",
    "validate_value",
    "values_equal",
]

#: The one placeholder our code sees for values not known until apply (see :func:`from_engine`).
UNKNOWN: str = UNKNOWN_STRING
#: The largest integer the API's fields hold: Together's tcloud spec types them uint32/int32.
API_INT_MAX = 2**32 - 1


class Change(StrEnum):
    """What changing an input does to the real object."""

    IN_PLACE = "in_place"  # the API updates it
    REPLACE = "replace"  # a new object is made and the old one deleted
    STATE_ONLY = "state_only"  # no API call: provider behaviour (timeouts, waiting), or a hint used only at creation


@dataclass(frozen=True)
class ObjectType:
    """A nested object: a name (for schema ``types`` and the ``...Args`` class) and its own fields."""

    name: str
    description: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class ListOf:
    """A list whose items all have one type."""

    item: FieldType


#: A scalar Python type, an enum, a nested object, or a list of any of these.
FieldType = type[str] | type[int] | type[bool] | type[Enum] | ObjectType | ListOf


@dataclass(frozen=True)
class Field:
    """One property of a resource.

    ``input`` fields are set by the user (and echoed as outputs); output-only fields come from the
    service. ``sent=False`` marks a provider-only input (never in a request body). ``default`` is what
    ``check`` fills in when the user leaves the field out (``None``: nothing). ``computed`` inputs get
    a value from the service or the provider when unset (a name, the driver, the project), so
    leaving them out later is not a change.

    On an output-only field (or a field of an object only ever reported), ``required`` means "always
    reported". A field is read from the API's answer under its own name, or ``reported_as`` (the
    attribute of the response model, where it differs: ``nvidia_version_id`` comes back as
    ``nvidia_driver_version_id``); that is how lookups and reports are derived from the tables.

    Value constraints on integers, checked by :func:`validate_value` (and so at ``pulumi preview``):
    ``minimum``, ``maximum`` and ``multiple_of``; ``unit`` names the unit in messages ("GiB", or for a
    multiple what it stands for: "one node = 8 GPUs").
    """

    name: str
    type: FieldType
    description: str
    input: bool = True
    required: bool = False
    default: Any = None
    change: Change = Change.REPLACE
    secret: bool = False
    sent: bool = True
    computed: bool = False
    minimum: int | None = None
    maximum: int | None = None
    multiple_of: int | None = None
    unit: str | None = None
    reported_as: str | None = None


def field_map(table: Iterable[Field]) -> dict[str, Field]:
    """Fields by Python name."""
    return {f.name: f for f in table}


def camel_case(name: str) -> str:
    """``num_gpus`` -> ``numGpus`` (schema property names)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# --- unknown values --------------------------------------------------------------------------------


def is_unknown(value: Any) -> bool:
    """True for either form the SDK uses for a value not known during preview: the
    ``pulumi.output.Unknown`` object (what ``check`` and ``diff`` receive) or the engine's placeholder."""
    return isinstance(value, Unknown) or is_engine_unknown(value)


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


def contains_unknown(value: Any) -> bool:
    """True when a value is, or holds, a placeholder for something not known during preview."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def known(props: Mapping[str, Any], name: str) -> bool:
    """True when the property is set and its value is known (not a preview placeholder)."""
    value = props.get(name)
    return value is not None and not contains_unknown(value)


def values_equal(old: Any, new: Any) -> bool:
    """Equality that treats 8 and 8.0 alike (numbers cross the wire as floats) and a key set to
    ``None`` like a missing one."""
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new or (old == new and type(old) is type(new))
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        keys = {k for k in (*old, *new) if old.get(k) is not None or new.get(k) is not None}
        return all(values_equal(old.get(k), new.get(k)) for k in keys)
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return len(old) == len(new) and all(values_equal(a, b) for a, b in zip(old, new, strict=True))
    return bool(old == new)


def show(value: Any) -> str:
    """A value as a message shows it: 8.0 (numbers cross the wire as floats) as 8."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


# --- validation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """A property path and what is wrong with its value."""

    path: str
    reason: str


_TYPE_WORDS: dict[type, str] = {str: "a string", int: "an integer", bool: "a boolean"}


def _type_word(kind: FieldType) -> str:
    if isinstance(kind, ObjectType):
        return f"an object ({kind.name})"
    if isinstance(kind, ListOf):
        return f"a list of {_type_word(kind.item)}"
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "one of " + ", ".join(str(m.value) for m in kind)
    return _TYPE_WORDS.get(kind, kind.__name__)


def validate_value(value: Any, kind: FieldType, path: str, field: Field | None = None) -> list[Violation]:
    """Type-check one value (and the field's constraints); unknown values are never wrong."""
    if value is None or is_unknown(value):
        return []
    if isinstance(kind, ObjectType):
        return validate_object(value, kind.fields, path)
    if isinstance(kind, ListOf):
        if not isinstance(value, list | tuple):
            return [Violation(path, f"{path} must be {_type_word(kind)}; got {type(value).__name__}")]
        found: list[Violation] = []
        for index, item in enumerate(value):
            found += validate_value(item, kind.item, f"{path}[{index}]")
        return found
    if isinstance(kind, type) and issubclass(kind, Enum):
        allowed = [str(m.value) for m in kind]
        if str(value.value if isinstance(value, Enum) else value) not in allowed:
            return [Violation(path, f"{path} must be one of {', '.join(allowed)}; got {value!r}")]
        return []
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            return [Violation(path, f"{path} must be an integer; got {value!r}")]
        if abs(value) > API_INT_MAX:
            return [
                Violation(path, f"{path} must be at most {API_INT_MAX} (a 32-bit integer of the API); got {value:g}")
            ]
        return _constraints(int(value), path, field)
    if kind is bool and not isinstance(value, bool):
        return [Violation(path, f"{path} must be true or false; got {value!r}")]
    if kind is str and not isinstance(value, str):
        return [Violation(path, f"{path} must be a string; got {value!r}")]
    return []


def _constraints(value: int, path: str, field: Field | None) -> list[Violation]:
    if field is None:
        return []
    step, low, high = field.multiple_of, field.minimum, field.maximum
    if step is not None and (value % step or (low is not None and value < low)):
        kind = "a positive" if low is not None and low > 0 else "a non-negative"
        unit = f" ({field.unit})" if field.unit else ""
        return [Violation(path, f"{path} must be {kind} multiple of {step}{unit}; got {value}")]
    unit = f" {field.unit}" if field.unit else ""
    if low is not None and high is not None and not low <= value <= high:
        return [Violation(path, f"{path} must be between {low} and {high}{unit}; got {value}")]
    if low is not None and value < low:
        return [Violation(path, f"{path} must be at least {low}{unit}; got {value}")]
    if high is not None and value > high:
        return [Violation(path, f"{path} must be at most {high}{unit}; got {value}")]
    return []


def validate_object(value: Any, table: tuple[Field, ...], path: str) -> list[Violation]:
    """Check a nested object: known keys only, required keys present, each value typed and constrained."""
    if is_unknown(value):
        return []
    if not isinstance(value, Mapping):
        return [Violation(path, f"{path} must be an object; got {type(value).__name__}")]
    fields = field_map(table)
    found: list[Violation] = []
    for key in value:
        if key not in fields:
            found.append(Violation(f"{path}.{key}", f"{key} is not a property of {path}; valid: {', '.join(fields)}"))
    for f in table:
        if f.required and value.get(f.name) is None:
            found.append(Violation(f"{path}.{f.name}", f"{path}.{f.name} is required"))
        found += validate_value(value.get(f.name), f.type, f"{path}.{f.name}", f)
    return found
