"""The node remediation methods of :class:`~.client.TogetherClient` (mixed into it).

State-changing POSTs (create, approve, reject, cancel) are not blindly retried: after an
ambiguous failure (a timeout, a cut connection, a 5xx) the client first reads the remediation
and returns it if the request already took effect; only otherwise is the POST sent again.

A create is recovered like a cluster create (:mod:`.create_once`), without relying on
its ``remediation_id`` idempotency key: the together 3.1.1 SDK no longer has that parameter, so a
service may ignore it. The node's manual remediations of the same mode are listed before the POST;
after an ambiguous failure one that was not there before (or one with the key as its id) is the
one this call made. None found is sent again only when the service answered (it has finished with
the request); after a timeout or a cut connection it may still land, and a second POST would
reboot or replace the node twice, so the call fails with ``UncertainCreateError`` instead.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from . import _http, errors
from .create_once import create_once
from .models import (
    Remediation,
    RemediationApproveRequest,
    RemediationCreateRequest,
    RemediationListQuery,
    RemediationPage,
    RemediationRejectRequest,
    RemediationState,
    RemediationTrigger,
)

if TYPE_CHECKING:
    from .client import RetryPolicy
    from .clock import Clock

__all__ = ["ALL_INSTANCES", "RemediationMethods"]

#: The instance id that lists the remediations of every node of a cluster.
ALL_INSTANCES = "-"

log = logging.getLogger("together_pulumi.api")


def _collection(cluster_id: str, instance_id: str) -> str:
    return (
        f"/v1/compute/clusters/{_http.path_id('cluster_id', cluster_id)}"
        f"/instances/{_http.path_id('instance_id', instance_id)}/remediations"
    )


def _item(cluster_id: str, instance_id: str, remediation_id: str) -> str:
    return f"{_collection(cluster_id, instance_id)}/{_http.path_id('remediation_id', remediation_id)}"


class RemediationMethods:
    """Create, list, get, approve, reject and cancel node remediations."""

    if TYPE_CHECKING:  # provided by TogetherClient
        retry: RetryPolicy
        clock: Clock

        def _send(self, method: str, path: str, *, timeout: float, **kwargs: Any) -> httpx.Response: ...
        def _call(self, method: str, path: str, **kwargs: Any) -> Any: ...
        def _backoff(self, attempt: int, exc: BaseException | None) -> float: ...

    def create_remediation(
        self, cluster_id: str, instance_id: str, request: RemediationCreateRequest, *, remediation_id: str | None = None
    ) -> Remediation:
        """Remediate a node; it starts ``PENDING``.

        ``remediation_id`` (default: a new UUID) is sent as the idempotency key for a service that
        honours it (the remediation then gets it as its id); recovery does not depend on it.
        """
        key = remediation_id or str(uuid.uuid4())
        same_kind = RemediationListQuery(mode=[request.mode], trigger=[RemediationTrigger.MANUAL])

        def candidates() -> list[Remediation]:
            found = self.list_remediations(cluster_id, instance_id, same_kind)
            return [r for r in found if r.id == key] or found

        return create_once(
            self,
            _collection(cluster_id, instance_id),
            request.to_wire(),
            Remediation,
            find_by_name=candidates,
            object_id=lambda r: r.id,
            what=f"remediation ({request.mode}) of instance {instance_id}",
            params={"remediation_id": key},
        )

    def get_remediation(self, cluster_id: str, instance_id: str, remediation_id: str) -> Remediation:
        """One remediation; :class:`~errors.NotFoundError` when it does not exist for this instance."""
        path = _item(cluster_id, instance_id, remediation_id)
        return _http.parse(Remediation, self._call("GET", path), "GET", path)

    def find_remediation(self, cluster_id: str, instance_id: str, remediation_id: str) -> Remediation | None:
        """Like :meth:`get_remediation`, but ``None`` when it does not exist."""
        try:
            return self.get_remediation(cluster_id, instance_id, remediation_id)
        except errors.NotFoundError:
            return None

    def list_remediations_page(
        self,
        cluster_id: str,
        instance_id: str = ALL_INSTANCES,
        query: RemediationListQuery | None = None,
        *,
        page_token: str | None = None,
    ) -> RemediationPage:
        """One page; ``instance_id`` ``"-"`` (the default) lists every node of the cluster."""
        path = _collection(cluster_id, instance_id)
        params = (query or RemediationListQuery()).to_params(page_token)
        return _http.parse(RemediationPage, self._call("GET", path, params=params), "GET", path)

    def list_remediations(
        self, cluster_id: str, instance_id: str = ALL_INSTANCES, query: RemediationListQuery | None = None
    ) -> list[Remediation]:
        """Every page of :meth:`list_remediations_page`."""
        found: list[Remediation] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self.list_remediations_page(cluster_id, instance_id, query, page_token=token)
            found += page.remediations
            if not page.has_next or not page.next_page_token or page.next_page_token in seen:
                return found
            token = page.next_page_token
            seen.add(token)

    def approve_remediation(
        self, cluster_id: str, instance_id: str, remediation_id: str, request: RemediationApproveRequest | None = None
    ) -> Remediation:
        """``PENDING_APPROVAL`` → ``PENDING``; a ``mode`` in ``request`` overrides the proposed one."""
        return self._transition(
            cluster_id,
            instance_id,
            remediation_id,
            "approve",
            (request or RemediationApproveRequest()).to_wire(),
            done=lambda r: r.state not in (RemediationState.PENDING_APPROVAL, RemediationState.CANCELLED),
        )

    def reject_remediation(
        self, cluster_id: str, instance_id: str, remediation_id: str, request: RemediationRejectRequest | None = None
    ) -> Remediation:
        """``PENDING_APPROVAL`` → ``CANCELLED``."""
        return self._transition(
            cluster_id,
            instance_id,
            remediation_id,
            "reject",
            (request or RemediationRejectRequest()).to_wire(),
            done=lambda r: r.state == RemediationState.CANCELLED,
        )

    def cancel_remediation(self, cluster_id: str, instance_id: str, remediation_id: str) -> Remediation:
        """``PENDING_APPROVAL`` or ``PENDING`` → ``CANCELLED``."""
        return self._transition(
            cluster_id,
            instance_id,
            remediation_id,
            "cancel",
            None,
            done=lambda r: r.state == RemediationState.CANCELLED,
        )

    # --- state-changing POSTs ----------------------------------------------------------------------

    def _transition(
        self,
        cluster_id: str,
        instance_id: str,
        remediation_id: str,
        verb: str,
        body: dict[str, Any] | None,
        *,
        done: Callable[[Remediation], bool],
    ) -> Remediation:
        def settled() -> Remediation | None:
            current = self.find_remediation(cluster_id, instance_id, remediation_id)
            return current if current is not None and done(current) else None

        path = f"{_item(cluster_id, instance_id, remediation_id)}/{verb}"
        return self._post_settled(path, body, params=None, settled=settled, what=f"{verb} remediation {remediation_id}")

    def _post_settled(
        self,
        path: str,
        body: dict[str, Any] | None,
        *,
        params: dict[str, str] | None,
        settled: Callable[[], Remediation | None],
        what: str,
    ) -> Remediation:
        """POST; after an ambiguous failure return what ``settled`` finds before sending it again."""
        deadline = self.clock.monotonic() + self.retry.deadline_seconds
        last: errors.TogetherError | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            remaining = deadline - self.clock.monotonic()
            if remaining <= 0:
                break
            try:
                timeout = min(self.retry.request_timeout_seconds, remaining)
                response = self._send("POST", path, params=params, json=body, timeout=timeout)
                return _http.parse(Remediation, response.json(), "POST", path)
            except errors.TogetherError as exc:
                if not _http.is_retryable(exc):
                    raise
                last = exc
            if not _http.is_certainly_not_applied(last):
                log.warning("%s failed ambiguously (%s); reading it back before any retry", what, last)
                found = settled()
                if found is not None:
                    return found
            pause = self._backoff(attempt, last)
            if self.clock.monotonic() + pause >= deadline:
                break
            log.warning("%s failed (%s); retry in %.2fs", what, last, pause)
            self.clock.sleep(pause)
        assert last is not None
        raise last
