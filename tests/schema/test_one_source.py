"""What is still written twice agrees with the field tables: the API's request models (the wire layer
knows nothing of Pulumi, so it declares its own shapes; a new field is a line there too). What is
generated from the tables is checked for freshness: the README's change table here, the Args and
result classes, schema.json and docs/reference.md in test_schema."""

from __future__ import annotations

import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import pydantic
import pytest

from together_pulumi.api import models
from together_pulumi.model.cluster.fields import CLUSTER_FIELDS
from together_pulumi.model.fields import Change, Field, FieldType, ListOf, ObjectType
from together_pulumi.model.volume.fields import VOLUME_FIELDS
from together_pulumi.schema import with_change_table

README = Path(__file__).resolve().parents[2] / "README.md"


def _sent(table: tuple[Field, ...]) -> dict[str, Field]:
    return {f.name: f for f in table if f.input and f.sent}


def _kind_of_annotation(annotation: Any) -> Any:
    """The wire kind of a pydantic field annotation, ``| None`` removed."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return _kind_of_annotation(args[0]) if len(args) == 1 else annotation
    return annotation


def _agrees(kind: FieldType, annotation: Any) -> bool:
    """Whether a table type and a model annotation describe the same wire value."""
    wire = _kind_of_annotation(annotation)
    if isinstance(kind, ListOf):
        return typing.get_origin(wire) is list and _agrees(kind.item, typing.get_args(wire)[0])
    if isinstance(kind, ObjectType):
        return isinstance(wire, type) and issubclass(wire, pydantic.BaseModel)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return wire is kind
    if kind is str and wire.__name__ == "datetime":  # RFC 3339 strings in the table, parsed by the model
        return True
    return bool(wire is kind)


def _assert_table_matches_model(table: dict[str, Field], model: type[pydantic.BaseModel], where: str) -> None:
    fields = model.model_fields
    assert set(table) == set(fields), (
        f"{where}: only in the table {set(table) - set(fields)}, only in {model.__name__} {set(fields) - set(table)}"
    )
    for name, f in table.items():
        assert _agrees(f.type, fields[name].annotation), (
            f"{where}.{name}: table {f.type} vs model {fields[name].annotation}"
        )
        if isinstance(f.type, ObjectType):
            nested = _kind_of_annotation(fields[name].annotation)
            _assert_table_matches_model(_sent(f.type.fields), nested, f"{where}.{name}")
        elif isinstance(f.type, ListOf) and isinstance(f.type.item, ObjectType):
            nested = typing.get_args(_kind_of_annotation(fields[name].annotation))[0]
            _assert_table_matches_model(_sent(f.type.item.fields), nested, f"{where}.{name}[]")


@pytest.mark.parametrize(
    ("table", "model"),
    [(CLUSTER_FIELDS, models.ClusterCreateRequest), (VOLUME_FIELDS, models.VolumeCreateRequest)],
    ids=["cluster", "volume"],
)
def test_every_sent_input_is_in_the_create_request_with_its_type(
    table: tuple[Field, ...], model: type[pydantic.BaseModel]
) -> None:
    sent = _sent(table)
    if model is models.ClusterCreateRequest:
        # The inline volume's region is the cluster's: the provider adds it, the program does not set it.
        shared_volume = sent["shared_volume"].type
        assert isinstance(shared_volume, ObjectType)
        region = Field("region", str, "")
        sent["shared_volume"] = Field(
            "shared_volume", ObjectType(shared_volume.name, "", (*shared_volume.fields, region)), ""
        )
    _assert_table_matches_model(sent, model, model.__name__)


def test_the_inputs_that_update_in_place_are_exactly_the_update_request() -> None:
    in_place = {f.name for f in CLUSTER_FIELDS if f.change is Change.IN_PLACE}
    assert in_place == set(models.ClusterUpdateRequest.model_fields)
    volume_in_place = {f.name for f in VOLUME_FIELDS if f.change is Change.IN_PLACE}
    assert volume_in_place | {"volume_id"} == set(models.VolumeUpdateRequest.model_fields)


def test_the_readme_change_table_is_what_the_tables_generate() -> None:
    text = README.read_text()
    assert text == with_change_table(text), "the README's change table is stale: run `make docs` and commit it"
