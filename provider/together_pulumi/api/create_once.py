"""Creates that never make a duplicate: the POST behind ``create_cluster``, ``create_volume`` and
``create_remediation``.

A create bills from the moment it lands, so it is sent again only when its failure proves it did
not land: no connection was made, or the service refused it (429). When the service itself
answered 500 or 503 it has finished with the request, so the name is looked up: an object that was
not there before the POST is ours and is returned, and only when none appeared is the POST sent
again. After a timeout, a cut connection, 408, 502 or 504 the request may still land later: the
name is looked up for ``create_settle_seconds``, and if nothing appears the create fails with
:class:`~.errors.UncertainCreateError` and is never sent again (the caller finds the object by its
name next time). The loop is written out rather than given to tenacity because the step between
attempts (look up, maybe adopt) is the point.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel

from . import _http, errors

if TYPE_CHECKING:
    import httpx

    from .client import RetryPolicy
    from .clock import Clock

__all__ = ["Sender", "create_once"]


class Sender(Protocol):
    """What a create needs of the client (``TogetherClient`` and its method mix-ins)."""

    retry: RetryPolicy
    clock: Clock

    def _send(self, method: str, path: str, *, timeout: float, **kwargs: Any) -> httpx.Response: ...
    def _backoff(self, attempt: int, exc: BaseException | None) -> float: ...


log = logging.getLogger("together_pulumi.api")
_M = TypeVar("_M", bound=BaseModel)


def create_once(
    client: Sender,
    path: str,
    body: dict[str, Any],
    model: type[_M],
    *,
    find_by_name: Callable[[], list[_M]],
    object_id: Callable[[_M], str],
    what: str,
    params: dict[str, str] | None = None,
    known_before: Collection[str] | None = None,
) -> _M:
    """POST ``body`` to ``path`` and return the object made, without ever making two (see above)."""
    retry, clock = client.retry, client.clock
    deadline = clock.monotonic() + retry.deadline_seconds
    # What carries the name before the POST (so what appears after it is ours), from the caller
    # when it already looked (a list per create would grow a fleet's calls with its size).
    existing = set(known_before) if known_before is not None else {object_id(obj) for obj in find_by_name()}
    last: errors.TogetherError | None = None
    for attempt in range(1, retry.max_attempts + 1):
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            break
        try:
            response = client._send(
                "POST", path, params=params, json=body, timeout=min(retry.request_timeout_seconds, remaining)
            )
            return _http.parse(model, response.json(), "POST", path)
        except errors.TogetherError as exc:
            if not _http.is_retryable(exc):
                raise
            last = exc
        if not _http.is_certainly_not_applied(last):
            found = _adopt_what_it_made(client, last, find_by_name, object_id, existing, what)
            if found is not None:
                return found
        pause = client._backoff(attempt, last)
        if clock.monotonic() + pause >= deadline:
            break
        log.warning("create %s failed (%s); retry in %.2fs", what, last, pause)
        clock.sleep(pause)
    assert last is not None
    if _http.is_certainly_not_applied(last):
        raise last
    raise errors.UncertainCreateError(what, last, may_land=False) from last


def _adopt_what_it_made(
    client: Sender,
    failure: errors.TogetherError,
    find_by_name: Callable[[], list[_M]],
    object_id: Callable[[_M], str],
    existing: set[str],
    what: str,
) -> _M | None:
    """After a failure that may have created the object: that object if it appeared; ``None`` when the
    service had finished with the request and made nothing (the POST may be sent again); otherwise
    :class:`~.errors.UncertainCreateError`, as the request may still land."""
    may_land = _http.may_still_land(failure)
    log.warning("create %s failed ambiguously (%s); looking it up before anything else", what, failure)
    try:
        found = _find_created(client, find_by_name, object_id, existing, settle=may_land)
    except errors.TogetherError as lookup:
        raise errors.UncertainCreateError(what, failure, lookup) from failure
    if found is not None:
        log.warning("create %s: found %s made by the failed request; adopting it", what, object_id(found))
        return found
    if may_land:
        raise errors.UncertainCreateError(what, failure) from failure
    return None


def _find_created(
    client: Sender,
    find_by_name: Callable[[], list[_M]],
    object_id: Callable[[_M], str],
    existing: set[str],
    *,
    settle: bool,
) -> _M | None:
    """An object with the name that was not there before the POST, waiting up to the settle time."""
    clock = client.clock
    settle_until = clock.monotonic() + (client.retry.create_settle_seconds if settle else 0.0)
    while True:
        created = [obj for obj in find_by_name() if object_id(obj) not in existing]
        if created:
            return created[0]
        if clock.monotonic() >= settle_until:
            return None
        clock.sleep(min(1.0, max(0.0, settle_until - clock.monotonic())))
