"""``together-pulumi orphans``: clusters and volumes of the account that no stack of the backend holds.

The account side: every project the API key can use (``GET /v1/projects``; when the key may not
list them, the default project of the provider's settings, else the key's own), its clusters and
volumes. The stack side: the ids every stack's state holds or refers to, read with ``pulumi stack
export`` through the Automation API. A stack that cannot be read fails the command: an object it
might hold would otherwise be called an orphan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..api import errors
from ..api.client import TogetherClient
from ..review.facts import ClusterFacts, VolumeFacts
from ..review.ratecard import Cost, RateCard, cluster_hourly_cost, volume_hourly_cost
from .backend import Backend, StackRef
from .state import read_state

__all__ = ["AccountObject", "account_objects", "held_ids", "orphans"]


@dataclass(frozen=True)
class AccountObject:
    """A cluster or volume as the API lists it."""

    kind: str  # "cluster" or "volume"
    id: str
    name: str
    project_id: str | None
    region: str | None
    num_gpus: int
    created_at: dt.datetime | None
    status: str
    gpu_type: str | None = None
    billing_type: str | None = None
    num_reserved_gpus: int = 0
    size_tib: int | None = None

    def age(self, now: dt.datetime) -> dt.timedelta | None:
        if self.created_at is None:
            return None
        created = self.created_at if self.created_at.tzinfo else self.created_at.replace(tzinfo=dt.UTC)
        return now - created

    def hourly_cost(self, card: RateCard) -> Cost:
        """What it costs per hour under ``card`` (the review's pricing rules)."""
        if self.kind == "volume":
            return volume_hourly_cost(card, VolumeFacts(self.name, size_tib=self.size_tib))
        facts = ClusterFacts(
            self.name,
            gpu_type=self.gpu_type,
            num_gpus=self.num_gpus,
            billing_type=self.billing_type,
            num_reserved_gpus=self.num_reserved_gpus or None,
        )
        return cluster_hourly_cost(card, facts)


def _projects(api: TogetherClient, default_project: str | None) -> list[str | None]:
    try:
        listed = [p.id for p in api.list_projects()]
    except (errors.PermissionDeniedError, errors.NotFoundError):
        listed = []  # this key may not list its projects: its default one
    return list(listed) or [default_project]


def account_objects(api: TogetherClient, default_project: str | None) -> list[AccountObject]:
    """Every cluster and volume of every project the key can use (each once)."""
    found: dict[str, AccountObject] = {}
    for project in _projects(api, default_project):
        for c in api.list_clusters(project):
            found.setdefault(
                c.cluster_id,
                AccountObject(
                    "cluster",
                    c.cluster_id,
                    c.cluster_name,
                    c.project_id or project,
                    c.region,
                    c.num_gpus,
                    c.created_at,
                    c.status,
                    gpu_type=c.gpu_type,
                    billing_type=c.billing_type,
                    num_reserved_gpus=c.num_reserved_gpus,
                ),
            )
        for v in api.list_volumes(project):
            found.setdefault(
                v.volume_id,
                AccountObject(
                    "volume", v.volume_id, v.volume_name, project, None, 0, None, v.status, size_tib=v.size_tib
                ),
            )
    return list(found.values())


def held_ids(backend: Backend, refs: Sequence[StackRef], parallel: int) -> frozenset[str]:
    """Every id the stacks hold or refer to (raises BackendError when a stack cannot be read)."""
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        states = list(pool.map(lambda ref: read_state(backend.export(ref)), refs))
    held: frozenset[str] = frozenset()
    for state in states:
        held |= state.held_ids()
    return held


def orphans(objects: Iterable[AccountObject], held: frozenset[str]) -> list[AccountObject]:
    """The objects no stack holds, oldest first."""
    found = [o for o in objects if o.id not in held]
    oldest = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(found, key=lambda o: (_aware(o.created_at) or oldest, o.kind, o.id))


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
