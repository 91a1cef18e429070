"""The schema the component plugin serves: ``schema.json``'s resources, as components.

One source: it is :func:`together_pulumi.schema.build_schema` (the field tables) with two changes
that only the plugin needs, and a test compares the two:

- ``SharedVolume`` is a component here (a Python dynamic resource is not something another language
  can hold; the plugin wraps it, see ``provider.py``), so both resources are ``isComponent``;
- no ``language.python`` section: the Python package is ``together_pulumi`` itself, and an SDK
  generated for Python from this plugin must not take that name.

The functions are schema.json's: the plugin answers their invokes with the Python functions
(``functions.py``).

Unlike a schema inferred from annotations (``pulumi.provider.experimental``'s analyzer), this one
keeps what the tables say: ``kubeconfig`` is ``secret`` in every generated SDK, inputs that replace
are ``replaceOnChanges``, defaults and descriptions are the Python API's.
"""

from __future__ import annotations

import json
from typing import Any

from ..schema import build_schema

__all__ = ["COMPONENTS", "package_schema", "package_schema_text"]

#: The resource tokens the plugin serves.
COMPONENTS = ("together:index:GpuCluster", "together:index:SharedVolume")


def package_schema() -> dict[str, Any]:
    """The plugin's package schema (a dict)."""
    schema = build_schema()
    schema.pop("language", None)
    schema["description"] = (
        "Together AI Instant GPU Clusters and shared volumes, for programs in every Pulumi language: a "
        "component package over the Python dynamic resources of together-pulumi."
    )
    for token in COMPONENTS:
        schema["resources"][token]["isComponent"] = True
    return schema


def package_schema_text() -> str:
    return json.dumps(package_schema())
