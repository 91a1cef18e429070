"""The preflight: whether ``pulumi up`` could work with these settings, asked by ``check``.

So ``pulumi preview`` fails at once, in one line naming the setting, instead of passing and letting
``up`` retry for minutes: no key, a malformed URL, a key the identity call (``GET /v3/whoami``)
refuses, an unreachable host, a URL that does not serve the API, a default project the key cannot
use. A service that answers but is failing (5xx) is not a settings problem and does not fail the
preview. Asked once per session and default project (:meth:`.session.Session.preflight`); the
identity, the region catalog and the projects it reads are kept in the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..api import errors
from ..api.settings import API_KEY_ENV, BASE_URL_ENV, PROJECT_ID_ENV
from ..model.credentials import API_KEY_CONFIG, BASE_URL_CONFIG, PROJECT_ID_CONFIG, describe_projects

if TYPE_CHECKING:
    from ..api.client import TogetherClient
    from .session import Session

__all__ = ["problem"]


def problem(session: Session, project: str | None) -> str | None:
    """Why ``pulumi up`` could not work with ``session`` and default ``project``, or None when it can."""
    from ..api.client import RetryPolicy, TogetherClient, normalize_base_url

    creds = session.credentials
    where = f"{BASE_URL_CONFIG} / {BASE_URL_ENV}"
    try:
        normalize_base_url(creds.base_url)
    except errors.ConfigurationError as exc:
        return f"{where}: {exc}"
    quick = RetryPolicy(deadline_seconds=8, max_attempts=2, request_timeout_seconds=5, connect_timeout_seconds=3)
    with TogetherClient(creds.api_key, creds.base_url, retry=quick, clock=session.clock) as probe:
        found = _probe(session, probe, where)
        if found is None and project is not None:
            found = _default_project_problem(session, probe, project)
    return found


def _probe(session: Session, probe: TogetherClient, where: str) -> str | None:
    """Who the key is (the identity call), then the region catalog (that the URL serves the API)."""
    base_url = session.credentials.base_url
    refused = (
        f"the API at {base_url} refused the key from {API_KEY_CONFIG} / {API_KEY_ENV} "
        "({status}: {message}); set a valid key"
    )
    try:
        session.remember_identity(probe.whoami())
    except (errors.AuthenticationError, errors.PermissionDeniedError) as exc:
        return refused.format(status=exc.status_code, message=exc.server_message)
    except errors.TransportError as exc:
        return f"cannot reach the Together API at {base_url} ({where}): {exc.message}"
    except errors.TogetherError:
        pass  # no identity service there (404) or trouble: the regions list decides
    try:
        session.remember_catalog({region.name: region for region in probe.list_regions()})
    except (errors.AuthenticationError, errors.PermissionDeniedError) as exc:
        return refused.format(status=exc.status_code, message=exc.server_message)
    except errors.TransportError as exc:
        return f"cannot reach the Together API at {base_url} ({where}): {exc.message}"
    except errors.NotFoundError:
        return f"{base_url} ({where}) does not serve the Together API (404 for the regions list)"
    except errors.TogetherError:
        return None  # it answered: the settings are right, the service is having trouble
    return None


def _default_project_problem(session: Session, probe: TogetherClient, project: str) -> str | None:
    listed = session.projects(probe)
    if listed is None or any(p.id == project for p in listed):
        return None
    return (
        f"{PROJECT_ID_CONFIG} / {PROJECT_ID_ENV}: {project!r} is not a project this API key can use; its "
        f"projects: {describe_projects(listed)}"
    )
