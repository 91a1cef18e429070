"""The Cluster part of a GpuCluster: creates (or takes over) the cluster, updates, refreshes, deletes.

It returns as soon as the API accepts a create, so the cluster is in the stack state before any
waiting starts (the readiness part waits; see ``together_pulumi.program.gpu_cluster``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from ...api import errors
from ...api.enums import ClusterStatus
from ...model.cluster.fields import CLUSTER_FIELDS, COUNTS_RESET_WHEN_REMOVED, DRIVER_FIELDS, NAME_LINKS
from ...model.cluster.report import reported
from ...model.fields import Change, Field, Violation, contains_unknown, from_engine, values_equal
from .. import session
from ..errors import ProviderError
from ..new_objects import creates_object, newly_stated, without_key
from ..provider_base import (
    Named,
    announce_take_over,
    chosen_by_service,
    explained,
    newly_stated_value,
    uncertain_create_message,
    with_service_values,
    without_provider,
)
from ..references import co_location_violations, default_project_note, project_violations
from ..table_provider import TableProvider
from ..waiting import poll_until, progress
from .observed import observed_add_ons, observed_config, observed_time
from .requests import create_request, update_body, update_changes
from .rules import RULES, catalog_rules

if TYPE_CHECKING:
    from ...api.models import Cluster

__all__ = ["ClusterProvider"]

#: The inline volume's co-location hint: used at creation only.
_HINT = "instance_cluster_id"
_HINTS = {"shared_volume": _HINT}

#: Mutable settings the service normalises, compared semantically on refresh (see .observed).
_NORMALISED: dict[str, Callable[[Any, Any], Any]] = {
    "reservation_end_time": observed_time,
    "cluster_config": observed_config,
    "add_ons": observed_add_ons,
}

#: Mutable fields the service reports back as given, by our name -> its attribute (drift and convergence).
_OBSERVED = {
    f.name: f.reported_as or f.name for f in CLUSTER_FIELDS if f.change is Change.IN_PLACE and f.name not in _NORMALISED
}


#: Optional replacing inputs the service reports a value of when the program gives none: the state
#: keeps that value, so that stating it later is no change. Derived from the table and the API's
#: cluster model: every such field the answer carries.
@cache
def _reported_fields() -> tuple[Field, ...]:
    from ...api.models import Cluster  # (imported when first needed: programs load this module too)

    return tuple(
        f
        for f in CLUSTER_FIELDS
        if f.input
        and f.sent
        and f.change is Change.REPLACE
        and not f.required
        and f.default is None
        and (f.reported_as or f.name) in Cluster.model_fields
    )


def _reported(cluster: Cluster) -> dict[str, Any]:
    return {f.name: reported(cluster, f) for f in _reported_fields()}


class ClusterProvider(TableProvider):
    """Creates, adopts, updates, refreshes and deletes the cluster; never waits for Ready."""

    __module__ = "together_pulumi.pickled"  # the frozen name stacks store: see together_pulumi/pickled.py

    table: ClassVar[tuple[Field, ...]] = CLUSTER_FIELDS
    public_type: ClassVar[str] = "GpuCluster"
    name_field: ClassVar[str] = "cluster_name"
    adopt_field: ClassVar[str] = "existing_cluster_id"
    id_field: ClassVar[str] = "cluster_id"
    name_links: ClassVar[tuple[str, ...]] = NAME_LINKS

    # --- check and diff ------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The table provider's checks, then the inline volume's placement when newly stated."""
        result = super().check(olds, news)
        if result.failures:
            return result
        olds, inputs = from_engine(olds), dict(result.inputs)
        near, before = _placement_hint(inputs), _placement_hint(olds)
        found = []
        if near is not None and newly_stated(olds, near, before):
            found = co_location_violations(f"shared_volume.{_HINT}", near, inputs.get("region"))
        return CheckResult(inputs, [CheckFailure(v.path, v.reason) for v in found])

    def checked_inputs(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """The table provider's inputs; a cluster about to be created without project_id goes to the
        default project (an existing one never moves: that would replace it; an adopted one keeps its own)."""
        inputs = super().checked_inputs(olds, news)
        project = session.default_project()
        creates = creates_object(self.table, olds, inputs, _HINTS)
        if creates and inputs.get("project_id") is None and project and inputs.get(self.adopt_field) is None:
            inputs["project_id"] = project  # (an adopted object keeps its own; diff says where one stays)
        return inputs

    def rules(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[Violation]:
        """The cross-field rules. A cluster that will be replaced is checked as a new one (it may take
        new add-ons and drop settings, and must not start in the past); while a replacing input is
        unknown, only what is wrong either way is reported."""
        as_updated = [v for rule in RULES for v in rule(inputs, olds)] if olds else []
        if olds and not creates_object(self.table, olds, inputs, _HINTS):
            return as_updated
        as_created = [v for rule in RULES for v in rule(inputs, {})]
        if not olds or self.replaced(olds, inputs):
            return as_created
        return [v for v in as_updated if v in as_created]

    def replaced(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
        """Whether a replacing input changed to a known new value (an unknown one may yet stay the same)."""
        settled = {k: olds.get(k) if contains_unknown(v) else v for k, v in inputs.items()}
        return creates_object(self.table, olds, settled, _HINTS)

    def catalog_rules(self, inputs: Mapping[str, Any], regions: Mapping[str, Any]) -> list[Violation]:
        return catalog_rules(inputs, regions) if regions else []

    def api_rules(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[Violation]:
        found = super().api_rules(olds, inputs)
        found += project_violations("project_id", inputs.get("project_id"))
        volume = inputs.get("shared_volume")
        if isinstance(volume, Mapping):
            found += project_violations("shared_volume.project_id", volume.get("project_id"))
        volume_id = inputs.get("volume_id")
        checkable = newly_stated_value(olds, inputs, "volume_id") and session.credentials() is not None
        if checkable and session.client().find_volume(str(volume_id)) is None:
            found.append(
                Violation(
                    "volume_id",
                    f"volume_id {volume_id} does not exist (or is not visible to this API key); create it first, "
                    "e.g. as a together.SharedVolume whose volume_id you pass here",
                )
            )
        return found

    def lookup(self, object_id: str) -> Any:
        return session.client().find_cluster(object_id)

    def adoption_problems(self, inputs: Mapping[str, Any], found: Any) -> list[str]:
        known_inputs = {k: v for k, v in inputs.items() if v is not None and not contains_unknown(v)}
        problems = [
            f"its {name} is {getattr(found, name)}, declared {known_inputs[name]}"
            for name in ("region", "gpu_type", "cluster_name")
            if name in known_inputs and getattr(found, name) != known_inputs[name]
        ]
        declared_project = known_inputs.get("project_id")
        if declared_project is not None and found.project_id and found.project_id != declared_project:
            problems.append(f"its project_id is {found.project_id}, declared {declared_project}")
        if found.status == ClusterStatus.DELETING:
            problems.append("it is being deleted")
        return problems

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        olds, news = from_engine(olds), from_engine(news)
        # The inline volume's placement hint matters at creation only: its change is recorded, never
        # a replacement (nor is the hint still unknown while the cluster it names is being made).
        old_hint, new_hint = _placement_hint(olds), _placement_hint(news)
        result = super().diff(
            _id,
            {**olds, "shared_volume": without_key(olds.get("shared_volume"), _HINT)},
            {**news, "shared_volume": without_key(news.get("shared_volume"), _HINT)},
        )
        if new_hint is not None and (contains_unknown(new_hint) or not values_equal(old_hint, new_hint)):
            result.changes = True
        # Two clusters cannot hold one volume: with volume_id, the old cluster must go first.
        if news.get("volume_id") is not None:
            result.delete_before_replace = True
        if not result.replaces:  # (the old outputs know its project, whoever chose it)
            default_project_note(self.public_type, self.label(news), news.get("project_id"), olds.get("project_id"))
        return result

    # --- create --------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        label = f"GpuCluster {props.get('cluster_name') or self.label(props)}"
        if props.get("existing_cluster_id"):
            cluster = self._adopt(props, str(props["existing_cluster_id"]), "existing_cluster_id")
            resolved = {"nvidia_version_id": cluster.nvidia_driver_version_id}
        elif (found := self.made_by_an_interrupted_create(props)) is not None:
            announce_take_over(label, "cluster", found)
            cluster = self._adopt(props, found, "the auto-name")
            resolved = {"nvidia_version_id": cluster.nvidia_driver_version_id}
        else:
            request, resolved = create_request(props)
            listing = session.clusters_listing(props.get("project_id"))
            sent_at = listing.now()
            # An auto-name is this stack's alone: what the run's list shows under it is all there is.
            known = [c.cluster_id for c in listing.get() if c.cluster_name == request.cluster_name]
            try:
                cluster = session.client().create_cluster(
                    request, known_before=known if self.is_auto_named(props) else None
                )
            except errors.UncertainCreateError as exc:
                session.clusters_listing(props.get("project_id")).invalidate()  # it may have landed
                raise ProviderError(uncertain_create_message(label, "existing_cluster_id", exc)) from None
            except errors.APIStatusError as exc:
                raise ProviderError(f"{label}: the API refused the create: {exc}") from None
            progress(
                f"{label}: created {cluster.cluster_id} ({cluster.gpu_type} x {cluster.num_gpus} in "
                f"{cluster.region}), {cluster.status}"
            )
            if not self.is_auto_named(props):  # (an auto-name is this stack's alone: see keep_first_of_its_name)
                made = Named(cluster.cluster_id, str(cluster.status), cluster.created_at)
                self.keep_first_of_its_name(props, made, sent_at)
        session.changes().changed(cluster.cluster_id)  # (its wait needs news from after this)
        return CreateResult(cluster.cluster_id, self._outputs(props, cluster, resolved))

    def delete_object(self, object_id: str) -> None:
        session.client().delete_cluster(object_id)

    def objects_named(self, name: str, project_id: Any, *, after: float = -math.inf) -> list[Named]:
        listed = session.clusters_listing(project_id).get(after=after)
        return [
            Named(c.cluster_id, str(c.status), c.created_at)
            for c in listed
            if c.cluster_name == name and c.status != ClusterStatus.DELETING
        ]

    def still_named(self, found: Any, name: str) -> bool:
        return found is not None and found.cluster_name == name and found.status != ClusterStatus.DELETING

    def _adopt(self, props: Mapping[str, Any], cluster_id: str, how: str) -> Cluster:
        """Take over an existing cluster after checking it is the one declared; converge its size and type."""
        from ...api.models import ClusterUpdateRequest

        client = session.client()
        cluster = client.find_cluster(cluster_id)
        if cluster is None:
            raise ProviderError(f"GpuCluster: existing_cluster_id {cluster_id} does not exist")
        mismatches = self.adoption_problems(props, cluster)
        if mismatches:
            raise ProviderError(f"GpuCluster: cluster {cluster_id} ({how}) cannot be adopted: {'; '.join(mismatches)}")
        progress(f"GpuCluster: adopting existing cluster {cluster_id} ({cluster.cluster_name})")
        changes = {
            name: props[name]
            for name, attribute in _OBSERVED.items()
            if name in ("num_gpus", "cluster_type")
            and props.get(name) is not None
            and not values_equal(getattr(cluster, attribute), props[name])
        }
        if changes:
            progress(f"GpuCluster: converging adopted cluster {cluster_id}: {', '.join(sorted(changes))}")
            cluster = client.update_cluster(cluster_id, ClusterUpdateRequest.model_validate(changes))
        return cluster

    @staticmethod
    def _outputs(props: Mapping[str, Any], cluster: Cluster, resolved: Mapping[str, Any]) -> dict[str, Any]:
        outs = without_provider(props)
        outs.update(cluster_id=cluster.cluster_id, cluster_name=cluster.cluster_name, status=cluster.status)
        # (The driver the catalog resolved at create is the one asked for; the service may not say.)
        reported = {**_reported(cluster), **{k: v for k, v in resolved.items() if k in DRIVER_FIELDS and v}}
        return with_service_values(outs, props, reported)

    # --- refresh, update, delete ---------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with explained(f"GpuCluster {props.get('cluster_name') or id_} ({id_})", "read it", "pulumi refresh"):
            cluster = session.client().find_cluster(id_)
        if cluster is None:
            return ReadResult("", {})
        observed = without_provider(props)
        observed["status"] = cluster.status
        # Mutable fields the user set: the server's value is the truth; a difference is drift.
        for name, attribute in _OBSERVED.items():
            if props.get(name) is not None:
                observed[name] = getattr(cluster, attribute)
        if props.get("auto_scale") and props.get("num_gpus") is not None:
            requested, ceiling = int(props["num_gpus"]), int(props.get("auto_scale_max_gpus") or 0)
            if requested <= cluster.num_gpus <= ceiling:
                observed["num_gpus"] = props["num_gpus"]  # the autoscaler's move, not drift
        # Settings the service normalises: compared semantically (see .observed).
        for name, observe in _NORMALISED.items():
            if props.get(name) is not None:
                observed[name] = observe(props[name], getattr(cluster, name))
        observed = with_service_values(observed, self.inputs_from_state(props), _reported(cluster))
        return ReadResult(id_, observed, self.refreshed_inputs(props, observed))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        from ...api.models import ClusterUpdateRequest

        changes = update_changes(olds, news)
        outs = without_provider({**olds, **news})
        kept = chosen_by_service(olds)  # (the service's own values: replaced below when it reports anew)
        for f in CLUSTER_FIELDS:  # settings the user removed leave the state too
            if f.input and not f.computed and f.name not in kept and news.get(f.name) is None:
                outs.pop(f.name, None)
        outs = with_service_values(outs, news, {name: outs.get(name) for name in kept})
        outs.update({name: value for name, value in changes.items() if name in COUNTS_RESET_WHEN_REMOVED})
        if changes:
            label = f"GpuCluster {news.get('cluster_name') or id_} ({id_})"
            body = update_body(olds, changes)
            try:
                cluster = session.client().update_cluster(id_, ClusterUpdateRequest.model_validate(body))
            except errors.NotFoundError:
                raise ProviderError(
                    f"{label} no longer exists at the API (deleted outside Pulumi?), so its "
                    f"{', '.join(sorted(changes))} cannot be updated. Run `pulumi refresh` to drop it from the "
                    "stack state, or `pulumi up --refresh` to create it again."
                ) from None
            except errors.APIStatusError as exc:
                raise ProviderError(
                    f"{label}: the API refused the update of {', '.join(sorted(changes))}: {exc}"
                ) from None
            session.changes().changed(id_)
            progress(f"{label}: updating {', '.join(sorted(changes))}; status {cluster.status}")
            outs["status"] = cluster.status
            outs = with_service_values(outs, news, _reported(cluster))
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = session.client()
        label = f"GpuCluster {props.get('cluster_name') or id_} ({id_})"
        try:
            client.delete_cluster(id_)
        except errors.NotFoundError:
            return
        progress(f"{label}: deletion requested")
        poll_until(
            lambda: client.find_cluster(id_),
            lambda c: c is None,
            describe=lambda c: "deleted" if c is None else c.status,
            label=label,
            timeout_seconds=float(self.setting(props, "delete_timeout_seconds")),
            on_timeout=lambda c, t: (
                f"{label} is still {c.status if c else 'there'} after {t:.0f}s of deletion "
                "(delete_timeout_seconds). It stays in the stack state; run `pulumi destroy` (or up) again to keep "
                "waiting."
            ),
            clock=session.clock(),
        )


def _placement_hint(props: Mapping[str, Any]) -> Any:
    """``shared_volume.instance_cluster_id``, if any."""
    volume = props.get("shared_volume")
    return volume.get(_HINT) if isinstance(volume, Mapping) else None
