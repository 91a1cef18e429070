"""Settings of one emulator instance (what the CLI flags fill in)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .faults import FaultConfig

__all__ = [
    "DEFAULT_PROJECTS",
    "DEFAULT_PROJECT_ID",
    "ORGANIZATION_ID",
    "ORGANIZATION_NAME",
    "EmulatorConfig",
    "Project",
    "check_projects",
    "slug_of",
]

#: Project of objects created without ``project_id`` (the real service uses the key's project).
DEFAULT_PROJECT_ID = "proj-emulator"

#: The one organization every emulated project belongs to (also the clusters' ``ums_org_id``).
ORGANIZATION_ID = "org-emulator"
ORGANIZATION_NAME = "Emulator organization"

_PROJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")


def slug_of(name: str) -> str:
    """A URL-safe slug of a project name: ``"My Project"`` → ``my-project``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "project"


@dataclass(frozen=True)
class Project:
    """A project the emulator's API key can use (the SDK's ``Project``, minus the organization)."""

    id: str
    name: str
    slug: str = ""

    def __post_init__(self) -> None:
        if not _PROJECT_ID.fullmatch(self.id):
            raise ValueError(
                f"project id {self.id!r} must be 1 to 63 letters, digits, '-' or '_', starting with a letter or digit"
            )
        if not self.name.strip():
            raise ValueError(f"project {self.id} needs a non-empty name")
        if not self.slug:
            object.__setattr__(self, "slug", slug_of(self.name))


#: Without ``--project``: one project, which is the key's own.
DEFAULT_PROJECTS = (Project(DEFAULT_PROJECT_ID, "Emulator project", "emulator"),)


@dataclass(frozen=True)
class EmulatorConfig:
    """Timing, auth, persistence and fault settings. Durations are in virtual-clock seconds."""

    #: Only ``Authorization: Bearer <api_key>`` is accepted; ``None`` accepts any non-empty token.
    api_key: str | None = None
    #: Create → Ready. Phases are spread evenly over it; scaling takes a third of it.
    provisioning_seconds: float = 6.0
    #: DELETE → gone (404); the cluster shows ``Deleting`` meanwhile.
    deletion_seconds: float = 2.0
    #: Volume ``provisioning`` → ``available``.
    volume_provisioning_seconds: float = 2.0
    #: Volume DELETE → gone; the volume shows ``deleting`` meanwhile (0: at once).
    volume_deletion_seconds: float = 0.0
    #: A remediation's processing, ``PENDING`` → ``SUCCEEDED``/``FAILED``, steps spread evenly.
    remediation_seconds: float = 4.0
    #: Load on start, rewrite (atomically) after every mutation.
    state_file: Path | None = None
    #: Makes generated ids and injected faults reproducible.
    seed: int | None = None
    faults: FaultConfig = field(default_factory=FaultConfig)
    #: The projects the API key can use; the first is the key's own (``GET /v3/whoami``) and the
    #: project of objects created without ``project_id``.
    projects: tuple[Project, ...] = DEFAULT_PROJECTS

    def __post_init__(self) -> None:
        for name in (
            "provisioning_seconds",
            "deletion_seconds",
            "volume_provisioning_seconds",
            "volume_deletion_seconds",
            "remediation_seconds",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0; got {getattr(self, name)}")
        check_projects(self.projects)


def check_projects(projects: tuple[Project, ...]) -> None:
    """At least one project, ids unique; ``ValueError`` otherwise."""
    if not projects:
        raise ValueError("at least one project is needed: the API key's own project")
    ids = [p.id for p in projects]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"project ids must be unique; repeated: {', '.join(duplicates)}")
