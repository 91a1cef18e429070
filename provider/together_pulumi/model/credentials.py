"""The stack config keys, and where the API key, the API host and the default project come from.

Read in both processes: the provider host resolves them from the stack config that ``configure()``
hands it (``host/session.py``), a program's functions from the program's own stack config. One
place decides (:func:`resolve_credentials`, :func:`resolve_project`): the stack config first, then
the environment.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..api.settings import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, PROJECT_ID_ENV

if TYPE_CHECKING:
    from ..api.models import Project

__all__ = [
    "API_KEY_CONFIG",
    "BASE_URL_CONFIG",
    "CONFIG_KEYS",
    "PROJECT_ID_CONFIG",
    "PROJECT_ID_ENV",
    "Credentials",
    "describe_projects",
    "no_key_message",
    "resolve_credentials",
    "resolve_project",
]

API_KEY_CONFIG = "together:apiKey"
BASE_URL_CONFIG = "together:baseUrl"
PROJECT_ID_CONFIG = "together:projectId"
#: Every stack config key of the provider, with its environment variable and what it is.
CONFIG_KEYS: tuple[tuple[str, str, str], ...] = (
    (API_KEY_CONFIG, API_KEY_ENV, "the API key"),
    (BASE_URL_CONFIG, BASE_URL_ENV, f"the API host (default {DEFAULT_BASE_URL})"),
    (
        PROJECT_ID_CONFIG,
        PROJECT_ID_ENV,
        "the project of new clusters and volumes that set no project_id, and of lookups "
        "(default: the API key's own project)",
    ),
)


@dataclass(frozen=True)
class Credentials:
    """Where to reach the API. ``repr`` hides the key."""

    api_key: str
    base_url: str

    def __repr__(self) -> str:
        return f"Credentials(api_key=<hidden>, base_url={self.base_url!r})"

    @property
    def cache_key(self) -> tuple[str, str]:
        """The host and a hash of the key: what a session is kept by (never the key itself)."""
        return self.base_url, hashlib.sha256(self.api_key.encode()).hexdigest()


def resolve_credentials(config: Mapping[str, Any]) -> Credentials | None:
    """Stack config first, then the environment; None without a key. The one place that decides."""
    key = config.get(API_KEY_CONFIG) or os.environ.get(API_KEY_ENV)
    base_url = config.get(BASE_URL_CONFIG) or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    return Credentials(str(key), str(base_url)) if key else None


def resolve_project(config: Mapping[str, Any]) -> str | None:
    """The default project: stack config first, then the environment; None for the key's own."""
    value = config.get(PROJECT_ID_CONFIG) or os.environ.get(PROJECT_ID_ENV)
    return str(value) if value else None


def no_key_message() -> str:
    """What to set when there is no API key."""
    return (
        f"no Together API key: set the stack config {API_KEY_CONFIG} (pulumi config set --secret "
        f"{API_KEY_CONFIG} ...) or the {API_KEY_ENV} environment variable"
    )


def describe_projects(listed: Sequence[Project]) -> str:
    """``proj-a (Team A), proj-b`` for a message."""
    return ", ".join(f"{p.id} ({p.name})" if p.name and p.name != p.id else p.id for p in listed) or "none"
