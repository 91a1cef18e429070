"""Synchronous HTTP client for Together's Instant Clusters API (``/v1/compute``).

One typed method per operation: clusters, volumes, regions, identity (``whoami``,
``list_projects``) and node remediations (:mod:`.remediations`). Reads, updates and deletes are
retried on 408, 429, 5xx and connection failures with jittered exponential backoff, honouring
``Retry-After-Ms`` and ``Retry-After`` and the server's ``x-should-retry``, within an overall
deadline. Creates are never sent again once they may have landed: see
:mod:`.create_once`. Every pause reads one injectable :class:`~.clock.Clock`.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import tenacity
from pydantic import BaseModel

from . import _http, errors
from .clock import SYSTEM_CLOCK, Clock
from .create_once import create_once
from .models import (
    Cluster,
    ClusterCreateRequest,
    ClusterUpdateRequest,
    Identity,
    Project,
    Region,
    Volume,
    VolumeCreateRequest,
    VolumeUpdateRequest,
)
from .remediations import RemediationMethods
from .settings import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL

__all__ = ["DEFAULT_BASE_URL", "RetryPolicy", "TogetherClient", "normalize_base_url"]

_CLUSTERS = "/v1/compute/clusters"
_VOLUMES = "/v1/compute/clusters/storage/volumes"
_REGIONS = "/v1/compute/regions"
_WHOAMI = "/v3/whoami"
_PROJECTS = "/v1/projects"
#: Projects asked for per page (the most ``GET /v1/projects`` accepts).

log = logging.getLogger("together_pulumi.api")
_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client tries before giving up.

    ``deadline_seconds`` bounds the whole call, retries and waits included; ``request_timeout_seconds``
    bounds each HTTP attempt.
    """

    deadline_seconds: float = 120.0
    max_attempts: int = 8
    initial_backoff_seconds: float = 0.5
    max_backoff_seconds: float = 20.0
    request_timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 10.0
    #: After a create whose request may still land (a timeout, a cut connection), how long to keep
    #: looking for what it created before failing with UncertainCreateError (it is never sent again).
    create_settle_seconds: float = 15.0


def normalize_base_url(url: str) -> str:
    """A host URL without a trailing slash or ``/v1`` (paths carry ``/v1``, as in the SDK)."""
    url = url.strip().rstrip("/")
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise errors.ConfigurationError(
            f"base URL {url!r} is not an http(s) URL; expected a host such as {DEFAULT_BASE_URL}"
        )
    return url


class TogetherClient(RemediationMethods):
    """Client of the Instant Clusters API.

    ``api_key`` defaults to ``TOGETHER_API_KEY``; ``base_url`` to ``TOGETHER_BASE_URL``, else
    ``https://api.together.ai`` (a trailing ``/v1`` is accepted). Connections are pooled for the
    life of the client. The key never appears in ``repr``, log lines or error messages.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        key = api_key or os.environ.get(API_KEY_ENV)
        if not key:
            raise errors.ConfigurationError(
                f"no Together API key: pass api_key or set the {API_KEY_ENV} environment variable"
            )
        self.base_url = normalize_base_url(base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
            timeout=httpx.Timeout(self.retry.request_timeout_seconds, connect=self.retry.connect_timeout_seconds),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"TogetherClient(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> TogetherClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- clusters --------------------------------------------------------------------------------

    def create_cluster(self, request: ClusterCreateRequest, *, known_before: Collection[str] | None = None) -> Cluster:
        """Create a cluster; after an ambiguous failure, adopt the one it created instead of a second.

        ``known_before``: the ids of the clusters of this name that exist before the create, when the
        caller knows them (otherwise they are listed first; see :mod:`.create_once`).
        """
        return create_once(
            self,
            _CLUSTERS,
            request.to_wire(),
            Cluster,
            find_by_name=lambda: [c for c in self.list_clusters() if c.cluster_name == request.cluster_name],
            object_id=lambda c: c.cluster_id,
            what=f"cluster {request.cluster_name!r}",
            known_before=known_before,
        )

    def get_cluster(self, cluster_id: str) -> Cluster:
        """Fetch one cluster; :class:`~errors.NotFoundError` when it does not exist."""
        return self._call_model(Cluster, "GET", f"{_CLUSTERS}/{_http.path_id('cluster_id', cluster_id)}")

    def find_cluster(self, cluster_id: str) -> Cluster | None:
        """Fetch one cluster, or ``None`` when it does not exist (other errors still raise)."""
        try:
            return self.get_cluster(cluster_id)
        except errors.NotFoundError:
            return None

    def list_clusters(self, project_id: str | None = None) -> list[Cluster]:
        """All clusters visible to the key (optionally of one project)."""
        params = {"projectId": project_id} if project_id else None
        body = self._call("GET", _CLUSTERS, params=params)
        return [_http.parse(Cluster, item, "GET", _CLUSTERS) for item in body.get("clusters") or []]

    def update_cluster(self, cluster_id: str, request: ClusterUpdateRequest) -> Cluster:
        """Change the mutable fields set in ``request`` (absolute values, so safe to retry)."""
        path = f"{_CLUSTERS}/{_http.path_id('cluster_id', cluster_id)}"
        return self._call_model(Cluster, "PUT", path, json=request.to_wire())

    def delete_cluster(self, cluster_id: str) -> None:
        """Ask for deletion; the cluster goes ``Deleting`` and then disappears."""
        self._call("DELETE", f"{_CLUSTERS}/{_http.path_id('cluster_id', cluster_id)}")

    # --- volumes ---------------------------------------------------------------------------------

    def create_volume(self, request: VolumeCreateRequest, *, known_before: Collection[str] | None = None) -> Volume:
        """Create a shared volume; after an ambiguous failure, adopt the one it created (``known_before``:
        as for :meth:`create_cluster`)."""
        return create_once(
            self,
            _VOLUMES,
            request.to_wire(),
            Volume,
            find_by_name=lambda: [v for v in self.list_volumes() if v.volume_name == request.volume_name],
            object_id=lambda v: v.volume_id,
            what=f"volume {request.volume_name!r}",
            known_before=known_before,
        )

    def get_volume(self, volume_id: str) -> Volume:
        """Fetch one volume; :class:`~errors.NotFoundError` when it does not exist."""
        return self._call_model(Volume, "GET", f"{_VOLUMES}/{_http.path_id('volume_id', volume_id)}")

    def find_volume(self, volume_id: str) -> Volume | None:
        """Fetch one volume, or ``None`` when it does not exist (other errors still raise)."""
        try:
            return self.get_volume(volume_id)
        except errors.NotFoundError:
            return None

    def list_volumes(self, project_id: str | None = None) -> list[Volume]:
        """All shared volumes visible to the key (optionally of one project)."""
        params = {"projectId": project_id} if project_id else None
        body = self._call("GET", _VOLUMES, params=params)
        return [_http.parse(Volume, item, "GET", _VOLUMES) for item in body.get("volumes") or []]

    def update_volume(self, request: VolumeUpdateRequest) -> Volume:
        """Resize a volume (the id travels in the body)."""
        return self._call_model(Volume, "PUT", _VOLUMES, json=request.to_wire())

    def delete_volume(self, volume_id: str) -> None:
        """Delete a volume; refused by the service while it is bound to a cluster."""
        self._call("DELETE", f"{_VOLUMES}/{_http.path_id('volume_id', volume_id)}")

    # --- regions ---------------------------------------------------------------------------------

    def list_regions(self) -> list[Region]:
        """Regions with their GPU types and driver catalogues."""
        body = self._call("GET", _REGIONS)
        return [_http.parse(Region, item, "GET", _REGIONS) for item in body.get("regions") or []]

    # --- identity --------------------------------------------------------------------------------

    def whoami(self) -> Identity:
        """Who the API key is; :class:`~errors.AuthenticationError` for an invalid key."""
        return self._call_model(Identity, "GET", _WHOAMI)

    def list_projects(self) -> list[Project]:
        """Every project the key can use, following ``next_cursor`` page by page.

        No ``limit`` is sent: no source documents its maximum, so pages are as long as the service
        makes them.
        """
        projects: list[Project] = []
        params: dict[str, str] = {}
        seen: set[str] = set()
        while True:
            body = self._call("GET", _PROJECTS, params=params)
            projects += [_http.parse(Project, item, "GET", _PROJECTS) for item in body.get("data") or []]
            cursor = body.get("next_cursor")
            if not cursor or cursor in seen:  # a repeated cursor would loop forever
                return projects
            seen.add(cursor)
            params = {"after": str(cursor)}

    # --- transport -------------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, timeout: float, **kwargs: Any) -> httpx.Response:
        """One attempt; every failure becomes a :mod:`errors` exception."""
        try:
            response = self._http.request(method, path, timeout=timeout, **kwargs)
        except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise errors.APITimeoutError(
                f"could not connect in time ({type(exc).__name__})", method=method, path=path, request_sent=False
            ) from None
        except httpx.TimeoutException as exc:
            raise errors.APITimeoutError(
                f"no response in time ({type(exc).__name__})", method=method, path=path
            ) from None
        except httpx.ConnectError as exc:
            raise errors.APIConnectionError(
                f"could not connect ({exc})", method=method, path=path, request_sent=False
            ) from None
        except httpx.TransportError as exc:
            raise errors.APIConnectionError(
                f"connection failed mid-request ({type(exc).__name__}: {exc})", method=method, path=path
            ) from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        if response.is_success:
            return response
        message, field = _http.error_message_and_field(response)
        cls = errors.error_class_for_status(response.status_code)
        raise cls(
            message,
            status_code=response.status_code,
            method=method,
            path=path,
            field=field,
            retry_after=_http.retry_after_seconds(response),
            should_retry=_http.should_retry_header(response),
        )

    def _backoff(self, attempt: int, exc: BaseException | None) -> float:
        """Seconds to wait before the next attempt: the server's ``Retry-After`` or jittered backoff."""
        if isinstance(exc, errors.APIStatusError) and exc.retry_after is not None:
            return exc.retry_after
        # "Full jitter" exponential backoff: uniform in [0, min(cap, initial * 2^(attempt-1))].
        ceiling = min(self.retry.max_backoff_seconds, self.retry.initial_backoff_seconds * 2 ** (attempt - 1))
        return random.uniform(0.0, ceiling)

    def _call_model(self, model: type[_M], method: str, path: str, **kwargs: Any) -> _M:
        """An idempotent request whose answer is one object."""
        return _http.parse(model, self._call(method, path, **kwargs), method, path)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """An idempotent request (GET, PUT, DELETE), retried within the policy's deadline."""
        deadline = self.clock.monotonic() + self.retry.deadline_seconds

        def attempt() -> httpx.Response:
            remaining = max(0.001, deadline - self.clock.monotonic())
            return self._send(method, path, timeout=min(self.retry.request_timeout_seconds, remaining), **kwargs)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self._backoff(state.attempt_number, exc)

        def past_deadline(state: tenacity.RetryCallState) -> bool:
            return self.clock.monotonic() + wait(state) >= deadline

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "%s %s failed (%s); retry %d in %.2fs", method, path, exc, state.attempt_number, state.upcoming_sleep
            )

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(_http.is_retryable),
            stop=lambda state: state.attempt_number >= self.retry.max_attempts or past_deadline(state),
            wait=wait,
            sleep=self.clock.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        response = retrying(attempt)
        return response.json() if response.content else {}
