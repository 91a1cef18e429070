"""The component provider: ``together:index:GpuCluster`` and ``together:index:SharedVolume`` for every
Pulumi language, built from the Python classes themselves.

Served by the Python SDK's provider server (``pulumi.provider.main``, the one
``pulumi.provider.experimental.component_provider_host`` also uses), but not through the experimental
analyzer: that infers inputs from the annotations of ``__init__``'s ``args``, and the Python API's
inputs (``GpuClusterArgs`` fields typed ``Args | dict``, postponed annotations) are not something it can
read, nor would its schema keep ``kubeconfig`` secret. The field tables describe both already: the schema
comes from them (``package_schema``), and so does the mapping of names (``values``).

``GpuCluster`` is constructed as is: it is a component whose token is ``together:index:GpuCluster``, so
it *is* the remote component and its URNs are those of a Python stack. ``SharedVolume`` is a dynamic
resource, so a component of the same name holds it (one more level in its URNs than in Python).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import pulumi
from pulumi.provider import ConstructResult, Provider, main
from pulumi.resource import DependencyResource

from ..model.cluster.fields import CLUSTER_FIELDS
from ..model.fields import Field, camel_case
from ..model.volume.fields import VOLUME_FIELDS
from ..program.gpu_cluster import GpuCluster
from ..program.gpu_cluster.component import TYPE_TOKEN as CLUSTER_TOKEN
from ..program.shared_volume import SharedVolume
from .dynamic_python import check_dynamic_python
from .package_schema import package_schema_text
from .values import inputs_from_schema, to_schema

__all__ = ["SharedVolumeComponent", "TogetherComponents", "serve"]

VOLUME_TOKEN = "together:index:SharedVolume"


class SharedVolumeComponent(pulumi.ComponentResource):
    """``together:index:SharedVolume``: the dynamic ``SharedVolume`` as a component other languages can use.

    The options a program gives the component go to the volume, as ``GpuCluster`` passes them to its
    cluster part: protecting, retaining, ignoring changes or replacing the component does so to the volume.
    """

    def __init__(self, name: str, inputs: Mapping[str, Any], opts: pulumi.ResourceOptions | None) -> None:
        super().__init__(VOLUME_TOKEN, name, None, opts)
        user = opts or pulumi.ResourceOptions()
        volume = SharedVolume(
            name,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=user.protect,
                retain_on_delete=user.retain_on_delete,
                ignore_changes=user.ignore_changes,
                replace_on_changes=user.replace_on_changes,
                replace_with=[self],
                depends_on=user.depends_on,
            ),
            **inputs,
        )
        outputs = {f.name: getattr(volume, f.name) for f in VOLUME_FIELDS}
        for key, value in outputs.items():
            setattr(self, key, value)
        self.register_outputs(outputs)


class TogetherComponents(Provider):
    """The provider the plugin runs: constructs the two components, serves their schema."""

    def __init__(self) -> None:
        super().__init__(version("together-pulumi"), package_schema_text())

    def construct(
        self, name: str, resource_type: str, inputs: Mapping[str, Any], options: pulumi.ResourceOptions | None = None
    ) -> ConstructResult:
        kind = resource_type.rsplit(":", 1)[-1]
        owner = f"{kind} {name}"
        name_parent(options)
        resource: pulumi.ComponentResource
        if resource_type == CLUSTER_TOKEN:
            check_dynamic_python(owner)
            resource = GpuCluster(name, opts=options, **inputs_from_schema(inputs, CLUSTER_FIELDS))
            table = CLUSTER_FIELDS
        elif resource_type == VOLUME_TOKEN:
            check_dynamic_python(owner)
            resource = SharedVolumeComponent(name, inputs_from_schema(inputs, VOLUME_FIELDS), options)
            table = VOLUME_FIELDS
        else:
            raise ValueError(
                f"unknown resource type {resource_type}; this plugin serves {CLUSTER_TOKEN} and {VOLUME_TOKEN}"
            )
        return ConstructResult(resource.urn, _state(resource, table))


STACK_TYPE = "pulumi:pulumi:Stack"


def name_parent(options: pulumi.ResourceOptions | None) -> None:
    """Give the parent the type and name the auto-names are derived from (``program.inputs.name_inputs``).

    In a component provider the parent is a ``DependencyResource``: a URN, resolved when the request
    was read, without the type and name a parent has in a Python program. They are taken from that URN;
    the stack counts as no parent, as in a Python program, so a top-level resource is named as there.
    """
    parent = options.parent if options else None
    if not isinstance(parent, DependencyResource):
        return
    data = parent.urn._data  # already resolved: the server made it from the request's parent URN
    urn = data.result().value if isinstance(data, asyncio.Future) and data.done() else None
    if not isinstance(urn, str):
        raise ValueError(f"the parent of a component must be known when it is constructed; got {urn!r}")
    parts = urn.split("::")  # urn:pulumi:<stack>::<project>::<parent types, $-joined>::<name>
    type_, name = parts[2].rsplit("$", 1)[-1], "::".join(parts[3:])
    parent.__dict__["_type"], parent.__dict__["_name"] = ("", "") if type_ == STACK_TYPE else (type_, name)


def _state(resource: pulumi.ComponentResource, table: tuple[Field, ...]) -> dict[str, Any]:
    """Every field of the table under its schema name (secrets stay secret: they are secret Outputs)."""
    return {camel_case(f.name): to_schema(getattr(resource, f.name, None), f.type) for f in table}


def serve() -> None:
    """Run the plugin (its ``__main__.py`` calls this)."""
    main(TogetherComponents(), sys.argv[1:])
