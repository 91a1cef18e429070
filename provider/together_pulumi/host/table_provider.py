"""The provider base whose ``check`` and ``diff`` read a field table (clusters and volumes).

``check`` runs in this order: inputs with defaults and names; types and single-value bounds from the
table, then cross-field rules; the settings (no key, a refused key, an unreachable URL each stop the
preview in one line naming the setting); and with all of that right, the rules that need the region
catalog, then the ones that ask the API about other objects (the object to adopt, a volume).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, DiffResult

from ..api import errors
from ..model.fields import (
    UNKNOWN,
    Change,
    Field,
    Violation,
    contains_unknown,
    from_engine,
    validate_value,
    values_equal,
)
from ..model.naming import derive_name
from ..model.private_inputs import AUTONAME_PREFIX, CREATE_FIRST, NAME_SEED, PRIVATE_INPUTS, REPLACE_ON_CHANGES
from . import session
from .errors import ProviderError
from .provider_base import ConfiguredProvider, Named, chosen_by_service, explained, newly_stated_value
from .waiting import progress

__all__ = ["TableProvider"]


class TableProvider(ConfiguredProvider):
    """A dynamic provider whose check and diff are driven by a field table."""

    table: ClassVar[tuple[Field, ...]]
    #: The user-facing resource type, for messages ("GpuCluster", "SharedVolume").
    public_type: ClassVar[str]
    #: The input holding the object's name, which gets an auto-name when the user gives none.
    name_field: ClassVar[str]
    #: The input that adopts an existing object, and the output holding the object's id.
    adopt_field: ClassVar[str]
    id_field: ClassVar[str]
    #: Replacing inputs left out of the auto-name's hash (links to other objects).
    name_links: ClassVar[Sequence[str]] = ()

    def default(self, name: str) -> Any:
        """A field's default, from the table."""
        return next(f.default for f in self.table if f.name == name)

    def setting(self, props: Mapping[str, Any], name: str) -> Any:
        """A provider setting from stored props, falling back to the table's default."""
        value = props.get(name)
        return self.default(name) if value is None else value

    # --- check ---------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """See the module docstring for the order of the checks. ``olds`` are the old inputs."""
        olds, news = from_engine(olds), from_engine(news)
        inputs = self.checked_inputs(olds, news)
        violations = self.table_violations(inputs) or self.rules(olds, inputs)
        problem = session.preflight_problem()
        if problem is not None:
            violations.append(Violation("", f"{self.public_type} {self.label(news)}: {problem}"))
        with explained(f"{self.public_type} {self.label(news)}", "check it", "pulumi preview"):
            if not violations:
                violations = self.catalog_rules(inputs, session.catalog() or {})
            if not violations:
                violations = self.api_rules(olds, inputs)
            if not violations:
                self.note_taken_name(olds, inputs)
        return CheckResult(inputs, [CheckFailure(v.path, v.reason) for v in violations])

    def label(self, props: Mapping[str, Any]) -> str:
        """How messages name the resource: its Pulumi name."""
        return str(props.get(AUTONAME_PREFIX) or props.get(self.name_field) or "")

    def checked_inputs(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """The user's inputs with defaults and the name filled in; output placeholders and unknown keys
        dropped. While the object stays the same one (no replacing input changed), a computed input the
        user leaves out keeps its recorded value (the name, or what a refresh read), so it never shows
        as removed."""
        inputs: dict[str, Any] = {}
        for f in self.table:
            value = news.get(f.name) if f.input else None
            if value is None:
                value = f.default
            if value is not None:
                inputs[f.name] = value
        inputs.update({key: news[key] for key in PRIVATE_INPUTS if news.get(key) is not None})
        same_object = bool(olds) and values_equal(self.name_inputs(olds), self.name_inputs(inputs))
        if same_object:
            for f in self.table:
                if f.input and f.computed and inputs.get(f.name) is None and olds.get(f.name) is not None:
                    inputs[f.name] = olds[f.name]
        name = self.checked_name(inputs)
        if name is not None:
            inputs[self.name_field] = name
        return inputs

    def checked_name(self, inputs: Mapping[str, Any]) -> Any:
        """The user's name (or, for the same object, the one it has); an adopted object's own; else
        the auto-name, which is unknown while a replacing input is."""
        if inputs.get(self.name_field) is not None:
            return inputs[self.name_field]
        if inputs.get(self.adopt_field) is not None:
            return self.adopted_name(inputs)
        replacing = self.name_inputs(inputs)
        if contains_unknown(replacing):
            return UNKNOWN
        if inputs.get(NAME_SEED) is None:
            return None  # (only programs of an older version of this package) the service names it
        return derive_name(str(inputs[NAME_SEED]), str(inputs.get(AUTONAME_PREFIX) or ""), replacing)

    def name_inputs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs whose change makes a new object, as the user gave them: an auto-name is derived
        from them, and while they stay the same the object does. (Computed inputs, whose values may
        come from the service, and links to other objects are left out.)"""
        skip = {self.name_field, *self.name_links, *chosen_by_service(props)}
        return {
            f.name: props[f.name]
            for f in self.table
            if f.input
            and f.change is Change.REPLACE
            and not f.computed
            and f.name not in skip
            and props.get(f.name) is not None
        }

    def is_auto_named(self, props: Mapping[str, Any]) -> bool:
        """True when the object's name is this resource's auto-name (so an object of that name is ours)."""
        seed = props.get(NAME_SEED)
        if seed is None or props.get(self.name_field) is None:
            return False
        derived = derive_name(str(seed), str(props.get(AUTONAME_PREFIX) or ""), self.name_inputs(props))
        return bool(props[self.name_field] == derived)

    def name_taken(self, props: Mapping[str, Any], found: Sequence[Named]) -> bool:
        """Objects ``found`` (id, status) carry this resource's name: True to take the one over (it
        was made by an interrupted create of this resource), else a ProviderError saying what to do.

        Only an auto-named resource that is not replaced create-first may take one over: its name is
        derived from its place in this stack, so nothing else makes an object of that name.
        """
        name, adopt = props[self.name_field], self.adopt_field
        what = "cluster" if self.public_type == "GpuCluster" else "volume"
        if len(found) == 1 and self.is_auto_named(props) and not props.get(CREATE_FIRST):
            return True
        ids = ", ".join(f"{f.object_id} ({f.status})" for f in found)
        step = (
            f"If an interrupted `pulumi up` of this stack made it, take it over: set {adopt}="
            f"{found[0].object_id!r} on the resource and run `pulumi up`."
        )
        if props.get(CREATE_FIRST):
            raise ProviderError(
                f"{self.public_type} {name}: a {what} named {name} already exists ({ids}). Nothing was created. If "
                f"it is the one this resource holds, being replaced (`pulumi up --replace`, `pulumi state taint`), "
                f"the replacement would take its name because delete_before_replace=False makes the replacement "
                f"first: remove that option (a replaced {what} is then deleted first). {step}"
            )
        raise ProviderError(
            f"{self.public_type} {name}: a {what} named {name} already exists ({ids}), not in this stack's state. "
            f"{step} Otherwise choose another {self.name_field}."
        )

    def table_violations(self, inputs: Mapping[str, Any]) -> list[Violation]:
        """Required fields, types and single-value bounds, straight from the table."""
        found: list[Violation] = []
        for f in self.table:
            if not f.input:
                continue
            value = inputs.get(f.name)
            if f.required and value is None:
                found.append(Violation(f.name, f"{self.public_type}.{f.name} is required: {f.description}"))
            found += validate_value(value, f.type, f.name, f)
        return found

    def rules(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[Violation]:
        """Cross-field rules of the service, on well-typed inputs."""
        return []

    def catalog_rules(self, inputs: Mapping[str, Any], regions: Mapping[str, Any]) -> list[Violation]:
        """Rules that need the region catalog (skipped without credentials)."""
        return []

    def api_rules(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[Violation]:
        """Rules that ask the API about other objects (the one to adopt, a volume to attach), asked only
        for what the program newly states: a preview of an unchanged stack sends no request per
        resource (a refresh is what compares the stack with the account)."""
        adopt = self.adopt_field
        value = inputs.get(adopt)
        if not newly_stated_value(olds, inputs, adopt) or session.credentials() is None:
            return []
        found = self.lookup(str(value))
        if found is None:
            return [Violation(adopt, f"{adopt} {value} does not exist (or is not visible to this API key)")]
        problems = self.adoption_problems(inputs, found)
        if problems:
            return [Violation(adopt, f"{adopt} {value} cannot be adopted: {'; '.join(problems)}")]
        return []

    def note_taken_name(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> None:
        """A name the user chose for a new object, already taken outside this stack: ``pulumi up`` will
        refuse it (names are how an interrupted create is found again), so the preview says so.

        Only as a note, never a failure: on ``pulumi up --replace``, ``pulumi state taint`` and a
        replacement the engine checks the new inputs without the old ones, so this check cannot tell
        the object being replaced (which may keep its name: it is deleted first) from a stranger's.
        """
        name = inputs.get(self.name_field)
        if (
            olds
            or not isinstance(name, str)
            or contains_unknown(name)
            or inputs.get(self.adopt_field) is not None
            or self.is_auto_named(inputs)
            or session.credentials() is None
        ):
            return
        taken = self.objects_named(name, inputs.get("project_id"))
        if taken:
            what = "cluster" if self.public_type == "GpuCluster" else "volume"
            ids = ", ".join(f"{t.object_id} ({t.status})" for t in taken)
            progress(
                f"{self.public_type} {self.label(inputs)}: {self.name_field} {name!r} is taken by {what} {ids}, "
                f"which is not in this stack's state unless this preview replaces it. If not, `pulumi up` will stop "
                f"before creating a second one: choose another {self.name_field}, or manage that {what} here with "
                f"{self.adopt_field}={taken[0].object_id!r} instead of {self.name_field}."
            )

    def keep_first_of_its_name(self, props: Mapping[str, Any], made: Named, made_after: float) -> None:
        """After creating ``made`` under a name the user chose: if another object got the same name at
        the same moment (two stacks, or a stack and a person, creating one name at once; each looked
        first and found nothing), the one made later (by creation time, then id: both sides agree)
        deletes itself and fails, so one object keeps the name. The list is read after the create
        (``made_after``): a list read before it cannot hide the other. An auto-name needs no such
        check: it is derived from this stack's identity, and the backend's lock lets one run of a
        stack at a time, so nothing else creates an object of that name."""
        name = props[self.name_field]
        try:
            listed = self.objects_named(name, props.get("project_id"), after=made_after)
        except errors.TogetherError as exc:
            progress(f"{self.public_type} {name}: could not look for another object of the same name ({exc})")
            return
        rivals = [n for n in listed if n.object_id != made.object_id]
        if not rivals:
            return
        never = datetime.max.replace(tzinfo=UTC)
        first = min([made, *rivals], key=lambda n: (n.created_at or never, n.object_id))
        if first is made:
            return
        what = "cluster" if self.public_type == "GpuCluster" else "volume"
        try:
            self.delete_object(made.object_id)
        except errors.TogetherError as exc:
            progress(
                f"{self.public_type} {name}: {first.object_id} has the same name and was made first, but deleting "
                f"{made.object_id} failed ({exc}); it is recorded in the stack state: delete one of the two"
            )
            return
        raise ProviderError(
            f"{self.public_type} {name}: another {what} named {name} ({first.object_id}) was created at the same "
            f"moment, by another stack or outside Pulumi; the one this resource made ({made.object_id}) was deleted "
            f"again, so nothing was created. Choose another {self.name_field}, or manage that {what} here with "
            f"{self.adopt_field}={first.object_id!r}."
        )

    def made_by_an_interrupted_create(self, props: Mapping[str, Any]) -> str | None:
        """The id of an object that already carries this resource's name, from a create the engine never
        recorded: taken over when it is ours for sure (see ``name_taken``).

        The look-up uses the list this process read first (one for every create of the run; an
        interrupted create of an earlier run is in it). A list read earlier in this run may still show
        an object deleted since (the one a replacement deleted first), so a candidate is fetched again
        before anything is decided.
        """
        name = props[self.name_field]
        found = [
            n
            for n in self.objects_named(name, props.get("project_id"))
            if self.still_named(self.lookup(n.object_id), name)
        ]
        return found[0].object_id if found and self.name_taken(props, found) else None

    def still_named(self, found: Any, name: str) -> bool:
        """Whether the object fetched again exists, is not being deleted, and still has ``name``."""
        raise NotImplementedError

    def delete_object(self, object_id: str) -> None:
        """Ask the API to delete an object this provider just made (no wait)."""
        raise NotImplementedError

    def objects_named(self, name: str, project_id: Any, *, after: float = -math.inf) -> list[Named]:
        """The live objects (not being deleted) of this resource's kind that carry ``name``, from a list
        this process read at or after ``after``."""
        raise NotImplementedError

    def adoption_problems(self, inputs: Mapping[str, Any], found: Any) -> list[str]:
        """Why the existing object ``found`` is not the one ``inputs`` declare (checked at preview and
        again when it is adopted)."""
        return []

    def lookup(self, object_id: str) -> Any:
        """The object with this id, or None when there is none."""
        raise NotImplementedError

    def adopted_name(self, inputs: Mapping[str, Any]) -> Any:
        """An adopted object keeps its own name, read here so later diffs compare like with like;
        unknown until its id is, and left to the service without credentials."""
        object_id = inputs[self.adopt_field]
        if contains_unknown(object_id):
            return UNKNOWN
        if session.credentials() is None:
            return None
        try:
            found = self.lookup(str(object_id))
        except errors.TogetherError:
            return None  # the API is asked again at create
        return getattr(found, self.name_field, None) if found is not None else None

    def inputs_from_state(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs a state records: what the program gave, never what the service chose."""
        chosen = chosen_by_service(state)
        inputs = {
            f.name: state[f.name]
            for f in self.table
            if f.input and f.name not in chosen and state.get(f.name) is not None
        }
        inputs.update({key: state[key] for key in PRIVATE_INPUTS if state.get(key) is not None})
        return inputs

    def refreshed_inputs(self, old: Mapping[str, Any], observed: Mapping[str, Any]) -> dict[str, Any] | None:
        """The inputs a refresh reports (``old`` and ``observed`` are the state before and after): None,
        which keeps the stored inputs exactly, unless a setting of the program drifted; then the
        program's settings with the drifted values, so that the next preview shows that drift only."""
        before, after = self.inputs_from_state(old), self.inputs_from_state(observed)
        return None if values_equal(before, after) else after

    # --- diff ----------------------------------------------------------------------------------

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the inputs with the old state (``olds`` are the old outputs).

        A field the user never set is not drift; ``__provider`` is ignored; a value still unknown
        during preview counts as a change of its kind. A field the user set before and has now
        removed is a change too, except for computed ones (the service then keeps its own value)
        and provider settings. Stating the value the service chose (kept in the old outputs, see
        :data:`SERVICE_CHOSEN`) is no change. Re-declaring the adopted object's own id is no change; a replacement
        that would adopt the object it is meant to replace is refused. A replacement that keeps the
        name deletes the old object first: two objects never share a name (names are how an
        interrupted create is found again).
        """
        olds, news = from_engine(olds), from_engine(news)
        chosen = chosen_by_service(olds)
        changed: list[str] = []
        replaces: list[str] = []
        for f in self.table:
            if not f.input:
                continue
            new, old = news.get(f.name), olds.get(f.name)
            if new is None:
                if old is None or f.computed or not f.sent or f.change is Change.STATE_ONLY or f.name in chosen:
                    continue
            elif not contains_unknown(new) and (
                values_equal(old, new) or (f.name == self.adopt_field and new == olds.get(self.id_field))
            ):
                continue
            changed.append(f.name)
            if f.change is Change.REPLACE or _replaces_on_change(news, f.name):
                replaces.append(f.name)
        adopted = news.get(self.adopt_field)
        if replaces and adopted is not None and adopted == olds.get(self.id_field):
            raise ProviderError(
                f"{self.public_type} {self.label(news)}: changing {', '.join(replaces)} would replace {adopted}, but "
                f"{self.adopt_field} still points at it, so the replacement would adopt the very object it "
                f"deletes. Revert the change, or remove {self.adopt_field} to let Pulumi create a new one (and "
                f"delete {adopted})."
            )
        # An auto-name that changes with the other replacing inputs is their consequence, not a cause.
        name_follows = self.is_auto_named(olds) and self.is_auto_named(news)
        if name_follows and self.name_field in replaces and len(replaces) > 1:
            replaces.remove(self.name_field)
        # (Also for a replacement the user forces: the engine reads this flag whatever the replaces.)
        same_name = values_equal(news.get(self.name_field), olds.get(self.name_field))
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=same_name)


def _replaces_on_change(news: Mapping[str, Any], name: str) -> bool:
    """Whether the resource's ``replace_on_changes`` names this field (or a path inside it, or ``*``)."""
    paths = news.get(REPLACE_ON_CHANGES) or []
    return any(path == "*" or path.split(".")[0].split("[")[0] == name for path in paths if isinstance(path, str))
