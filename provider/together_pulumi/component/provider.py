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

The functions are served as invokes (``functions.py``). The SDK's server (``ProviderServicer``) answers
``Configure`` without looking at the config the engine sends, and wraps an invoke's error in a traceback;
:class:`_Servicer` keeps that config for the invokes (the stack config of package ``together``: the
credentials a function reads) and reports a :class:`FunctionError` as its message alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import grpc
import grpc.aio
import pulumi
import pulumi.runtime.config
from pulumi.provider import ConstructResult, Provider
from pulumi.provider.provider import InvokeResult
from pulumi.provider.server import ProviderServicer
from pulumi.resource import DependencyResource
from pulumi.runtime import proto, rpc
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc

from ..model import credentials
from ..model.cluster.fields import CLUSTER_FIELDS
from ..model.fields import Field, camel_case
from ..model.volume.fields import VOLUME_FIELDS
from ..program.gpu_cluster import GpuCluster
from ..program.gpu_cluster.component import TYPE_TOKEN as CLUSTER_TOKEN
from ..program.inputs import ProgramError
from ..program.shared_volume import SharedVolume
from .dynamic_python import check_dynamic_python
from .functions import invoke_function
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
    """The provider the plugin runs: constructs the two components, answers the functions' invokes,
    serves their schema."""

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

    def invoke(self, token: str, args: Mapping[str, Any]) -> InvokeResult:
        return InvokeResult(invoke_function(token, args))


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


class _Servicer(ProviderServicer):
    """``pulumi.provider.main``'s server, with the provider's config kept for the invokes."""

    config: dict[str, str]

    async def Configure(self, request: Any, context: Any) -> Any:
        # ``variables``: the config of package together, decrypted, in the engine's old key form
        # (``together:config:apiKey``); the functions read ``together:apiKey``, as in a stack's config.
        self.config = {key.replace(":config:", ":", 1): value for key, value in request.variables.items()}
        return await super().Configure(request, context)

    async def Invoke(self, request: Any, context: Any) -> Any:
        # The config is a context variable: set it in this call's task, as Construct sets the stack's.
        pulumi.runtime.config.set_all_config(getattr(self, "config", {}), [credentials.API_KEY_CONFIG])
        try:
            # A secret argument (the engine sends them: Configure accepts secrets) is passed as its value,
            # and makes the whole result secret.
            secrets: list[bool] = []
            args = _unwrapped(rpc.deserialize_properties(request.args, keep_unknowns=False), secrets)
            # The function reads the API synchronously: in a thread (with this call's config), and with an
            # event loop of its own for the Outputs it makes, so that the components this plugin constructs
            # meanwhile are not held up.
            outputs = await asyncio.to_thread(asyncio.run, self._answer(request.tok, args, secret=bool(secrets)))
            answer = await rpc.serialize_properties(outputs, {})
            return proto.InvokeResponse(**{"return": answer})
        except ProgramError as exc:  # the message says it all; the traceback would only bury it
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
            raise  # abort raises; this is never reached

    async def _answer(self, token: str, args: Mapping[str, Any], *, secret: bool) -> dict[str, Any]:
        result = self.provider.invoke(token=token, args=args)
        # The SDK's serializer marks a secret only when a resource monitor said it takes them, and an
        # invoke has no monitor: mark them here (Configure told the engine the plugin sends them).
        return {k: await _wire(pulumi.Output.secret(v) if secret else v) for k, v in result.outputs.items()}


def _unwrapped(value: Any, secrets: list[bool]) -> Any:
    """``value`` with every wire secret replaced by its value (one ``True`` in ``secrets`` for each)."""
    if rpc.is_rpc_secret(value):
        secrets.append(True)
        return _unwrapped(rpc.unwrap_rpc_secret(value), secrets)
    if isinstance(value, dict):
        return {k: _unwrapped(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrapped(v, secrets) for v in value]
    return value


async def _wire(value: Any) -> Any:
    """``value`` with every Output resolved, a secret one as the wire's secret (``{sig: secret, value}``)."""
    if isinstance(value, pulumi.Output):
        known = await _wire(await value.future())
        return {rpc._special_sig_key: rpc._special_secret_sig, "value": known} if await value.is_secret() else known
    if isinstance(value, Mapping):
        return {k: await _wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [await _wire(v) for v in value]
    return value


def serve() -> None:
    """Run the plugin (its ``__main__.py`` calls this): ``pulumi.provider.main`` with :class:`_Servicer`."""
    parser = argparse.ArgumentParser(description="together component plugin (gRPC server)")
    parser.add_argument("engine", help="Pulumi engine address")
    engine = parser.parse_known_args(sys.argv[1:])[0].engine
    provider = TogetherComponents()

    async def run() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(
            _Servicer(provider, sys.argv[1:], engine_address=engine), server
        )
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
