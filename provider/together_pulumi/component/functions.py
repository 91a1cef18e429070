"""The functions as invokes: ``together:index:getRegions``, the lookups, the remediation reads, ``listProjects``.

Each function is one :class:`FunctionSpec` (``program/functions/``): its token, inputs and result fields,
from which ``schema.json`` is generated, and ``call``, the Python function a Python program calls. The
plugin answers an invoke of the token with that very function, so the schema an SDK is generated from
and what answers it cannot drift apart. Only the names are mapped (camelCase in, camelCase out, by the
same tables) and the result's Python objects turned into the schema's plain values.

Credentials and the default project come from the stack config for package ``together``
(``together:apiKey``, ``together:baseUrl``, ``together:projectId``), which the engine sends to the
plugin's ``Configure``; the server makes it the config the function reads (``provider.py``), as the
program's stack config is in a Python program. Secrets (a looked-up cluster's ``kubeconfig``) stay
secret Outputs, which the server sends as secrets. A function that cannot answer raises a
:class:`FunctionError` that names the invoke's token and, where the Python message names an argument,
its schema name (``clusterId``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

import pulumi

from ..api import errors
from ..api.settings import API_KEY_ENV
from ..model import credentials
from ..model.fields import Field, FieldType, ListOf, ObjectType, camel_case
from ..program.functions.common import FunctionError, FunctionSpec, program_config
from ..program.inputs import ProgramError
from ..schema import FUNCTIONS
from .values import from_schema

__all__ = ["FUNCTION_TOKENS", "invoke_function", "schema_message"]

_TOKEN = "together:index:"

#: The invokes the plugin serves, by token: every function of the schema.
SPECS: dict[str, FunctionSpec] = {_TOKEN + spec.token: spec for spec in FUNCTIONS}
FUNCTION_TOKENS = tuple(SPECS)


def invoke_function(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Answer the invoke of ``token`` with ``args`` (schema names): the result's properties, schema names."""
    spec = SPECS.get(token)
    if spec is None:
        raise FunctionError(f"unknown function {token}; this plugin serves {', '.join(FUNCTION_TOKENS)}")
    arguments = _arguments(token, spec, args)
    if credentials.resolve_credentials(program_config()) is None:  # not the Python message: no api_key here
        raise FunctionError(
            f"{token}: no Together API key: set the stack config {credentials.API_KEY_CONFIG} (pulumi config set "
            f"--secret {credentials.API_KEY_CONFIG} ...) or {API_KEY_ENV} in the environment of pulumi"
        )
    try:
        result = spec.call(**arguments)
    except ProgramError as exc:
        raise FunctionError(schema_message(spec, str(exc))) from None
    except errors.TogetherError as exc:  # get_regions lets the client's errors through
        raise FunctionError(f"{token}: {exc}") from None
    return _result(spec, result)


def _arguments(token: str, spec: FunctionSpec, args: Mapping[str, Any]) -> dict[str, Any]:
    fields = {camel_case(f.name): f for f in spec.inputs}
    given = {k: v for k, v in args.items() if v is not None}
    takes = ", ".join(fields) or "no arguments"
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise FunctionError(f"{token}: unknown argument {', '.join(unknown)}; it takes {takes}")
    missing = [name for name, f in fields.items() if f.required and name not in given]
    if missing:
        raise FunctionError(f"{token}: {', '.join(missing)} is required; it takes {takes}")
    return {fields[k].name: from_schema(v, fields[k].type) for k, v in given.items()}


def schema_message(spec: FunctionSpec, message: str) -> str:
    """A Python function's message as a program in another language reads it: the token instead of the
    Python name in front (``get_cluster: ...`` -> ``together:index:getCluster: ...``), the inputs'
    schema names instead of their Python names (``cluster_id`` -> ``clusterId``)."""
    python_name = getattr(spec.call, "__name__", "")
    if python_name and message.startswith(f"{python_name}: "):
        message = f"{_TOKEN}{spec.token}: " + message[len(python_name) + 2 :]
    elif not message.startswith(_TOKEN):
        message = f"{_TOKEN}{spec.token}: {message}"
    for f in spec.inputs:
        message = re.sub(rf"\b{f.name}\b", camel_case(f.name), message)
    return message


def _result(spec: FunctionSpec, result: Any) -> dict[str, Any]:
    """A function returns either the one list its result holds (``list_clusters``) or an object whose
    attributes are the result's properties (``get_cluster``)."""
    outputs = spec.outputs
    if len(outputs) == 1 and isinstance(outputs[0].type, ListOf) and isinstance(result, list | tuple):
        return {camel_case(outputs[0].name): _value(result, outputs[0])}
    return {camel_case(f.name): _value(_attribute(result, f.name), f) for f in outputs}


def _attribute(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(name)
    return getattr(value, name, None)


def _value(value: Any, f: Field) -> Any:
    if f.secret:  # a secret whatever the function made of it (the Python functions make it a secret Output)
        return value if isinstance(value, pulumi.Output) else pulumi.Output.secret(value)
    return _plain(value, f.type)


def _plain(value: Any, kind: FieldType) -> Any:
    if value is None:
        return None
    if isinstance(value, pulumi.Output):
        return value.apply(lambda known: _plain(known, kind))
    if isinstance(kind, ObjectType):
        return {camel_case(f.name): _value(_attribute(value, f.name), f) for f in kind.fields}
    if isinstance(kind, ListOf):
        return [_plain(item, kind.item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value
