"""The ``pulumi`` CLI in a program directory, run the way a user runs it, for the end-to-end tests.

A :class:`ProgramStack` is one stack of one program directory (a ``Pulumi.yaml`` with ``runtime:
python`` and a ``__main__.py``). Every method runs a plain ``pulumi`` command in that directory: the
engine starts the Python language host, which runs ``__main__.py``; the dynamic-provider plugin runs
the provider. The environment is a user's: the engine's bin directory and this virtualenv's ``bin``
first on ``PATH`` (as after ``source .venv/bin/activate``), a local file backend and ``PULUMI_HOME``
under the test's own directory, and a passphrase for the local secrets provider.

Results come from what the CLI prints: ``pulumi preview --json``, ``pulumi stack export``,
``pulumi stack output --json``, and the plain text of ``preview --diff``, ``up`` and ``refresh``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PASSPHRASE = "together-pulumi-e2e"  # protects only throw-away local state
VENV_BIN = Path(sys.executable).parent

__all__ = [
    "CommandFailed",
    "CommandResult",
    "Preview",
    "ProgramStack",
    "Shell",
    "command_lines",
    "copy_program",
    "stack_for",
    "user_env",
    "write_program",
]


@dataclass(frozen=True)
class CommandResult:
    """One finished ``pulumi`` command."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class CommandFailed(AssertionError):
    """A ``pulumi`` command exited non-zero; ``result`` holds what it printed."""

    def __init__(self, result: CommandResult) -> None:
        super().__init__(
            f"`pulumi {' '.join(result.args)}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
        self.result = result


@dataclass(frozen=True)
class Step:
    """One step of ``pulumi preview --json``."""

    op: str
    urn: str
    type: str
    name: str
    old: dict[str, Any]
    new: dict[str, Any]
    diff_reasons: tuple[str, ...]
    replace_reasons: tuple[str, ...]
    detailed_diff: dict[str, Any]


@dataclass(frozen=True)
class Preview:
    """What ``pulumi preview --json`` reported."""

    steps: tuple[Step, ...]
    change_summary: dict[str, int]
    diagnostics: tuple[dict[str, Any], ...]
    raw: dict[str, Any] = field(repr=False)

    def ops(self, type_: str) -> list[str]:
        """The ops of every step of one resource type, in order."""
        return [s.op for s in self.steps if s.type == type_]

    def ops_by_type(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for s in self.steps:
            found.setdefault(s.type, []).append(s.op)
        return found

    def changes(self) -> dict[str, list[str]]:
        """Every step that is not ``same``, by resource type."""
        return {t: ops for t, ops in self.ops_by_type().items() if set(ops) != {"same"}}

    @staticmethod
    def parse(text: str) -> Preview:
        raw = json.loads(text)
        steps = []
        for s in raw.get("steps") or []:
            urn = s["urn"]
            new, old = s.get("newState") or {}, s.get("oldState") or {}
            steps.append(
                Step(
                    op=s["op"],
                    urn=urn,
                    type=str(new.get("type") or old.get("type") or urn.split("::")[2].split("$")[-1]),
                    name=urn.rsplit("::", 1)[-1],
                    old=old,
                    new=new,
                    diff_reasons=tuple(s.get("diffReasons") or ()),
                    replace_reasons=tuple(s.get("replaceReasons") or ()),
                    detailed_diff=s.get("detailedDiff") or {},
                )
            )
        return Preview(
            steps=tuple(steps),
            change_summary=dict(raw.get("changeSummary") or {}),
            diagnostics=tuple(raw.get("diagnostics") or ()),
            raw=raw,
        )

    def messages(self) -> str:
        """Every diagnostic message, one after the other."""
        return "\n".join(str(d.get("message", "")) for d in self.diagnostics)


def user_env(
    engine_bin: Path, home: Path, extra: Mapping[str, str] | None = None, *, backend: bool = True
) -> dict[str, str]:
    """The environment of a user with this project's virtualenv active and ``HOME`` at ``home``.

    With ``backend`` the stack state goes to a local file backend in ``home`` and the passphrase is
    set; without, the commands themselves must say (``pulumi login --local``, ``export
    PULUMI_CONFIG_PASSPHRASE=...``), as a README's do. Together and Pulumi settings inherited from the
    test runner's environment are dropped: each test says which ones it means.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOGETHER_", "PULUMI_"))}
    env.update(
        {
            "PATH": os.pathsep.join([str(engine_bin), str(VENV_BIN), env.get("PATH", "")]),
            "VIRTUAL_ENV": str(VENV_BIN.parent),
            "HOME": str(home),
            "PULUMI_HOME": str(home / ".pulumi"),
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            **(extra or {}),
        }
    )
    home.mkdir(parents=True, exist_ok=True)
    if backend:
        # metadata=skip: no ".attrs" sidecar beside each state file, the one file the backend writes in
        # place, so that a kill -9 cannot leave the stack unreadable (see tests/e2e/test_state_backend.py).
        env["PULUMI_BACKEND_URL"] = f"file://{home / 'backend'}?metadata=skip"
        env["PULUMI_CONFIG_PASSPHRASE"] = PASSPHRASE
        (home / "backend").mkdir(exist_ok=True)
    return env


def write_program(directory: Path, source: str, project: str = "together-e2e") -> Path:
    """A program directory (``Pulumi.yaml`` + ``__main__.py``) under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n")
    (directory / "__main__.py").write_text(textwrap.dedent(source))
    return directory


def copy_program(source: Path, directory: Path) -> Path:
    """A copy of a shipped program directory, so that its stack files stay out of the repository."""
    shutil.copytree(source, directory, ignore=shutil.ignore_patterns("Pulumi.*.yaml", "__pycache__"))
    return directory


class ProgramStack:
    """One stack of one program directory, driven with plain ``pulumi`` commands."""

    def __init__(self, program_dir: Path, stack: str, env: Mapping[str, str]) -> None:
        self.program_dir = program_dir
        self.stack = stack
        self.env = dict(env)

    # --- running commands ------------------------------------------------------------------------

    def pulumi(self, *args: str, check: bool = True, timeout: float = 600, stdin: str | None = None) -> CommandResult:
        """``pulumi ARGS`` in the program directory; raises :class:`CommandFailed` when ``check``."""
        process = subprocess.Popen(
            ["pulumi", *args],
            cwd=self.program_dir,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        with self.killed_if_abandoned(process):
            stdout, stderr = process.communicate(stdin, timeout=timeout)
        result = CommandResult(tuple(args), process.returncode, stdout, stderr)
        if check and result.returncode != 0:
            raise CommandFailed(result)
        return result

    def start(self, *args: str) -> subprocess.Popen[str]:
        """``pulumi ARGS`` in the background, in its own process group (so a test can kill it all)."""
        return subprocess.Popen(
            ["pulumi", *args],
            cwd=self.program_dir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    @classmethod
    @contextlib.contextmanager
    def killed_if_abandoned(cls, process: subprocess.Popen[str]) -> Iterator[None]:
        """Kill ``process`` and what it started if the block ends while it still runs (a timeout, a
        failed assertion, the test's own time limit), so that nothing outlives the test."""
        try:
            yield
        finally:
            if process.poll() is None:
                cls.kill(process)

    @staticmethod
    def kill(process: subprocess.Popen[str]) -> None:
        """kill -9 the CLI and everything it started, as a cancelled CI job or a closed laptop would.

        The engine starts the language host and the plugins in process groups of their own, so killing
        the CLI's group would leave them running (orphans that outlive the test). The tree is frozen
        first (a stopped process starts nothing new), then killed.
        """
        frozen: set[int] = set()
        while found := {process.pid, *_descendants(process.pid)} - frozen:
            for pid in found:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
            frozen |= found
        for pid in frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=30)

    # --- the commands a user types ---------------------------------------------------------------

    def init(self, config: Mapping[str, str] | None = None, secrets: Mapping[str, str] | None = None) -> None:
        """``pulumi stack init`` and ``pulumi config set`` (``--secret`` for ``secrets``)."""
        self.pulumi("stack", "init", self.stack)
        for key, value in (config or {}).items():
            self.set_config(key, value)
        for key, value in (secrets or {}).items():
            self.set_config(key, value, secret=True)

    def set_config(self, key: str, value: str, *, secret: bool = False) -> None:
        # The value goes on standard input, as `pulumi config set --secret KEY` reads it when piped.
        self.pulumi("config", "set", *(["--secret"] if secret else []), key, stdin=value)

    def remove_config(self, key: str) -> None:
        self.pulumi("config", "rm", key)

    def preview(self, *args: str, check: bool = True) -> Preview:
        """``pulumi preview --json``; with ``check=False`` a failed preview is returned, not raised."""
        result = self.pulumi("preview", "--json", *args, check=False)
        try:
            preview = Preview.parse(result.stdout)
        except json.JSONDecodeError:
            raise CommandFailed(result) from None
        if check and result.returncode != 0:
            raise CommandFailed(result)
        return preview

    def preview_diff(self, *args: str, check: bool = True) -> CommandResult:
        """``pulumi preview --diff``: the text a reviewer reads."""
        return self.pulumi("preview", "--diff", *args, check=check)

    def up(self, *args: str, check: bool = True) -> CommandResult:
        """``pulumi up --yes``: previews first, as it does for every user."""
        return self.pulumi("up", "--yes", *args, check=check)

    def refresh(self, *args: str, check: bool = True) -> CommandResult:
        return self.pulumi("refresh", "--yes", *args, check=check)

    def destroy(self, *args: str, check: bool = True) -> CommandResult:
        return self.pulumi("destroy", "--yes", *args, check=check)

    def remove(self) -> None:
        self.pulumi("stack", "rm", "--yes", self.stack)

    def expect_no_changes(self) -> None:
        """``pulumi preview --expect-no-changes``, with the diff in the failure message."""
        result = self.pulumi("preview", "--expect-no-changes", "--diff", check=False)
        if result.returncode != 0:
            raise CommandFailed(result)

    # --- reading the stack -----------------------------------------------------------------------

    def export(self, *, show_secrets: bool = True) -> dict[str, Any]:
        """``pulumi stack export`` (secrets decrypted unless ``show_secrets=False``)."""
        args = ["stack", "export", *(["--show-secrets"] if show_secrets else [])]
        exported: dict[str, Any] = json.loads(self.pulumi(*args).stdout)
        return exported

    def resources(self, type_: str) -> list[dict[str, Any]]:
        """Resources of one type in the stack state."""
        deployment = self.export().get("deployment") or {}
        return [r for r in deployment.get("resources") or [] if r.get("type") == type_]

    def only_resource(self, type_: str) -> dict[str, Any]:
        found = self.resources(type_)
        assert len(found) == 1, f"expected one {type_} in state, found {len(found)}"
        return found[0]

    def outputs(self) -> dict[str, Any]:
        """``pulumi stack output --json --show-secrets``."""
        values: dict[str, Any] = json.loads(self.pulumi("stack", "output", "--json", "--show-secrets").stdout)
        return values

    def secret_outputs(self) -> set[str]:
        """Names of the stack outputs that ``pulumi stack output`` hides as secrets."""
        shown: dict[str, Any] = json.loads(self.pulumi("stack", "output", "--json").stdout)
        return {name for name, value in shown.items() if value == "[secret]"}


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux: read from ``/proc``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The parent is the 2nd field after the command, which is in parentheses and may hold spaces.
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def stack_for(
    program_dir: Path, home: Path, engine_bin: Path, *, stack: str = "e2e", env: Mapping[str, str] | None = None
) -> ProgramStack:
    """A :class:`ProgramStack` with a user's environment rooted at ``home``."""
    return ProgramStack(program_dir, stack, user_env(engine_bin, home, env))


class Shell:
    """An interactive bash that a test types command lines into, one at a time, as a user would.

    ``cd`` and ``export`` carry over from line to line; between two lines the test can look at
    anything. Each line's standard input is ``/dev/null`` (nothing is typed at a prompt).
    """

    def __init__(self, cwd: Path, env: Mapping[str, str]) -> None:
        self._process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.cwd = cwd

    def _pump(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def run(self, line: str, *, timeout: float = 600) -> CommandResult:
        """Type ``line``; return what it printed and its exit status."""
        marker = f"__e2e_done_{uuid.uuid4().hex}__"
        assert self._process.stdin is not None
        self._process.stdin.write(f'{line} </dev/null\necho {marker} $? "$PWD"\n')
        self._process.stdin.flush()
        output: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                got = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"`{line}` ran past {timeout:.0f}s:\n{''.join(output)}") from None
            if got is None:
                raise RuntimeError(f"the shell ended during `{line}`:\n{''.join(output)}")
            if got.startswith(marker):
                _, status, cwd = got.rstrip("\n").split(" ", 2)
                self.cwd = Path(cwd)
                return CommandResult((line,), int(status), "".join(output), "")
            output.append(got)

    def close(self) -> None:
        """End the shell and anything still running in it (with what that started)."""
        ProgramStack.kill(self._process)


def command_lines(block: str) -> list[str]:
    """The commands of a README's shell block: one per line, comments and blank lines dropped."""
    lines = []
    for raw in block.splitlines():
        line = re.sub(r"\s+#.*$", "", raw).strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines
