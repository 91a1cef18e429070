"""Validation of the projects list query and of the admin API's project list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import Project, check_projects
from ..errors import ApiError
from .checker import Checker, require_object

__all__ = ["DEFAULT_PROJECTS_PAGE", "MAX_PROJECTS_PAGE", "ProjectPage", "parse_project_page", "parse_projects"]

#: ``GET /v1/projects``: the page size without ``limit``, and the largest one allowed.
DEFAULT_PROJECTS_PAGE = 20
MAX_PROJECTS_PAGE = 100


@dataclass
class ProjectPage:
    """``?after=<project id>&limit=N`` of ``GET /v1/projects``."""

    after: str | None
    limit: int


def parse_project_page(query: Mapping[str, str]) -> ProjectPage:
    """``limit`` between 1 and 100 (default 20); ``after`` is the last id of the previous page."""
    c = Checker(dict(query))
    limit = c.integer("limit")
    if limit is not None and not 1 <= limit <= MAX_PROJECTS_PAGE:
        c.fail("limit", f"limit must be between 1 and {MAX_PROJECTS_PAGE}; got {limit}")
    after = c.string("after")
    c.raise_if_failed()
    return ProjectPage(after, limit or DEFAULT_PROJECTS_PAGE)


def parse_projects(raw: Any) -> tuple[Project, ...]:
    """``{"projects": [{"id", "name", "slug"?}, ...]}``; the first is the key's own project."""
    c = Checker(require_object(raw))
    items = c.array("projects")
    if items is None:
        c.fail("projects", "projects is required: a list of {id, name, slug?}; the first is the key's project")
    projects: list[Project] = []
    for i, item in enumerate(items or []):
        key = f"projects[{i}]"
        if not isinstance(item, dict):
            c.fail(key, f"{key} must be an object with id and name")
            continue
        sub = c.child(key, item)
        project_id = sub.string("id", required=True)
        name = sub.string("name", required=True)
        slug = sub.string("slug")
        if project_id is None or name is None:
            continue
        try:
            projects.append(Project(project_id, name, slug or ""))
        except ValueError as exc:
            sub.fail("id", str(exc))
    c.raise_if_failed()
    try:
        check_projects(tuple(projects))
    except ValueError as exc:
        raise ApiError.field("projects", str(exc)) from None
    return tuple(projects)
