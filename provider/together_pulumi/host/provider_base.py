"""The provider bases: one configured from the stack, and one that only waits; what every provider says.

The dynamic host pickles each provider into the state of every resource, by reference to its class,
so providers keep no attributes at all; everything they need per process lives in :mod:`.session`.
The base whose check and diff read a field table is :class:`.table_provider.TableProvider`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from pulumi.dynamic import CheckResult, ConfigureRequest, DiffResult, ResourceProvider, UpdateResult

from ..api import errors
from ..model.credentials import CONFIG_KEYS
from ..model.fields import contains_unknown, from_engine, values_equal
from . import session
from .errors import ProviderError, show_errors_without_tracebacks
from .waiting import progress

__all__ = [
    "SERVICE_CHOSEN",
    "ConfiguredProvider",
    "Named",
    "WaitingProvider",
    "chosen_by_service",
    "explained",
    "newly_stated_value",
    "next_step",
    "uncertain_create_message",
    "with_service_values",
    "without_provider",
]


@dataclass(frozen=True)
class Named:
    """An object found under a name: its id, status and creation time (None where not reported)."""

    object_id: str
    status: str
    created_at: datetime | None = None


#: Private output: the inputs whose value in the state the service (or the catalog) chose because the
#: program gave none. Stating that value later is no change; a refresh never reports them as inputs.
SERVICE_CHOSEN = "_service_chosen"


def chosen_by_service(props: Mapping[str, Any]) -> set[str]:
    """The inputs whose value in this state the service chose (see :data:`SERVICE_CHOSEN`)."""
    return set(props.get(SERVICE_CHOSEN) or ())


def with_service_values(
    outs: Mapping[str, Any], given: Mapping[str, Any], reported: Mapping[str, Any]
) -> dict[str, Any]:
    """``outs`` with the service's value of every input in ``reported`` that the program left out of
    ``given``, named in :data:`SERVICE_CHOSEN` (values the service chose earlier and no longer reports
    leave the state)."""
    result = {k: v for k, v in outs.items() if k not in chosen_by_service(outs) or given.get(k) is not None}
    chosen = sorted(n for n, v in reported.items() if given.get(n) is None and v is not None and v != "")
    result.update({name: reported[name] for name in chosen})
    result[SERVICE_CHOSEN] = chosen
    return result


def without_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    """A copy without ``__provider`` (the host adds it back to whatever a method returns)."""
    return {k: v for k, v in props.items() if k != "__provider"}


def next_step(exc: errors.TogetherError, command: str) -> str:
    """What to do after an API error a user cannot fix in the program."""
    if isinstance(exc, errors.TransportError | errors.ServerError | errors.RateLimitError):
        return f"The service is failing or busy right now and nothing was changed: run `{command}` again later."
    return f"Nothing was changed: fix what the API reports, then run `{command}` again."


@contextmanager
def explained(label: str, doing: str, command: str) -> Iterator[None]:
    """An API error inside becomes a message naming the resource and what to do next (not a bare
    ``GET ... -> 503``)."""
    try:
        yield
    except errors.TogetherError as exc:
        raise ProviderError(
            f"{label}: could not {doing} with the Together API ({exc}). {next_step(exc, command)}"
        ) from None


def uncertain_create_message(label: str, adopt_field: str, exc: errors.UncertainCreateError) -> str:
    """What to tell the user when a create may or may not have made a billable object."""
    return (
        f"{label}: {exc}. It is not in the stack state yet. Run `pulumi up` again: it looks for {exc.name} "
        f"first and takes it over if it appeared (an explicitly named one it names with the step to adopt "
        f"it: {adopt_field}=<its id>), and creates it only if it did not."
    )


class ConfiguredProvider(ResourceProvider):
    """A provider that reads the stack's Together settings in ``configure``."""

    def configure(self, req: ConfigureRequest) -> None:
        session.configure_from_stack({key: req.config.get(key) for key, _, _ in CONFIG_KEYS})
        show_errors_without_tracebacks()


class WaitingProvider(ConfiguredProvider):
    """A part that only waits (a cluster's or a volume's readiness) and reports what it found.

    Its inputs (``waits_on``) are what it waits for; a change of one is another wait, never a
    replacement (a replaced object, or one whose id is unknown during preview, is just another wait).
    Deleting it deletes nothing: the object's own part does that.
    """

    waits_on: ClassVar[tuple[str, ...]]

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(self.recorded(from_engine(news)), [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        olds, news = from_engine(olds), from_engine(news)
        changed = [k for k in self.waits_on if news.get(k) is not None and not values_equal(olds.get(k), news[k])]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.wait(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to do: the object's own part deletes it."""

    def recorded(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs among ``props`` (what a refresh reports as inputs, too)."""
        return {k: props[k] for k in self.waits_on if props.get(k) is not None}

    def wait(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Wait, then return the outputs."""
        raise NotImplementedError


def newly_stated_value(olds: Mapping[str, Any], inputs: Mapping[str, Any], name: str) -> bool:
    """Whether ``inputs`` give ``name`` a known value the old inputs did not have."""
    value = inputs.get(name)
    return value is not None and not contains_unknown(value) and not values_equal(olds.get(name), value)


def announce_take_over(label: str, what: str, object_id: str) -> None:
    progress(
        f"{label}: found {what} {object_id} under this resource's own name, made by an interrupted `pulumi up`; "
        "taking it over instead of creating a second one"
    )
