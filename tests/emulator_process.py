"""Start a real ``together-emulator`` process for tests and talk to its admin API.

``start_emulator(...)`` is a context manager yielding an :class:`EmulatorProcess` with
``.base_url`` (``http://127.0.0.1:PORT``, no ``/v1``: the host the SDK and our client expect),
``.admin`` (an :class:`Admin` over ``/_emulator``) and ``.client()`` (an httpx client with a bearer
token). The session-wide instance lives in ``tests/conftest.py`` (fixtures ``emulator``/``emu``);
start an extra one here when a test needs other flags (``--api-key``, slow provisioning, a state
file).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from emulator_admin import DEFAULT_API_KEY, Admin
from together_pulumi.emulator.serving import parse_serving_line

__all__ = ["DEFAULT_API_KEY", "Admin", "EmulatorProcess", "start_emulator"]


@dataclass
class EmulatorProcess:
    """A running emulator. ``base_url`` is the host (paths carry ``/v1``), like TOGETHER_BASE_URL."""

    base_url: str
    process: subprocess.Popen[str]
    admin: Admin
    log_path: Path
    stdout_lines: list[str] = field(default_factory=list)

    def client(self, api_key: str = DEFAULT_API_KEY, **kwargs: Any) -> httpx.Client:
        """An httpx client for the ``/v1`` API with ``Authorization: Bearer <api_key>``."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=kwargs.pop("timeout", 10.0), **kwargs)

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL after ``timeout`` seconds; returns the exit code."""
        self.admin.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return self.process.returncode


def _pump(stream: Any, lines: queue.Queue[str | None], keep: list[str]) -> None:
    for line in stream:
        keep.append(line)
        lines.put(line)
    lines.put(None)


@contextmanager
def start_emulator(
    *extra_args: str,
    provisioning_seconds: float = 0,
    deletion_seconds: float = 0,
    volume_provisioning_seconds: float = 0,
    remediation_seconds: float = 0,
    seed: int | None = 1,
    api_key: str | None = None,
    state_file: Path | None = None,
    startup_timeout: float = 30.0,
    port: int = 0,
) -> Iterator[EmulatorProcess]:
    """Run ``python -m together_pulumi.emulator --port 0 ...`` until the block ends (``port``: a
    fixed one, to restart an emulator where its clients expect it)."""
    args = [
        sys.executable,
        "-m",
        "together_pulumi.emulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--provisioning-seconds",
        str(provisioning_seconds),
        "--deletion-seconds",
        str(deletion_seconds),
        "--volume-provisioning-seconds",
        str(volume_provisioning_seconds),
        "--remediation-seconds",
        str(remediation_seconds),
    ]
    if seed is not None:
        args += ["--seed", str(seed)]
    if api_key is not None:
        args += ["--api-key", api_key]
    if state_file is not None:
        args += ["--state-file", str(state_file)]
    args += list(extra_args)
    log_fd, log_name = tempfile.mkstemp(prefix="together-emulator-", suffix=".log")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log_fd, text=True, env=env)
    os.close(log_fd)
    lines: queue.Queue[str | None] = queue.Queue()
    keep: list[str] = []
    threading.Thread(target=_pump, args=(process.stdout, lines, keep), daemon=True).start()
    log_path = Path(log_name)
    try:
        base_url = _wait_for_serving_line(process, lines, log_path, startup_timeout)
        emulator = EmulatorProcess(
            base_url, process, Admin(httpx.Client(base_url=base_url, timeout=10.0)), log_path, keep
        )
        _wait_until_answering(emulator, startup_timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
    try:
        yield emulator
    finally:
        emulator.stop()


def _wait_for_serving_line(
    process: subprocess.Popen[str], lines: queue.Queue[str | None], log_path: Path, timeout: float
) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        if line is None:
            break
        url = parse_serving_line(line)
        if url is not None:
            return url
    raise RuntimeError(
        f"emulator did not announce its address within {timeout}s (exit code {process.poll()}); "
        f"log:\n{log_path.read_text(errors='replace')}"
    )


def _wait_until_answering(emulator: EmulatorProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if emulator.admin.http.get("/_emulator/health").status_code == 200:
                return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)
