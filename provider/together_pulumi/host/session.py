"""The provider process's state: the stack's settings, one :class:`Session` per set of credentials,
the clock every wait reads, and what this process changed.

Providers are pickled into every resource's state, so they hold nothing: the stack's settings arrive
through ``configure()`` (stack config, secrets already decrypted) and are kept here, in the provider
process only, never on the provider object. A :class:`Session` keeps what the process learns with
one API key at one host: the HTTP client, the region catalog, who the key is, its projects, the
preflight's answers and the shared lists of clusters and volumes. Each is built lazily, once, and
shared by the (up to four) threads the dynamic provider host serves requests on.

The module functions (:func:`client`, :func:`catalog`, ...) answer for the current credentials
(:func:`credentials`: the stack config, else the environment; see ``model/credentials.py``).
Tests drive every wait with a clock of their own: :func:`set_clock`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..model.credentials import CONFIG_KEYS, Credentials, no_key_message, resolve_credentials, resolve_project
from . import interrupts, preflight, threads
from .shared_reads import Changes, SharedListing
from .waiting import SYSTEM_CLOCK, Clock

if TYPE_CHECKING:  # the client (httpx, pydantic) loads only where it is used
    from ..api.client import TogetherClient
    from ..api.models import Cluster, Identity, Project, Region, Volume

__all__ = [
    "Session",
    "catalog",
    "changes",
    "client",
    "clock",
    "clusters_listing",
    "configure_from_stack",
    "credentials",
    "current",
    "default_project",
    "forget",
    "identity",
    "preflight_problem",
    "projects",
    "set_clock",
    "volumes_listing",
]


class Session:
    """What the provider process keeps for one set of credentials, built lazily and shared by threads."""

    def __init__(self, credentials: Credentials, clock: Clock) -> None:
        self.credentials = credentials
        self.clock = clock
        self._lock = threading.Lock()
        self._client: TogetherClient | None = None
        self._catalog: dict[str, Region] | None = None
        self._identity: Identity | None = None
        self._projects_listed = False
        #: None: the key may not list its projects (nothing to check against).
        self._projects: list[Project] | None = None
        self._preflights: dict[str | None, str | None] = {}
        self._listings: dict[str, SharedListing[Any]] = {}

    def client(self) -> TogetherClient:
        """The session's HTTP client (one per process and credentials)."""
        from ..api.client import TogetherClient

        with self._lock:
            if self._client is None:
                self._client = TogetherClient(self.credentials.api_key, self.credentials.base_url, clock=self.clock)
            return self._client

    def listing(self, name: str, fetch: Callable[[TogetherClient], list[Any]]) -> SharedListing[Any]:
        """The list called ``name`` (kind, purpose, project), read by ``fetch`` once for all its callers."""
        api = self.client()
        with self._lock:
            found = self._listings.get(name)
            if found is None:
                found = self._listings[name] = SharedListing(lambda: fetch(api), self.clock)
            return found

    def catalog(self) -> dict[str, Region]:
        """Regions by name, listed once (or taken from the preflight's probe)."""
        with self._lock:
            if self._catalog is not None:
                return self._catalog
        regions = {region.name: region for region in self.client().list_regions()}
        return self.remember_catalog(regions)

    def remember_catalog(self, regions: dict[str, Region]) -> dict[str, Region]:
        """Keep the first catalog listed; the one kept."""
        with self._lock:
            if self._catalog is None:
                self._catalog = regions
            return self._catalog

    @property
    def identity(self) -> Identity | None:
        """Who the API key is, as the preflight's identity call found (None before it, or without one)."""
        with self._lock:
            return self._identity

    def remember_identity(self, found: Identity) -> None:
        with self._lock:
            self._identity = found

    def projects(self, api: TogetherClient | None = None) -> list[Project] | None:
        """The projects the key can use, listed once; None when the key may not list them, or on trouble
        (then asked again next time)."""
        with self._lock:
            if self._projects_listed:
                return self._projects
        try:
            listed: list[Project] | None = (api or self.client()).list_projects()
        except (errors.PermissionDeniedError, errors.NotFoundError):
            listed = None  # this key may not list projects: nothing to check against
        except errors.TogetherError:
            return None  # trouble now: skip the check (the service still decides at create), ask again later
        with self._lock:
            self._projects, self._projects_listed = listed, True
        return listed

    def preflight(self, project: str | None) -> str | None:
        """Why ``pulumi up`` could not work with this session and default ``project`` (see ``preflight``);
        asked once per project."""
        with self._lock:
            if project in self._preflights:
                return self._preflights[project]
        problem = preflight.problem(self, project)
        with self._lock:
            self._preflights[project] = problem
        return problem

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = None
            self._listings.clear()  # they hold the client


class _Process:
    """The provider process's own state (one instance, ``_process``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stack_config: dict[str, str] = {}
        self.sessions: dict[tuple[str, str], Session] = {}
        self.clock: Clock = SYSTEM_CLOCK
        #: What this process changed, and when (the waits' bound on how old a list may be).
        self.changes: Changes | None = None


_process = _Process()


def configure_from_stack(config: Mapping[str, Any]) -> None:
    """Remember the stack's Together settings (called from every provider's ``configure``).

    In the provider process it also starts listening for Ctrl-C and for the engine's exit.
    """
    interrupts.watch()
    threads.widen()
    with _process.lock:
        _process.stack_config.clear()
        _process.stack_config.update({key: str(config[key]) for key, _, _ in CONFIG_KEYS if config.get(key)})


def credentials() -> Credentials | None:
    """This process's credentials (see :func:`~together_pulumi.model.credentials.resolve_credentials`)."""
    with _process.lock:
        config = dict(_process.stack_config)
    return resolve_credentials(config)


def default_project() -> str | None:
    """This process's default project (see :func:`~together_pulumi.model.credentials.resolve_project`)."""
    with _process.lock:
        config = dict(_process.stack_config)
    return resolve_project(config)


def current() -> Session:
    """The session of the current credentials (raises ConfigurationError without a key)."""
    creds = credentials()
    if creds is None:
        raise errors.ConfigurationError(no_key_message())
    with _process.lock:
        found = _process.sessions.get(creds.cache_key)
        if found is None:
            found = _process.sessions[creds.cache_key] = Session(creds, _process.clock)
        return found


def client() -> TogetherClient:
    """The shared client for the current credentials (raises ConfigurationError without a key)."""
    return current().client()


def clusters_listing(project_id: str | None, *, for_polls: bool = False) -> SharedListing[Cluster]:
    """The clusters of ``project_id`` (or of the key's default project), listed once for all callers.

    Waits poll a list of their own (``for_polls``): their reads are spaced one poll period apart, and
    a look-up just before a create must not push the first poll of the wait after it a period away.
    """
    name = f"clusters{' polls' if for_polls else ''} of {project_id}"
    return current().listing(name, lambda api: api.list_clusters(project_id))


def volumes_listing(project_id: str | None, *, for_polls: bool = False) -> SharedListing[Volume]:
    """The volumes of ``project_id`` (or of the key's default project), as :func:`clusters_listing`."""
    name = f"volumes{' polls' if for_polls else ''} of {project_id}"
    return current().listing(name, lambda api: api.list_volumes(project_id))


def changes() -> Changes:
    """The objects this process changed: a create or update notes each here (see .shared_reads)."""
    with _process.lock:
        if _process.changes is None:
            _process.changes = Changes(_process.clock)
        return _process.changes


def catalog() -> dict[str, Region] | None:
    """Regions by name, fetched once per process; None when there are no credentials."""
    return current().catalog() if credentials() is not None else None


def preflight_problem() -> str | None:
    """Why ``pulumi up`` could not work with these settings, or None when it can (see ``preflight``)."""
    if credentials() is None:
        return no_key_message()
    return current().preflight(default_project())


def projects() -> list[Project] | None:
    """The projects the API key can use, listed once per process; None without credentials or when
    the key may not list them."""
    return current().projects() if credentials() is not None else None


def identity() -> Identity | None:
    """Who the API key is, as the preflight's identity call found (None before it, or without one)."""
    return current().identity if credentials() is not None else None


def clock() -> Clock:
    """The clock every wait of this process reads (the system clock unless a test set another)."""
    return _process.clock


def set_clock(new: Clock | None) -> None:
    """Make every wait of this process read ``new`` (None: the system clock).

    For tests, which drive waits with the emulator's virtual time. Sessions and the record of changes
    hold the clock, so they start afresh.
    """
    forget()
    with _process.lock:
        _process.clock = new or SYSTEM_CLOCK


def forget() -> None:
    """Drop every session and the record of changes (tests that change the emulator, or the clock)."""
    with _process.lock:
        sessions = list(_process.sessions.values())
        _process.sessions.clear()
        _process.changes = None
    for found in sessions:
        found.close()
