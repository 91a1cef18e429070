"""What every function (``get_regions``, the lookups, the remediation reads) shares.

Dynamic providers cannot expose Pulumi functions (invokes), so in a Python program functions are plain
Python that runs in the program's own process, over the same HTTP client as the provider, during ``pulumi preview``
as well as ``up`` (programs in other languages call the same functions as invokes of the component
plugin, ``component/functions.py``). Each has a plain form (a value) and an ``_output`` form (a ``pulumi.Output``,
whose arguments may be Outputs, e.g. an id from a ``StackReference``).

Settings are resolved like the provider's (:mod:`.session`): the function's arguments, else the
program's stack config (``together:apiKey``, ``together:baseUrl``, ``together:projectId``), else the
environment. A function that cannot answer raises :class:`FunctionError`, whose message says what was
looked for and what exists; ``pulumi preview`` shows it without a traceback. Secrets (a kubeconfig)
come back as secret Outputs, even from the plain form, so they cannot be printed or exported in plain
text by mistake.

Each function is described once, as a :class:`FunctionSpec` (its schema token, inputs and result
fields, and the Python function), from which ``schema.json`` and the reference docs are generated and
which the component plugin serves as an invoke to programs in other languages (``component/functions.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import pulumi

from ...api import errors
from ...api.settings import API_KEY_ENV
from ...model import credentials
from ...model.fields import Field
from ..inputs import ProgramError

if TYPE_CHECKING:
    from ...api.client import TogetherClient

__all__ = [
    "FunctionError",
    "FunctionSpec",
    "api_client",
    "listing",
    "output_of",
    "program_config",
    "project_for",
    "where",
]

_T = TypeVar("_T")


class FunctionError(ProgramError):
    """A function could not answer: the message names the function, what it looked for, and what exists."""


@dataclass(frozen=True)
class FunctionSpec:
    """A function as the schema describes it: ``token`` (``getCluster``), what it takes, what it returns.

    ``inputs`` are the schema's arguments (the credentials every function also takes are Python-only);
    ``outputs`` the properties of its result; ``call`` the Python function itself, which takes every
    input as a keyword argument of its Python name. The component plugin serves ``call`` as the invoke of
    the token (``component/functions.py``), so the schema and what answers it are one entry.
    """

    token: str
    description: str
    inputs: tuple[Field, ...]
    outputs: tuple[Field, ...]
    call: Callable[..., Any]


def program_config() -> dict[str, Any]:
    """The ``together:*`` stack config, when called inside a Pulumi program (empty outside one)."""
    config: dict[str, Any] = {}
    for key, _, _ in credentials.CONFIG_KEYS:
        with contextlib.suppress(Exception):  # outside a Pulumi program there is no config to read
            config[key] = pulumi.runtime.get_config(key)
    return config


def project_for(project_id: str | None) -> str | None:
    """The project a lookup or list looks in: the argument, else the default project, else None (every
    project the key can see)."""
    return project_id or credentials.resolve_project(program_config())


@contextlib.contextmanager
def api_client(function: str, api_key: str | None, base_url: str | None) -> Iterator[TogetherClient]:
    """A client for one function call; API failures become a :class:`FunctionError` naming the function."""
    from ...api.client import TogetherClient

    given = {credentials.API_KEY_CONFIG: api_key, credentials.BASE_URL_CONFIG: base_url}
    creds = credentials.resolve_credentials({**program_config(), **{k: v for k, v in given.items() if v}})
    if creds is None:
        raise FunctionError(
            f"{function}: no Together API key: pass api_key, or set the stack config {credentials.API_KEY_CONFIG} "
            f"(pulumi config set --secret {credentials.API_KEY_CONFIG} ...) or {API_KEY_ENV}"
        )
    try:
        with TogetherClient(creds.api_key, creds.base_url) as client:
            yield client
    except errors.TogetherError as exc:
        raise FunctionError(f"{function}: {exc}") from None


def output_of(call: Callable[..., _T], *args: Any, **kwargs: Any) -> pulumi.Output[_T]:
    """``call(*args, **kwargs)`` once every argument (each may be an Output) is known."""
    names = list(kwargs)
    inputs = pulumi.Output.all(*args, *(kwargs[n] for n in names))

    def run(values: list[Any]) -> _T:
        positional, named = values[: len(args)], values[len(args) :]
        return call(*positional, **dict(zip(names, named, strict=True)))

    return inputs.apply(run)


def listing(items: Sequence[_T], show: Callable[[_T], str], limit: int = 10) -> str:
    """``a, b, c and 4 more`` (``none`` when empty) for a message."""
    shown = [show(item) for item in items[:limit]]
    if not shown:
        return "none"
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def where(project: str | None) -> str:
    """``in project P`` or ``visible to this API key``, for a message."""
    return f"in project {project}" if project else "visible to this API key"
