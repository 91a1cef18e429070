"""Property values across the component boundary: schema (camelCase) names to the Python API's and back.

A program in another language sends ``numGpus`` and ``sharedVolume: {volumeName: ...}``; the Python
classes take ``num_gpus`` and ``{"volume_name": ...}``, and report nested outputs (nodes, volumes) with
Python keys. The field tables say which keys exist at every level, so both directions are derived from
them, like ``schema.json``. Values may be ``pulumi.Output``s (unknown at preview, secret, or carrying
dependencies): those are mapped inside an ``apply``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from ..model.fields import Field, FieldType, ListOf, ObjectType, camel_case, is_unknown

__all__ = ["from_schema", "inputs_from_schema", "to_schema"]

_Mapper = Callable[[Any, FieldType], Any]


def _through_outputs(value: Any, kind: FieldType, mapper: _Mapper) -> Any:
    if isinstance(value, pulumi.Output):
        return value.apply(lambda known: mapper(known, kind))
    return mapper(value, kind)


def from_schema(value: Any, kind: FieldType) -> Any:
    """A value as a program in another language sent it, as the Python API takes it."""
    if isinstance(value, pulumi.Output):
        return _through_outputs(value, kind, from_schema)
    if value is None or is_unknown(value):
        return value
    if isinstance(kind, ObjectType) and isinstance(value, Mapping):
        fields = {camel_case(f.name): f for f in kind.fields}
        # A key the table does not know is passed on under its own name, so that check names it.
        return {
            (fields[k].name if k in fields else k): from_schema(v, fields[k].type) if k in fields else v
            for k, v in value.items()
        }
    if isinstance(kind, ListOf) and isinstance(value, list | tuple):
        return [from_schema(item, kind.item) for item in value]
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)  # numbers cross the wire as floats
    return value


def to_schema(value: Any, kind: FieldType) -> Any:
    """A value the Python API reports, with the schema's names at every level."""
    if isinstance(value, pulumi.Output):
        return _through_outputs(value, kind, to_schema)
    if isinstance(kind, ObjectType) and isinstance(value, Mapping):
        fields = {f.name: f for f in kind.fields}
        return {
            (camel_case(k) if k in fields else k): to_schema(v, fields[k].type) if k in fields else v
            for k, v in value.items()
        }
    if isinstance(kind, ListOf) and isinstance(value, list | tuple):
        return [to_schema(item, kind.item) for item in value]
    return value


def inputs_from_schema(inputs: Mapping[str, Any], table: tuple[Field, ...]) -> dict[str, Any]:
    """The keyword arguments of a Python class, from a component's inputs (unknown names kept as sent)."""
    fields = {camel_case(f.name): f for f in table if f.input}
    return {
        (fields[k].name if k in fields else k): from_schema(v, fields[k].type) if k in fields else v
        for k, v in inputs.items()
        if v is not None
    }
