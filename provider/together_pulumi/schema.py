"""Field tables -> ``schema.json`` (Pulumi Package Schema) -> ``docs/reference.md``, and the README's
table of what a change does.

``schema.json`` is this provider's contract: every resource, input and output, which inputs replace,
which values are secret. It is generated, never edited: ``make schema`` and ``make docs`` (or
``python -m together_pulumi.schema schema|docs``). A dynamic provider has no runtime schema, and an SDK
generated from this file would look for a provider plugin binary, so it is a contract and the source
of the docs, not an SDK input.
"""

from __future__ import annotations

import argparse
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any

from .api.enums import ClusterStatus, VolumeStatus
from .api.settings import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, PROJECT_ID_ENV
from .contract import PACKAGE
from .model.cluster.fields import CLUSTER_FIELDS
from .model.credentials import API_KEY_CONFIG, BASE_URL_CONFIG, PROJECT_ID_CONFIG
from .model.fields import Change, Field, FieldType, ListOf, ObjectType, camel_case
from .model.volume.fields import VOLUME_FIELDS
from .program.functions import lookups, projects, regions, remediations
from .program.functions.common import FunctionSpec

__all__ = [
    "CHANGE_TABLE_END",
    "CHANGE_TABLE_START",
    "build_schema",
    "render_change_table",
    "render_docs",
    "with_change_table",
]

_TOKEN = f"{PACKAGE}:index:"

#: (token name, description, field table, is a component)
RESOURCES: tuple[tuple[str, str, tuple[Field, ...], bool], ...] = (
    (
        "GpuCluster",
        "A Together Instant GPU cluster: `numGpus / 8` nodes of one GPU type running Kubernetes or "
        "Slurm. `pulumi up` waits until it is Ready; a failed or timed-out wait keeps the cluster in state and "
        "the next `pulumi up` resumes waiting.",
        CLUSTER_FIELDS,
        True,
    ),
    (
        "SharedVolume",
        "A Together shared storage volume, attachable to the clusters of its region.",
        VOLUME_FIELDS,
        False,
    ),
)

#: Every function, as the schema lists it.
FUNCTIONS: tuple[FunctionSpec, ...] = (
    *regions.FUNCTIONS,
    *lookups.FUNCTIONS,
    *remediations.FUNCTIONS,
    *projects.FUNCTIONS,
)

#: Enums reported as outputs only (status strings); listed so the contract names their values.
_OUTPUT_ENUMS: tuple[type[Enum], ...] = (ClusterStatus, VolumeStatus)


class _Builder:
    def __init__(self) -> None:
        self.types: dict[str, Any] = {}

    def ref(self, kind: FieldType) -> dict[str, Any]:
        """The schema type of a field type, registering named types on the way."""
        if kind is str:
            return {"type": "string"}
        if kind is int:
            return {"type": "integer"}
        if kind is bool:
            return {"type": "boolean"}
        if isinstance(kind, ListOf):
            return {"type": "array", "items": self.ref(kind.item)}
        if isinstance(kind, ObjectType):
            token = _TOKEN + kind.name
            if token not in self.types:
                self.types[token] = {}  # reserve first: nested types may refer back
                self.types[token] = {
                    "type": "object",
                    "description": kind.description,
                    "properties": {camel_case(f.name): self.prop(f) for f in kind.fields},
                    "required": sorted(camel_case(f.name) for f in kind.fields if f.required),
                }
                if not self.types[token]["required"]:
                    del self.types[token]["required"]
            return {"$ref": f"#/types/{token}"}
        if isinstance(kind, type) and issubclass(kind, Enum):
            self.enum(kind)
            return {"$ref": f"#/types/{_TOKEN}{kind.__name__}"}
        raise TypeError(f"no schema type for {kind!r}")

    def enum(self, kind: type[Enum]) -> None:
        self.types[_TOKEN + kind.__name__] = {
            "type": "string",
            "description": (kind.__doc__ or kind.__name__).strip().splitlines()[0],
            "enum": [{"name": member.name, "value": str(member.value)} for member in kind],
        }

    def prop(self, f: Field, *, as_input: bool = False) -> dict[str, Any]:
        spec = {**self.ref(f.type), "description": _describe(f)}
        if as_input and f.default is not None:
            spec["default"] = f.default
        if f.secret:
            spec["secret"] = True
        if as_input and f.input and f.change is Change.REPLACE:
            spec["replaceOnChanges"] = True
        spec["language"] = {"python": {"name": f.name}}
        return spec


def _describe(f: Field) -> str:
    text = f.description
    if f.change is Change.STATE_ONLY and f.sent:
        text += " Sent only when the object is created; changing it later updates only the stack state."
    elif f.change is Change.STATE_ONLY:
        text += " Provider setting: never sent to the API; changing it updates only the stack state."
    elif not f.sent:
        text += " Provider setting: never sent to the API."
    return text


def build_schema() -> dict[str, Any]:
    """The whole package schema, from the field tables."""
    builder = _Builder()
    resources: dict[str, Any] = {}
    for name, description, table, component in RESOURCES:
        inputs = [f for f in table if f.input]
        # Always present in state: required and defaulted inputs, and the outputs always reported.
        always = [f for f in table if f.required or f.default is not None]
        spec: dict[str, Any] = {
            "description": description,
            "properties": {camel_case(f.name): builder.prop(f) for f in table},
            "required": sorted(camel_case(f.name) for f in always),
            "inputProperties": {camel_case(f.name): builder.prop(f, as_input=True) for f in inputs},
            "requiredInputs": sorted(camel_case(f.name) for f in inputs if f.required),
        }
        if component:
            spec["isComponent"] = True
        resources[_TOKEN + name] = spec
    for kind in _OUTPUT_ENUMS:
        builder.enum(kind)
    functions = {_TOKEN + spec.token: _function(builder, spec) for spec in FUNCTIONS}
    return {
        "name": PACKAGE,
        "displayName": "Together AI Instant GPU Clusters",
        "description": "Together AI Instant GPU Clusters (B200, H100, H200, ...) and shared volumes, as Python "
        "dynamic resources (package together-pulumi).",
        "keywords": ["pulumi", "together", "gpu", "kubernetes", "slurm", "category/cloud"],
        "license": "Apache-2.0",
        "publisher": "together-pulumi",
        "version": _version(),
        "meta": {"moduleFormat": "(.*)"},
        "language": {"python": {"packageName": "together_pulumi"}},
        "config": {
            "variables": {
                _config_name(API_KEY_CONFIG): {
                    "type": "string",
                    "secret": True,
                    "description": f"Together API key. Set it with `pulumi config set --secret {API_KEY_CONFIG}`.",
                    "defaultInfo": {"environment": [API_KEY_ENV]},
                },
                _config_name(BASE_URL_CONFIG): {
                    "type": "string",
                    "description": f"API host, e.g. {DEFAULT_BASE_URL} or a local emulator's URL.",
                    "default": DEFAULT_BASE_URL,
                    "defaultInfo": {"environment": [BASE_URL_ENV]},
                },
                _config_name(PROJECT_ID_CONFIG): {
                    "type": "string",
                    "description": "Project of new clusters and volumes that set no projectId (existing ones never "
                    "move), and where lookups look. Default: the API key's own project.",
                    "defaultInfo": {"environment": [PROJECT_ID_ENV]},
                },
            }
        },
        "types": dict(sorted(builder.types.items())),
        "resources": resources,
        "functions": functions,
    }


def _object(builder: _Builder, fields: tuple[Field, ...]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "type": "object",
        "properties": {camel_case(f.name): builder.prop(f) for f in fields},
        "required": sorted(camel_case(f.name) for f in fields if f.required),
    }
    if not spec["required"]:
        del spec["required"]
    return spec


def _function(builder: _Builder, spec: FunctionSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"description": spec.description}
    if spec.inputs:
        out["inputs"] = _object(builder, spec.inputs)
    out["outputs"] = _object(builder, spec.outputs)
    return out


def _config_name(key: str) -> str:
    """``together:apiKey`` -> ``apiKey`` (the schema lists the package's config variables by name)."""
    return key.split(":", 1)[1]


def _version() -> str:
    from importlib.metadata import version

    return version("together-pulumi")


# --- docs ----------------------------------------------------------------------------------------


def _type_text(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        name = spec["$ref"].rsplit(":", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if spec.get("type") == "array":
        return f"list of {_type_text(spec['items'])}"
    return str(spec.get("type", "any"))


def _python_name(camel: str, spec: dict[str, Any]) -> str:
    return str(spec.get("language", {}).get("python", {}).get("name", camel))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_docs(schema: dict[str, Any]) -> str:
    """``docs/reference.md``: a section per resource and per function, the types and the config."""
    out = [
        "# together-pulumi reference",
        "",
        "Generated from `schema.json` by `make docs`; do not edit by hand.",
        "",
        "Python names are shown (the schema uses camelCase). **On change** says what changing an input does: "
        "*replaces* (a new object is created, the old one deleted) or *in place* (the object is updated).",
        "",
    ]
    for token, spec in schema["resources"].items():
        out += _resource_docs(token.rsplit(":", 1)[-1], spec)
    for token, spec in schema["functions"].items():
        out += _function_docs(token.rsplit(":", 1)[-1], spec)
    out += ["## Types", ""]
    for token, spec in schema["types"].items():
        out += _type_docs(token.rsplit(":", 1)[-1], spec)
    out += ["## Configuration", "", "| key | secret | environment | description |", "|---|---|---|---|"]
    for key, var in schema["config"]["variables"].items():
        env = ", ".join(var.get("defaultInfo", {}).get("environment", []))
        out.append(
            f"| `{PACKAGE}:{key}` | {'yes' if var.get('secret') else ''} | `{env}` | {_cell(var['description'])} |"
        )
    out.append("")
    return "\n".join(out)


def _resource_docs(name: str, spec: dict[str, Any]) -> list[str]:
    required = set(spec.get("requiredInputs", []))
    out = [
        f"## {name}",
        "",
        f"`together_pulumi.{name}` — {spec['description']}",
        "",
        "### Inputs",
        "",
        "| name | type | required | default | on change | secret | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for camel, prop in spec["inputProperties"].items():
        default = json.dumps(prop["default"]) if "default" in prop else ""
        change = "replaces" if prop.get("replaceOnChanges") else "in place"
        out.append(
            f"| `{_python_name(camel, prop)}` | {_type_text(prop)} | {'yes' if camel in required else ''} "
            f"| {default} | {change} | {'yes' if prop.get('secret') else ''} | {_cell(prop['description'])} |"
        )
    out += ["", "### Outputs", "", "All inputs are also outputs. In addition:", ""]
    outputs = {k: v for k, v in spec["properties"].items() if k not in spec["inputProperties"]}
    return [*out, *_output_table(outputs), ""]


def _function_docs(name: str, spec: dict[str, Any]) -> list[str]:
    out = [f"## {name}", "", spec["description"], ""]
    if "inputs" in spec:
        out += ["| argument | type | description |", "|---|---|---|"]
        for camel, prop in spec["inputs"]["properties"].items():
            out.append(f"| `{_python_name(camel, prop)}` | {_type_text(prop)} | {_cell(prop['description'])} |")
        out.append("")
    return [*out, *_output_table(spec["outputs"]["properties"], heading="output"), ""]


def _output_table(properties: dict[str, Any], heading: str = "name") -> list[str]:
    out = [f"| {heading} | type | secret | description |", "|---|---|---|---|"]
    for camel, prop in properties.items():
        out.append(
            f"| `{_python_name(camel, prop)}` | {_type_text(prop)} | {'yes' if prop.get('secret') else ''} "
            f"| {_cell(prop['description'])} |"
        )
    return out


def _type_docs(name: str, spec: dict[str, Any]) -> list[str]:
    out = [f"### {name}", "", spec["description"], ""]
    if "enum" in spec:
        out.append("Values: " + ", ".join(f"`{e['value']}`" for e in spec["enum"]))
    else:
        required = set(spec.get("required", []))
        out += ["| name | type | required | description |", "|---|---|---|---|"]
        for camel, prop in spec["properties"].items():
            out.append(
                f"| `{_python_name(camel, prop)}` | {_type_text(prop)} | "
                f"{'yes' if camel in required else ''} | {_cell(prop['description'])} |"
            )
    return [*out, ""]


# --- the README's change table ---------------------------------------------------------------------

CHANGE_TABLE_START = "<!-- change table: generated from the field tables by `make docs` -->"
CHANGE_TABLE_END = "<!-- end of change table -->"
_CHANGES = ((Change.IN_PLACE, "updates in place"), (Change.REPLACE, "replaces"), (Change.STATE_ONLY, "state only"))


def render_change_table() -> str:
    """What changing each input does, by resource: the table the README shows."""
    out = ["| resource | " + " | ".join(title for _, title in _CHANGES) + " |", "|---|---|---|---|"]
    for name, _, table, _ in RESOURCES:
        cells = [", ".join(f"`{f.name}`" for f in table if f.input and f.change is c) for c, _ in _CHANGES]
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def with_change_table(text: str) -> str:
    """``text`` (the README) with the block between the change-table markers regenerated."""
    head, found, rest = text.partition(CHANGE_TABLE_START)
    if not found or CHANGE_TABLE_END not in rest:
        raise ValueError(f"no {CHANGE_TABLE_START!r} ... {CHANGE_TABLE_END!r} block to fill in")
    tail = rest.split(CHANGE_TABLE_END, 1)[1]
    return f"{head}{CHANGE_TABLE_START}\n{render_change_table()}\n{CHANGE_TABLE_END}{tail}"


def schema_text() -> str:
    """``schema.json`` exactly as committed."""
    return json.dumps(build_schema(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write schema.json or docs/reference.md from the field tables.")
    parser.add_argument("what", choices=["schema", "docs", "readme"])
    parser.add_argument("--schema", type=Path, default=Path("schema.json"), help="docs: the schema to render")
    parser.add_argument("--out", type=Path, help="output file (default: stdout); readme: the README to update")
    args = parser.parse_args(argv)
    if args.what == "readme":
        readme = args.out or Path("README.md")
        readme.write_text(with_change_table(readme.read_text()))
        return 0
    text = schema_text() if args.what == "schema" else render_docs(json.loads(args.schema.read_text()))
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
