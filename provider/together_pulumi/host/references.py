"""The objects an input points at: projects (and the default one) and co-location clusters.

Checks asked of the API at ``pulumi preview``:

* Projects (``project_id``, ``shared_volume.project_id``, the default project): the API key must be
  able to use them. Checked against ``GET /v1/projects``, fetched once per process; when the key may
  not list projects the check is skipped (the create would still be refused, by the service).
* The cluster a volume is placed next to (``instance_cluster_id``): it must exist, in the volume's
  region. A placement hint matters only when the volume is created, and clusters come and go while
  volumes stay, so it is checked only when newly stated (a new resource, or a changed value); a
  hint left over from a cluster deleted since never fails a preview.

Values unknown during preview are never reported.

The default project (``together:projectId`` / ``TOGETHER_PROJECT_ID``) applies to objects being
created only (:func:`.new_objects.creates_object`): an object cannot move to another project in place, so a
changed default never replaces an existing cluster or volume; the preview says where it stays.
"""

from __future__ import annotations

from typing import Any

from ..api import errors
from ..model.credentials import PROJECT_ID_CONFIG, PROJECT_ID_ENV, describe_projects
from ..model.fields import Violation, contains_unknown
from . import session
from .waiting import progress

__all__ = ["co_location_violations", "default_project_note", "project_violations"]


def project_violations(path: str, project_id: Any) -> list[Violation]:
    """``project_id`` must be one of the projects the API key can use."""
    if not isinstance(project_id, str) or contains_unknown(project_id) or session.credentials() is None:
        return []
    projects = session.projects()
    if projects is None or any(p.id == project_id for p in projects):
        return []
    default = session.default_project()
    source = ""
    if default == project_id:
        source = f" (the default project, from {PROJECT_ID_CONFIG} / {PROJECT_ID_ENV})"
    return [
        Violation(
            path,
            f"{path} {project_id!r}{source} is not a project this API key can use; its projects: "
            f"{describe_projects(projects)}",
        )
    ]


def co_location_violations(path: str, cluster_id: Any, region: Any) -> list[Violation]:
    """The cluster a volume is placed next to must exist and be in the volume's region."""
    if not isinstance(cluster_id, str) or contains_unknown(cluster_id) or session.credentials() is None:
        return []
    try:
        cluster = session.client().find_cluster(cluster_id)
    except errors.TogetherError:
        return []  # the service decides at create
    if cluster is None:
        return [
            Violation(
                path,
                f"{path} {cluster_id} is not an existing cluster (or not visible to this API key); name an existing "
                "cluster of the volume's region (e.g. get_cluster(...).cluster_id), or leave it out",
            )
        ]
    if isinstance(region, str) and not contains_unknown(region) and cluster.region != region:
        return [
            Violation(
                path,
                f"{path} {cluster_id} ({cluster.cluster_name}) is in {cluster.region}, but the volume is in {region}; "
                "a volume can only be placed next to a cluster of its own region",
            )
        ]
    return []


def default_project_note(public_type: str, label: str, declared: Any, kept: Any) -> None:
    """Say so when an existing object the program gives no project_id stays in a project other than the
    (changed) default one."""
    default = session.default_project()
    if declared is None and default and isinstance(kept, str) and not contains_unknown(kept) and kept != default:
        progress(
            f"{public_type} {label}: stays in project {kept}; the default project ({PROJECT_ID_CONFIG} / "
            f"{PROJECT_ID_ENV}) is {default}, which applies to new objects only. Set project_id to move it "
            "(that replaces it)."
        )
