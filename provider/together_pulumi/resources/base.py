"""Lifecycle pieces shared by the providers: table-driven check and diff, naming, configuration.

The dynamic host pickles each provider into the state of every resource, so providers keep no
attributes at all; everything they need per process lives in :mod:`.session`.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, DiffResult, ResourceProvider

from ..api import errors
from ..api.models import Region
from . import session
from .fields import Change, Field, Violation, contains_unknown, dns_label, from_engine, validate_value
from .waiting import progress

__all__ = [
    "AUTONAME_PREFIX",
    "TableProvider",
    "autoname",
    "known",
    "uncertain_create_message",
    "values_equal",
    "without_provider",
]

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


def uncertain_create_message(kind: str, adopt_field: str, exc: errors.UncertainCreateError) -> str:
    """What to tell the user when a create may or may not have made a billable object."""
    return (
        f"{kind}: {exc}. It is not in the stack state. Before running `pulumi up` again, look for "
        f"{exc.name} (list it with the API or the console): if it exists, add {adopt_field}=<its id> to "
        "the resource to take it over, or delete it; otherwise just run `pulumi up` again."
    )


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
    #: The input that adopts an existing object, and the output holding the object's id.
    adopt_field: ClassVar[str | None] = None
    id_field: ClassVar[str] = "id"

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
        adopting = self.adopt_field is not None and inputs.get(self.adopt_field) is not None
        if self.name_field and inputs.get(self.name_field) is None:
            name = olds.get(self.name_field)
            if name is None and not adopting:  # an adopted object keeps its own name
                name = autoname(news.get(AUTONAME_PREFIX))
            if name is not None:
                inputs[self.name_field] = name
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

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Inputs with defaults and names, and the first stage of failures found, in this order:
        types and required fields (the table), cross-field rules, rules that need the region
        catalogue (only with credentials), and the existence of an object to adopt."""
        _olds, news = from_engine(_olds), from_engine(news)
        inputs = self.checked_inputs(_olds, news)
        violations = self.static_violations(inputs) or self.rules(_olds, inputs)
        if not violations:
            regions = self.catalogue_or_none()
            violations = self.catalogue_rules(inputs, regions) if regions is not None else []
        return self.check_result(inputs, violations or self.adopt_name(inputs))

    def rules(self, olds: Mapping[str, Any], inputs: dict[str, Any]) -> list[Violation]:
        """Cross-field rules of the service, on well-typed inputs (``olds``: the old inputs)."""
        return []

    def catalogue_rules(self, inputs: dict[str, Any], regions: dict[str, Region]) -> list[Violation]:
        """Rules that need the region catalogue."""
        return []

    def lookup_name(self, object_id: str) -> str:
        """The name of an existing object (for adoption); raises NotFoundError."""
        raise NotImplementedError

    def adopt_name(self, inputs: dict[str, Any]) -> list[Violation]:
        """Give an adopted object its own name as input, so later diffs compare like with like.

        Also the preview-time check that the object to adopt exists. Needs credentials; without them
        the name stays unset and the service's name is reported after create.
        """
        adopt = self.adopt_field
        if not adopt or not known(inputs, adopt) or not self.name_field or session.credentials() is None:
            return []
        try:
            name = self.lookup_name(inputs[adopt])
        except errors.NotFoundError:
            return [Violation(adopt, f"{adopt} {inputs[adopt]} does not exist (or is not visible to this API key)")]
        except errors.TogetherError:
            return []  # the API will be asked again at create
        inputs.setdefault(self.name_field, name)
        return []

    def catalogue_or_none(self) -> dict[str, Region] | None:
        """The region catalogue for preview-time checks; None without credentials or when unreachable."""
        try:
            return session.catalogue()
        except errors.TogetherError as exc:
            progress(f"{self.kind}: region catalogue unavailable ({exc}); the API will validate at create")
            return None

    @staticmethod
    def check_result(inputs: dict[str, Any], violations: list[Violation]) -> CheckResult:
        return CheckResult(inputs, [CheckFailure(v.path, v.reason) for v in violations])

    # --- diff ----------------------------------------------------------------------------------

    def table_diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        """Compare the inputs with the old state (``olds`` are the old outputs).

        A field the user never set is not drift; ``__provider`` is ignored; a value still unknown
        during preview counts as a change of its kind. A field the user set before and has now
        removed is a change too, except for computed ones (the service then keeps its own value)
        and provider settings. Re-declaring the adopted object's own id is no change; a replacement
        that would adopt the object it is meant to replace is refused.
        """
        olds, news = from_engine(olds), from_engine(news)
        changed: list[str] = []
        replaces: list[str] = []
        for f in self.table:
            if not f.input:
                continue
            new, old = news.get(f.name), olds.get(f.name)
            if new is None:
                if old is None or f.computed or not f.sent or f.change is Change.STATE_ONLY:
                    continue
            elif not contains_unknown(new) and (
                values_equal(old, new) or (f.name == self.adopt_field and new == olds.get(self.id_field))
            ):
                continue
            changed.append(f.name)
            if f.change is Change.REPLACE:
                replaces.append(f.name)
        adopted = news.get(self.adopt_field) if self.adopt_field else None
        if replaces and adopted is not None and adopted == olds.get(self.id_field):
            raise ValueError(
                f"{self.kind}: changing {', '.join(replaces)} would replace {adopted}, but {self.adopt_field} "
                f"still points at it, so the replacement would adopt the very object it deletes. Revert the "
                f"change, or remove {self.adopt_field} to let Pulumi create a new one (and delete {adopted})."
            )
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
