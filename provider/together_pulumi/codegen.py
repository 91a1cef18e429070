"""Field tables -> ``program/args.py``: the ``...Args`` classes, the typed outputs of each resource
and the ``...Info`` classes that lookups return.

The Args dataclasses (and their nested Args), the output annotations and the lookup results (from
the lookups' tables, ``CLUSTER_INFO`` and ``SHARED_VOLUME_INFO``, which take the cluster's outputs
from its table) are derived, never written by hand, so a field is declared once, in its table.
``make schema`` regenerates the module (with ``schema.json``); a test fails when it is stale.
Run: ``python -m together_pulumi.codegen --out FILE``.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from enum import Enum
from pathlib import Path

from .model.cluster.fields import CLUSTER_FIELDS
from .model.fields import Field, FieldType, ListOf, ObjectType
from .model.volume.fields import VOLUME_FIELDS
from .program.functions.lookups import RESULTS

__all__ = ["ARGS_MODULE", "RESOURCES", "info_class_name", "render_args"]

ARGS_MODULE = Path(__file__).parent / "program" / "args.py"

#: (resource name, its table, the fields whose value is always present in its outputs)
RESOURCES: tuple[tuple[str, tuple[Field, ...], str], ...] = (
    ("GpuCluster", CLUSTER_FIELDS, "A Together Instant GPU cluster; see ``docs/reference.md``."),
    ("SharedVolume", VOLUME_FIELDS, "A Together shared volume; see ``docs/reference.md``."),
)
#: Computed inputs that always have a value once created (the auto-name).
_ALWAYS_SET = ("cluster_name", "volume_name")


def _python_type(kind: FieldType) -> str:
    """The plain Python type of a value of this field type, as stored and reported."""
    if isinstance(kind, ObjectType):
        return "dict[str, Any]"
    if isinstance(kind, ListOf):
        return f"list[{_python_type(kind.item)}]"
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "str"
    return kind.__name__


def _input_type(kind: FieldType) -> str:
    """What a program may pass: Args objects or plain dicts for objects, Outputs for anything."""
    if isinstance(kind, ObjectType):
        return f"{kind.name}Args | pulumi.Input[dict[str, Any]]"
    if isinstance(kind, ListOf) and isinstance(kind.item, ObjectType):
        return f"list[{kind.item.name}Args] | pulumi.Input[list[Any]]"
    return f"pulumi.Input[{_python_type(kind)}]"


def _nested(table: tuple[Field, ...], found: dict[str, ObjectType]) -> None:
    """Every object type the inputs of ``table`` use, innermost first."""
    for f in table:
        kind = f.type.item if isinstance(f.type, ListOf) else f.type
        if f.input and isinstance(kind, ObjectType) and kind.name not in found:
            _nested(kind.fields, found)
            found[kind.name] = kind


def _dataclass(name: str, description: str, fields: tuple[Field, ...]) -> list[str]:
    lines = ["@dataclass", f"class {name}:", *_docstring(description), ""]
    ordered = sorted((f for f in fields if f.input), key=lambda f: not f.required)
    for f in ordered:
        optional = "" if f.required else " | None = None"
        lines += [f"    {f.name}: {_input_type(f.type)}{optional}", *_docstring(f.description), ""]
    return [*lines[:-1], "", ""]


def _outputs(name: str, table: tuple[Field, ...]) -> list[str]:
    lines = [f"class {name}Outputs:", *_docstring(f"The outputs of :class:`{name}`, typed (annotations only)."), ""]
    for f in table:
        always = f.required or f.default is not None or f.name in _ALWAYS_SET
        type_ = _python_type(f.type) if always else f"{_python_type(f.type)} | None"
        lines.append(f"    {f.name}: pulumi.Output[{type_}]")
    return [*lines, "", ""]


def info_class_name(kind: ObjectType) -> str:
    """The lookup result class of an object type: ``GpuWorkerNode`` -> ``GpuWorkerNodeInfo``."""
    return kind.name if kind.name.endswith("Info") else f"{kind.name}Info"


def _result_type(f: Field) -> str:
    """A result attribute's type: tuples for lists, Info classes for objects, secrets as Outputs."""

    def plain(kind: FieldType) -> str:
        if isinstance(kind, ObjectType):
            return info_class_name(kind)
        if isinstance(kind, ListOf):
            return f"tuple[{plain(kind.item)}, ...]"
        return _python_type(kind)

    if f.secret:
        return "pulumi.Output[str] = field(repr=False)"
    return plain(f.type) if f.required else f"{plain(f.type)} | None"


def _result_kinds(kind: ObjectType, found: dict[str, ObjectType]) -> None:
    """Every object type a result holds, innermost first."""
    for f in kind.fields:
        inner = f.type.item if isinstance(f.type, ListOf) else f.type
        if isinstance(inner, ObjectType) and inner.name not in found:
            _result_kinds(inner, found)
    found.setdefault(kind.name, kind)


def _result_class(kind: ObjectType) -> list[str]:
    description = kind.description
    if any(f.secret for f in kind.fields):
        description += " Secret values are secret ``pulumi.Output``s (never plain text, never in its repr)."
    lines = ["@dataclass(frozen=True)", f"class {info_class_name(kind)}:", *_docstring(description), ""]
    for f in kind.fields:
        lines += [f"    {f.name}: {_result_type(f)}", *_docstring(f.description), ""]
    return [*lines[:-1], "", ""]


_QUOTES = '"' * 3


def _docstring(text: str) -> list[str]:
    """A docstring indented for a class body, wrapped to the project's line length."""
    lines = textwrap.wrap(text.replace(_QUOTES, "'"), width=120 - 4 - 6)
    if len(lines) == 1:
        return [f"    {_QUOTES}{lines[0]}{_QUOTES}"]
    return [f"    {_QUOTES}{lines[0]}", *[f"    {line}" for line in lines[1:]], f"    {_QUOTES}"]


def render_args() -> str:
    """The source of ``program/args.py``."""
    nested: dict[str, ObjectType] = {}
    for _, table, _ in RESOURCES:
        _nested(table, nested)
    results: dict[str, ObjectType] = {}
    for kind in RESULTS:
        _result_kinds(kind, results)
    classes = [f"{k}Args" for k in nested] + [f"{n}{suffix}" for n, _, _ in RESOURCES for suffix in ("Args", "Outputs")]
    names = ["RESULT_CLASSES", *sorted(classes + [info_class_name(k) for k in results.values()])]
    out = [
        '"""The ``...Args`` classes and typed outputs of every resource, and the ``...Info`` classes of the',
        "lookups' results, derived from the field tables.",
        "",
        "Generated by ``make schema`` (``python -m together_pulumi.codegen``); do not edit by hand.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from dataclasses import dataclass, field",
        "from typing import Any",
        "",
        "import pulumi",
        "",
        "__all__ = [",
        *[f'    "{n}",' for n in names],
        "]",
        "",
        "",
    ]
    for kind in nested.values():
        out += _dataclass(f"{kind.name}Args", kind.description, kind.fields)
    for name, table, description in RESOURCES:
        out += _dataclass(f"{name}Args", f"Arguments of :class:`{name}`. {description}", table)
        out += _outputs(name, table)
    for kind in results.values():
        out += _result_class(kind)
    out += ["#: The result class of each object type of a lookup, by its schema name."]
    out += ["RESULT_CLASSES: dict[str, type] = {"]
    out += [f'    "{k.name}": {info_class_name(k)},' for k in results.values()]
    out += ["}"]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write program/args.py from the field tables.")
    parser.add_argument("--out", type=Path, help="output file (default: stdout)")
    args = parser.parse_args(argv)
    text = render_args()
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
