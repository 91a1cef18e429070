"""``list_projects``: the projects the API key can use (what ``project_id`` and ``together:projectId`` take).

A platform team wiring stacks per project reads the ids from here instead of copying them from the
console; the provider checks every ``project_id`` against the same list at ``pulumi preview``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ...model.fields import Field, ListOf, ObjectType
from .common import FunctionSpec, api_client, output_of

__all__ = ["FUNCTIONS", "PROJECT_INFO", "ProjectInfo", "list_projects", "list_projects_output"]

PROJECT_INFO = ObjectType(
    "ProjectInfo",
    "A project the API key can use.",
    (
        Field("id", str, "Project ID: what project_id takes.", required=True),
        Field("name", str, "Project name.", required=True),
        Field("slug", str, "URL-safe name."),
    ),
)


@dataclass(frozen=True)
class ProjectInfo:
    """A project the API key can use."""

    id: str
    name: str
    slug: str | None


def list_projects(*, api_key: str | None = None, base_url: str | None = None) -> list[ProjectInfo]:
    """Every project the API key can use (the key's own first, as the service lists them)."""
    with api_client("list_projects", api_key, base_url) as client:
        found = client.list_projects()
    return [ProjectInfo(p.id, p.name, p.slug or None) for p in found]


def list_projects_output(
    *, api_key: pulumi.Input[str] | None = None, base_url: pulumi.Input[str] | None = None
) -> pulumi.Output[list[ProjectInfo]]:
    """:func:`list_projects` as a ``pulumi.Output``."""
    return output_of(list_projects, api_key=api_key, base_url=base_url)


FUNCTIONS = (
    FunctionSpec(
        "listProjects",
        "The projects the API key can use. In Python: `together_pulumi.list_projects()` or `list_projects_output()`.",
        (),
        (Field("projects", ListOf(PROJECT_INFO), "The projects.", required=True),),
        list_projects,
    ),
)
