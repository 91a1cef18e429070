"""Lifecycle pieces shared by the providers: table-driven check and diff, naming, configuration.

The dynamic host pickles each provider into the state of every resource, so providers keep no
attributes at all; everything they need per process lives in :mod:`.session`.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, DiffResult, ResourceProvider

from . import session
from .fields import UNKNOWN, Change, Field, Violation, contains_unknown, dns_label, validate_value

__all__ = ["AUTONAME_PREFIX", "TableProvider", "autoname", "known", "values_equal", "without_provider"]

#: Private input carrying the Pulumi resource name, so ``check`` can derive an auto-name.
AUTONAME_PREFIX = "_autoname_prefix"
#: Inputs of ours that are not user fields and never reach the API.
PRIVATE_INPUTS = (AUTONAME_PREFIX,)

_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits


def autoname(prefix: str | None) -> str:
    """``<prefix>-<7 random chars>``, Pulumi's auto-naming convention, as a DNS-style label."""
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(7))
    return f"{dns_label(prefix or 'together')[:40]}-{suffix}"


def known(props: Mapping[str, Any], name: str) -> bool:
    """True when the property is set and its value is known (not a preview placeholder)."""
    value = props.get(name)
    return value is not None and not contains_unknown(value)


def without_provider(props: Mapping[str, Any]) -> dict[str, Any]:
    """A copy without ``__provider`` (the host adds it back to whatever a method returns)."""
    return {k: v for k, v in props.items() if k != "__provider"}


class TableProvider(ResourceProvider):
    """A dynamic provider whose check and diff are driven by a field table."""

    table: ClassVar[tuple[Field, ...]]
    #: The user-facing resource name, for messages ("GpuCluster", "SharedVolume").
    kind: ClassVar[str]
    #: The input that gets an auto-name when the user gives none.
    name_field: ClassVar[str | None] = None

    def configure(self, req: ConfigureRequest) -> None:
        session.configure_from_stack(
            {key: req.config.get(key) for key in (session.API_KEY_CONFIG, session.BASE_URL_CONFIG)}
        )

    # --- check ---------------------------------------------------------------------------------

    def checked_inputs(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """The user's inputs with defaults filled in; output placeholders and unknown keys dropped.

        The name field keeps its earlier auto-name (``olds`` are the old inputs; on a replacement the
        engine checks again without them, so the new object gets a fresh name).
        """
        inputs: dict[str, Any] = {}
        for f in self.table:
            if not f.input:
                continue
            value = news.get(f.name)
            if value is None and f.default is not None:
                value = f.default
            if value is not None:
                inputs[f.name] = value
        for key in PRIVATE_INPUTS:
            if news.get(key) is not None:
                inputs[key] = news[key]
        if self.name_field and inputs.get(self.name_field) is None:
            inputs[self.name_field] = olds.get(self.name_field) or autoname(news.get(AUTONAME_PREFIX))
        return inputs

    def inputs_from_state(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs a refresh reports, so that the next preview shows only real drift."""
        inputs = {f.name: state[f.name] for f in self.table if f.input and state.get(f.name) is not None}
        inputs.update({key: state[key] for key in PRIVATE_INPUTS if state.get(key) is not None})
        return inputs

    def static_violations(self, inputs: Mapping[str, Any]) -> list[Violation]:
        """Required fields and types, straight from the table."""
        found: list[Violation] = []
        for f in self.table:
            if not f.input:
                continue
            value = inputs.get(f.name)
            if f.required and value is None:
                found.append(Violation(f.name, f"{self.kind}.{f.name} is required: {f.description}"))
            found += validate_value(value, f.type, f.name)
        return found

    @staticmethod
    def check_result(inputs: dict[str, Any], violations: list[Violation]) -> CheckResult:
        return CheckResult(inputs, [CheckFailure(v.path, v.reason) for v in violations])

    # --- diff ----------------------------------------------------------------------------------

    def table_diff(
        self, olds: Mapping[str, Any], news: Mapping[str, Any], same: Callable[[Field, Any, Any], bool] | None = None
    ) -> DiffResult:
        """Compare the inputs the user set with the old state.

        Only fields present in ``news`` count (a field the user never set is not drift), ``__provider``
        is ignored, and a value still unknown during preview counts as a change of its kind.
        """
        changed: list[str] = []
        replaces: list[str] = []
        for f in self.table:
            if not f.input or news.get(f.name) is None:
                continue
            new, old = news[f.name], olds.get(f.name)
            unknown = contains_unknown(new) or new == UNKNOWN
            if not unknown and (same(f, old, new) if same else values_equal(old, new)):
                continue
            changed.append(f.name)
            if f.change is Change.REPLACE:
                replaces.append(f.name)
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)


def values_equal(old: Any, new: Any) -> bool:
    """Equality that treats 8 and 8.0 alike (numbers cross the wire as floats)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new or (old == new and type(old) is type(new))
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        keys = {k for k in (*old, *new) if old.get(k) is not None or new.get(k) is not None}
        return all(values_equal(old.get(k), new.get(k)) for k in keys)
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return len(old) == len(new) and all(values_equal(a, b) for a, b in zip(old, new, strict=True))
    return bool(old == new)
