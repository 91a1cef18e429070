"""Per-process settings, credentials, HTTP client, identity, projects, region catalog and clock.

Providers are pickled into every resource's state, so they hold nothing: the stack's settings arrive
through ``configure()`` (stack config, secrets already decrypted) and are kept here, in the provider
process only, never on the provider object. The client and the region catalog are built lazily,
once per process and credentials, and shared by the (up to four) threads the dynamic provider host
serves requests on. Credentials are resolved in one place, :func:`resolve_credentials`, and the
default project in another, :func:`resolve_project`, for the provider process and for functions
called in the program (``get_regions``, the lookups).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api import errors
from ..api.settings import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, PROJECT_ID_ENV
from . import interrupts
from . import threads as host_threads
from .shared_reads import Changes, SharedListing
from .waiting import SYSTEM_CLOCK, Clock

if TYPE_CHECKING:  # the client (httpx, pydantic) loads only where it is used, not in the program
    from ..api.client import TogetherClient
    from ..api.models import Cluster, Identity, Project, Region, Volume

__all__ = [
    "API_KEY_CONFIG",
    "BASE_URL_CONFIG",
    "CONFIG_KEYS",
    "PROJECT_ID_CONFIG",
    "PROJECT_ID_ENV",
    "Credentials",
    "catalog",
    "changes",
    "client",
    "clock",
    "clusters_listing",
    "configure_from_stack",
    "credentials",
    "default_project",
    "describe_projects",
    "identity",
    "preflight",
    "projects",
    "resolve_credentials",
    "resolve_project",
    "use_clock",
    "volumes_listing",
]

API_KEY_CONFIG = "together:apiKey"
BASE_URL_CONFIG = "together:baseUrl"
PROJECT_ID_CONFIG = "together:projectId"
#: Every stack config key of the provider, with its environment variable and what it is.
CONFIG_KEYS: tuple[tuple[str, str, str], ...] = (
    (API_KEY_CONFIG, API_KEY_ENV, "the API key"),
    (BASE_URL_CONFIG, BASE_URL_ENV, f"the API host (default {DEFAULT_BASE_URL})"),
    (
        PROJECT_ID_CONFIG,
        PROJECT_ID_ENV,
        "the project of new clusters and volumes that set no project_id, and of lookups "
        "(default: the API key's own project)",
    ),
)

_lock = threading.Lock()
_stack_config: dict[str, str] = {}
_clients: dict[tuple[str, str], TogetherClient] = {}
_catalogs: dict[tuple[str, str], dict[str, Region]] = {}
_preflights: dict[tuple[str, str, str | None], str | None] = {}
_identities: dict[tuple[str, str], Identity] = {}
#: None: the key may not list its projects (nothing to check against).
_projects: dict[tuple[str, str], list[Project] | None] = {}
_clock: list[Clock] = [SYSTEM_CLOCK]
#: Lists of clusters and volumes shared by every resource of the process (see .shared_reads).
_listings: dict[tuple[str, str, str, str | None], SharedListing[Any]] = {}
#: What this process changed, and when (the waits' bound on how old a list may be).
_changes: list[Changes] = []


@dataclass(frozen=True)
class Credentials:
    """Where to reach the API. ``repr`` hides the key."""

    api_key: str
    base_url: str

    def __repr__(self) -> str:
        return f"Credentials(api_key=<hidden>, base_url={self.base_url!r})"

    @property
    def cache_key(self) -> tuple[str, str]:
        return self.base_url, hashlib.sha256(self.api_key.encode()).hexdigest()


def resolve_credentials(config: Mapping[str, Any]) -> Credentials | None:
    """Stack config first, then the environment; None without a key. The one place that decides."""
    key = config.get(API_KEY_CONFIG) or os.environ.get(API_KEY_ENV)
    base_url = config.get(BASE_URL_CONFIG) or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    return Credentials(str(key), str(base_url)) if key else None


def resolve_project(config: Mapping[str, Any]) -> str | None:
    """The default project: stack config first, then the environment; None for the key's own."""
    value = config.get(PROJECT_ID_CONFIG) or os.environ.get(PROJECT_ID_ENV)
    return str(value) if value else None


def configure_from_stack(config: Mapping[str, Any]) -> None:
    """Remember the stack's Together settings (called from every provider's ``configure``).

    In the provider process it also starts listening for Ctrl-C and for the engine's exit.
    """
    interrupts.watch()
    host_threads.widen()
    with _lock:
        _stack_config.clear()
        _stack_config.update({key: str(config[key]) for key, _, _ in CONFIG_KEYS if config.get(key)})


def credentials() -> Credentials | None:
    """This process's credentials (see :func:`resolve_credentials`)."""
    with _lock:
        config = dict(_stack_config)
    return resolve_credentials(config)


def default_project() -> str | None:
    """This process's default project (see :func:`resolve_project`)."""
    with _lock:
        config = dict(_stack_config)
    return resolve_project(config)


def _no_key_error() -> errors.ConfigurationError:
    return errors.ConfigurationError(
        f"no Together API key: set the stack config {API_KEY_CONFIG} (pulumi config set --secret "
        f"{API_KEY_CONFIG} ...) or the {API_KEY_ENV} environment variable"
    )


def client() -> TogetherClient:
    """The shared client for the current credentials (raises ConfigurationError without a key)."""
    from ..api.client import TogetherClient

    creds = credentials()
    if creds is None:
        raise _no_key_error()
    with _lock:
        found = _clients.get(creds.cache_key)
        if found is None:
            found = _clients[creds.cache_key] = TogetherClient(creds.api_key, creds.base_url, clock=clock())
        return found


def clusters_listing(project_id: str | None, *, for_polls: bool = False) -> SharedListing[Cluster]:
    """The clusters of ``project_id`` (or of the key's default project), listed once for all callers.

    Waits poll a list of their own (``for_polls``): their reads are spaced one poll period apart, and
    a look-up just before a create must not push the first poll of the wait after it a period away.
    """
    return _listing("clusters", project_id, for_polls, lambda api: api.list_clusters(project_id))


def volumes_listing(project_id: str | None, *, for_polls: bool = False) -> SharedListing[Volume]:
    """The volumes of ``project_id`` (or of the key's default project), as :func:`clusters_listing`."""
    return _listing("volumes", project_id, for_polls, lambda api: api.list_volumes(project_id))


def _listing(
    kind: str, project_id: str | None, for_polls: bool, fetch: Callable[[TogetherClient], list[Any]]
) -> SharedListing[Any]:
    api = client()
    creds = credentials()
    assert creds is not None  # client() raised otherwise
    key = (*creds.cache_key, f"{kind} polls" if for_polls else kind, project_id)
    with _lock:
        found = _listings.get(key)
        if found is None:
            found = _listings[key] = SharedListing(lambda: fetch(api), clock())
        return found


def changes() -> Changes:
    """The objects this process changed: a create or update notes each here (see .shared_reads)."""
    with _lock:
        if not _changes:
            _changes.append(Changes(clock()))
        return _changes[0]


def catalog() -> dict[str, Region] | None:
    """Regions by name, fetched once per process; None when there are no credentials."""
    creds = credentials()
    if creds is None:
        return None
    with _lock:
        cached = _catalogs.get(creds.cache_key)
    if cached is not None:
        return cached
    regions = {region.name: region for region in client().list_regions()}
    with _lock:
        _catalogs[creds.cache_key] = regions
    return regions


def preflight() -> str | None:
    """Why ``pulumi up`` could not work with these settings, or None when it can.

    Run by ``check``, so ``pulumi preview`` fails at once, in one line naming the setting, instead of
    passing and letting ``up`` retry for minutes: no key, a malformed URL, a key the identity call
    (``GET /v3/whoami``) refuses, an unreachable host, a URL that does not serve the API, a default
    project the key cannot use. A service that answers but is failing (5xx) is not a settings problem
    and does not fail the preview. Asked once per process and settings; the identity, the region
    catalog and the projects it reads are kept for the rest of the process.
    """
    from ..api.client import RetryPolicy, TogetherClient, normalize_base_url

    creds = credentials()
    if creds is None:
        return str(_no_key_error())
    project = default_project()
    cache_key = (*creds.cache_key, project)
    with _lock:
        if cache_key in _preflights:
            return _preflights[cache_key]
    where = f"{BASE_URL_CONFIG} / {BASE_URL_ENV}"
    problem: str | None = None
    try:
        normalize_base_url(creds.base_url)
    except errors.ConfigurationError as exc:
        problem = f"{where}: {exc}"
    if problem is None:
        quick = RetryPolicy(deadline_seconds=8, max_attempts=2, request_timeout_seconds=5, connect_timeout_seconds=3)
        with TogetherClient(creds.api_key, creds.base_url, retry=quick, clock=clock()) as probe:
            problem = _probe(probe, creds, where)
            if problem is None and project is not None:
                problem = _default_project_problem(probe, creds, project)
    with _lock:
        _preflights[cache_key] = problem
    return problem


def _probe(probe: TogetherClient, creds: Credentials, where: str) -> str | None:
    """Who the key is (the identity call), then the region catalog (that the URL serves the API)."""
    refused = (
        f"the API at {creds.base_url} refused the key from {API_KEY_CONFIG} / {API_KEY_ENV} "
        "({status}: {message}); set a valid key"
    )
    try:
        found = probe.whoami()
        with _lock:
            _identities[creds.cache_key] = found
    except (errors.AuthenticationError, errors.PermissionDeniedError) as exc:
        return refused.format(status=exc.status_code, message=exc.server_message)
    except errors.TransportError as exc:
        return f"cannot reach the Together API at {creds.base_url} ({where}): {exc.message}"
    except errors.TogetherError:
        pass  # no identity service there (404) or trouble: the regions list decides
    try:
        regions = {region.name: region for region in probe.list_regions()}
        with _lock:
            _catalogs.setdefault(creds.cache_key, regions)
    except (errors.AuthenticationError, errors.PermissionDeniedError) as exc:
        return refused.format(status=exc.status_code, message=exc.server_message)
    except errors.TransportError as exc:
        return f"cannot reach the Together API at {creds.base_url} ({where}): {exc.message}"
    except errors.NotFoundError:
        return f"{creds.base_url} ({where}) does not serve the Together API (404 for the regions list)"
    except errors.TogetherError:
        return None  # it answered: the settings are right, the service is having trouble
    return None


def _default_project_problem(probe: TogetherClient, creds: Credentials, project: str) -> str | None:
    listed = _list_projects(probe, creds)
    if listed is None or any(p.id == project for p in listed):
        return None
    return (
        f"{PROJECT_ID_CONFIG} / {PROJECT_ID_ENV}: {project!r} is not a project this API key can use; its "
        f"projects: {describe_projects(listed)}"
    )


def describe_projects(listed: Sequence[Project]) -> str:
    """``proj-a (Team A), proj-b`` for a message."""
    return ", ".join(f"{p.id} ({p.name})" if p.name and p.name != p.id else p.id for p in listed) or "none"


def _list_projects(api: TogetherClient, creds: Credentials) -> list[Project] | None:
    with _lock:
        if creds.cache_key in _projects:
            return _projects[creds.cache_key]
    try:
        listed: list[Project] | None = api.list_projects()
    except (errors.PermissionDeniedError, errors.NotFoundError):
        listed = None  # this key may not list projects: nothing to check against
    except errors.TogetherError:
        return None  # trouble now: skip the check (the service still decides at create), ask again later
    with _lock:
        _projects[creds.cache_key] = listed
    return listed


def projects() -> list[Project] | None:
    """The projects the API key can use, listed once per process; None without credentials or when
    the key may not list them."""
    creds = credentials()
    if creds is None:
        return None
    return _list_projects(client(), creds)


def identity() -> Identity | None:
    """Who the API key is, as the preflight's identity call found (None before it, or without one)."""
    creds = credentials()
    if creds is None:
        return None
    with _lock:
        return _identities.get(creds.cache_key)


def clock() -> Clock:
    """The clock every wait of this process reads (the system clock unless a test set another)."""
    return _clock[0]


def use_clock(new: Clock) -> Callable[[], None]:
    """Install a clock (tests drive waits with the emulator's virtual time); returns the undo."""
    old = _clock[0]
    _clock[0] = new
    _forget_clients()

    def undo() -> None:
        _clock[0] = old
        _forget_clients()

    return undo


def _forget_clients() -> None:
    with _lock:
        for found in _clients.values():
            found.close()
        _clients.clear()
        _listings.clear()  # they hold a client and a clock
        _changes.clear()  # (it holds a clock)


def forget() -> None:
    """Drop cached clients, catalogs, identities, projects and preflight answers (tests that change the
    emulator)."""
    _forget_clients()
    with _lock:
        _catalogs.clear()
        _listings.clear()
        _preflights.clear()
        _identities.clear()
        _projects.clear()
