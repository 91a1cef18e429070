"""Who the caller is (``GET /v3/whoami``) and which projects it may use (``GET /v1/projects``).

The emulator's key is a *project API key*: ``whoami`` answers with ``type: project_api_key``,
the key's id (a hash, never the key), the organization and the key's own project (the first of
the configured projects). ``GET /v1/projects`` lists every configured project, cursor-paginated
the way the SDK's ``SyncCursorPagination`` reads it (``data`` + ``next_cursor``, next page with
``?after=<next_cursor>``).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from ..config import ORGANIZATION_ID, ORGANIZATION_NAME, Project
from ..errors import ApiError
from ..state.store import Service, reads, writes
from ..validation.projects import ProjectPage, parse_projects

__all__ = ["IdentityService", "api_key_id"]


def api_key_id(token: str) -> str:
    """A stable id of a key that does not reveal it."""
    return "key-" + hashlib.sha256(token.encode()).hexdigest()[:16]


def _project_wire(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "slug": project.slug,
        "organization_id": ORGANIZATION_ID,
        "organization_name": ORGANIZATION_NAME,
    }


class IdentityService(Service):
    """Identity, projects, and the admin API's project settings."""

    @reads
    def whoami(self, now: float, token: str) -> dict[str, Any]:
        """The SDK's ``WhoamiProjectAPIKey``."""
        project = self.state.key_project
        return {
            "type": "project_api_key",
            "api_key": {"id": api_key_id(token)},
            "organization": {"id": ORGANIZATION_ID, "name": ORGANIZATION_NAME},
            "project": {"id": project.id, "name": project.name, "slug": project.slug},
        }

    @reads
    def list_projects(self, now: float, page: ProjectPage) -> dict[str, Any]:
        """One page: ``{"data": [...], "next_cursor": id or null}``; 400 naming ``after`` if unknown."""
        projects = self.state.projects
        start = 0
        if page.after is not None:
            ids = [p.id for p in projects]
            if page.after not in ids:
                raise ApiError.field(
                    "after", f"after {page.after!r} is not a project id; use the next_cursor of the previous page"
                )
            start = ids.index(page.after) + 1
        chunk = projects[start : start + page.limit]
        more = start + page.limit < len(projects)
        return {"data": [_project_wire(p) for p in chunk], "next_cursor": chunk[-1].id if more else None}

    @reads
    def admin_projects(self, now: float) -> dict[str, Any]:
        """``{"projects": [...], "key_project_id": ...}`` for ``GET /_emulator/projects``."""
        return {"projects": [asdict(p) for p in self.state.projects], "key_project_id": self.state.key_project.id}

    @writes
    def set_projects(self, now: float, body: Any) -> dict[str, Any]:
        """Replace the key's projects (the first becomes its own). Existing objects keep their project."""
        self.state.projects = list(parse_projects(body))
        return {"projects": [asdict(p) for p in self.state.projects], "key_project_id": self.state.key_project.id}
