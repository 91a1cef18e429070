"""A Pulumi backend seen through the Automation API: its stacks, their tags and state, and destroy.

Every call runs the ``pulumi`` CLI (first on ``PATH``) with ``PULUMI_BACKEND_URL`` set to the
backend, in a throw-away project directory: a workspace with no program, since listing, exporting
and destroying need none. The config a destroy runs with is the one stored in the state by the last
update (the dynamic provider's inputs), decrypted by the secrets provider that wrote it (for the
passphrase provider, ``PULUMI_CONFIG_PASSPHRASE`` or ``PULUMI_CONFIG_PASSPHRASE_FILE``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pulumi import automation as auto

__all__ = ["Backend", "BackendError", "StackRef", "redact"]

#: A backend listed before Pulumi 3.61 keeps stacks without projects; such names have no project part.
NO_PROJECT = ""


class BackendError(RuntimeError):
    """The backend could not be read (no CLI, a bad URL, refused credentials); the message says which."""


@dataclass(frozen=True)
class StackRef:
    """One stack of the backend."""

    project: str
    name: str
    last_update: dt.datetime | None
    resource_count: int | None

    @property
    def full_name(self) -> str:
        """``organization/project/stack``, what ``--stack`` takes whatever the current project."""
        return f"organization/{self.project}/{self.name}" if self.project else self.name

    @property
    def label(self) -> str:
        """``project/stack``, as reports show it."""
        return f"{self.project}/{self.name}" if self.project else self.name


def redact(text: str, url: str | None) -> str:
    """``text`` without the backend URL's password (Pulumi redacts by substring; so do we, but only the
    whole password, never a shorter word)."""
    from urllib.parse import urlsplit

    if not url:
        return text
    try:
        password = urlsplit(url).password
    except ValueError:
        return text
    return text.replace(password, "***") if password else text


def _postgres_workaround(url: str | None) -> dict[str, str]:
    """Pulumi 3.260's PostgreSQL backend deadlocks in ``pulumi stack ls --all`` once its listing workers
    (``PULUMI_DIY_BACKEND_PARALLEL``, default 10) need more connections than its pool has (twice
    GOMAXPROCS): each holds a cursor and asks for a second connection. One worker never does."""
    if url and url.startswith(("postgres://", "postgresql://")) and "PULUMI_DIY_BACKEND_PARALLEL" not in os.environ:
        return {"PULUMI_DIY_BACKEND_PARALLEL": "1"}
    return {}


def _ref(summary: auto.StackSummary) -> StackRef:
    parts = summary.name.split("/")
    project, name = (parts[1], parts[2]) if len(parts) == 3 else (NO_PROJECT, summary.name)
    last = summary.last_update.replace(tzinfo=dt.UTC) if summary.last_update else None
    return StackRef(project, name, last, summary.resource_count)


class Backend:
    """The stacks of one backend URL, through the Automation API."""

    def __init__(self, url: str | None, *, env: dict[str, str] | None = None) -> None:
        """``url`` None: the backend the CLI is logged in to (``pulumi login``)."""
        self.url = url
        self._env = {
            **({"PULUMI_BACKEND_URL": url} if url else {}),
            **_postgres_workaround(url),
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            # A destroy runs the dynamic providers with this interpreter (it has this package).
            "PULUMI_PYTHON_CMD": sys.executable,
            **(env or {}),
        }
        self._command: auto.PulumiCommand | None = None

    def _pulumi(self) -> auto.PulumiCommand:
        if self._command is None:
            if shutil.which("pulumi") is None:
                raise BackendError("the pulumi CLI is not on PATH: install Pulumi (or put its bin directory on PATH)")
            self._command = auto.PulumiCommand()
        return self._command

    @contextmanager
    def workspace(self, project: str | None = None) -> Iterator[auto.LocalWorkspace]:
        """A workspace in a temporary directory, of ``project`` (no program), removed afterwards."""
        directory = tempfile.mkdtemp(prefix="together-pulumi-ws-")
        try:
            settings = auto.ProjectSettings(name=project, runtime="python") if project else None
            yield auto.LocalWorkspace(
                work_dir=directory, pulumi_command=self._pulumi(), project_settings=settings, env_vars=self._env
            )
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def stacks(self, project: str | None = None) -> list[StackRef]:
        """Every stack of the backend (of one project with ``project``), sorted by project and name."""
        with self.workspace() as ws:
            found = [_ref(s) for s in self._call(lambda: ws.list_stacks(include_all=True))]
        if project is not None:
            found = [s for s in found if s.project == project]
        return sorted(found, key=lambda s: (s.project, s.name))

    def tags(self, ref: StackRef) -> dict[str, str]:
        with self.workspace(ref.project) as ws:
            return dict(self._call(lambda: ws.list_tags(ref.full_name)))

    def export(self, ref: StackRef) -> dict[str, Any]:
        """The ``deployment`` of ``pulumi stack export`` (secrets decrypted in memory only)."""
        with self.workspace(ref.project) as ws:
            exported = self._call(lambda: ws.export_stack(ref.full_name))
        return dict(exported.deployment or {})

    def destroy(self, ref: StackRef, on_event: Callable[[auto.EngineEvent], None]) -> auto.DestroyResult:
        """``pulumi destroy --exclude-protected`` of the stack: protected resources (and what they need) stay.

        Raises the Automation API's errors (``ConcurrentUpdateError`` when the stack is locked).
        """
        with self.workspace(ref.project) as ws:
            stack = auto.Stack.select(ref.full_name, ws)
            return stack.destroy(on_event=on_event, exclude_protected=True, color="never", suppress_progress=True)

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except auto.errors.CommandError as exc:
            raise BackendError(redact(_command_message(exc), self.url)) from None


def _command_message(exc: auto.errors.CommandError) -> str:
    text = str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("error:")]
    return "; ".join(lines) if lines else text.strip()[-500:]
