"""Identity (``GET /v3/whoami``) and projects (``GET /v1/projects``)."""

from __future__ import annotations

from ._base import Response

__all__ = ["Identity", "IdentityApiKey", "IdentityOrganization", "IdentityProject", "IdentityUser", "Project"]


class IdentityApiKey(Response):
    """The key that made the request (its id, never the key)."""

    id: str


class IdentityOrganization(Response):
    """The organization a key or user belongs to."""

    id: str
    name: str = ""


class IdentityProject(Response):
    """The project a key is bound to."""

    id: str
    name: str = ""
    slug: str = ""


class IdentityUser(Response):
    """The user behind a session token."""

    id: str


class Identity(Response):
    """``GET /v3/whoami``: who the credentials are.

    ``type`` says which fields are present: ``project_api_key`` (``api_key``, ``organization``,
    ``project``), ``org_api_key`` (``api_key``, ``organization``), or a user session token
    (``user_jwt``, ``user_org_jwt``, ``user_org_project_jwt``: ``user`` and as the name says).
    """

    type: str
    api_key: IdentityApiKey | None = None
    organization: IdentityOrganization | None = None
    project: IdentityProject | None = None
    user: IdentityUser | None = None


class Project(Response):
    """A project the credentials can use (``GET /v1/projects``); its id is what ``project_id`` takes."""

    id: str
    name: str = ""
    slug: str = ""
    organization_id: str = ""
    organization_name: str = ""
