"""Real state servers for Pulumi's DIY backends, started by tests: PostgreSQL and versitygw (S3).

``start_postgres()`` and ``start_versitygw(binary)`` are context managers that run a server process
on a free loopback port over a fresh temporary directory and yield a :class:`StateServer` with the
``PULUMI_BACKEND_URL`` to use and the environment the CLI needs besides it; the server is stopped
and its directory removed when the block ends, whatever happened inside. A missing prerequisite
raises :class:`MissingPrerequisite` naming what to install: tests fail, they never skip.

PostgreSQL refuses to run as root. When the tests run as root, ``initdb`` and ``postgres`` run as
the ``postgres`` user that Debian's package creates (``setpriv --reuid``), in a directory that
user owns; otherwise they run as the current user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BUCKET",
    "MissingPrerequisite",
    "StateServer",
    "free_port",
    "postgres_bin_dir",
    "psql",
    "start_postgres",
    "start_versitygw",
]

#: Where Debian's ``postgresql-15`` puts the server programs (not on PATH).
POSTGRES_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")
POSTGRES_INSTALL = "install the PostgreSQL 15 server (Debian: apt-get install postgresql-15)"
#: The bucket the S3 backend keeps state in (Pulumi needs it to exist).
BUCKET = "pulumi-state"
STARTUP_SECONDS = 60


class MissingPrerequisite(RuntimeError):
    """A program a test needs is not installed; the message says what to install."""


@dataclass
class StateServer:
    """A running state server: its backend URL, the environment the CLI needs, where it keeps data."""

    backend_url: str
    env: dict[str, str]
    data_dir: Path
    #: The secret in the URL or the environment (a password, a secret key): must never be printed.
    secret: str
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path = field(repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def free_port() -> int:
    """A loopback port nobody listens on now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _wait_listening(process: subprocess.Popen[bytes], port: int, what: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not _answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                f"{what} did not listen on 127.0.0.1:{port} (exit code {process.poll()}); "
                f"log:\n{log_path.read_text(errors='replace')}"
            )
        time.sleep(0.05)  # the server binds its port within a second or two of starting


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (PostgreSQL: a smart shutdown; it goes fast with no clients left), then SIGKILL."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # PostgreSQL: fast shutdown; versitygw: exit
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(20)


def postgres_bin_dir() -> Path:
    """The directory of ``initdb``, ``postgres`` and ``psql``: Debian's PostgreSQL 15 to 17, else on PATH."""
    on_path = shutil.which("initdb")
    candidates = [Path(d) for d in POSTGRES_DIRS]
    candidates += [Path(on_path).resolve().parent] if on_path else []  # often a link into one of them
    for directory in candidates:
        if all((directory / name).is_file() for name in ("initdb", "postgres", "psql")):
            return directory
    raise MissingPrerequisite(
        f"PostgreSQL's initdb and postgres were not found on PATH nor in {', '.join(POSTGRES_DIRS)}: {POSTGRES_INSTALL}"
    )


def _postgres_user() -> list[str]:
    """The command prefix that runs a program as a user PostgreSQL accepts (none unless root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise MissingPrerequisite(
            "PostgreSQL refuses to run as root and there is no `postgres` user to run it as: run the tests "
            f"as another user, or {POSTGRES_INSTALL} (it creates that user)"
        ) from None
    if shutil.which("setpriv") is None:
        raise MissingPrerequisite("running PostgreSQL as the postgres user needs setpriv: install util-linux")
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]


@contextlib.contextmanager
def start_postgres() -> Iterator[StateServer]:
    """A fresh PostgreSQL cluster (``initdb``) on a free loopback port, with password authentication.

    The backend URL is ``postgres://pulumi:<password>@127.0.0.1:<port>/pulumi?sslmode=disable``; Pulumi
    creates its table itself. The password is random: Pulumi redacts it in messages by substring.
    """
    bin_dir = postgres_bin_dir()
    as_user = _postgres_user()
    root = Path(tempfile.mkdtemp(prefix="together-pulumi-pg-"))
    password = secrets.token_hex(12)
    log_path = root / "postgres.log"
    try:
        (root / "pwfile").write_text(password + "\n")
        if as_user:
            for path in (root, root / "pwfile"):
                shutil.chown(path, "postgres", "postgres")
        data = root / "data"
        initdb = [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "pulumi", "-E", "UTF8"]
        initdb += ["--auth=scram-sha-256", f"--pwfile={root / 'pwfile'}", "--no-sync"]
        done = subprocess.run(initdb, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        yield from _serve_postgres(bin_dir, as_user, root, password, log_path)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _serve_postgres(
    bin_dir: Path, as_user: list[str], root: Path, password: str, log_path: Path
) -> Iterator[StateServer]:
    port = free_port()
    options = ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"]
    command = [*as_user, str(bin_dir / "postgres"), "-D", str(root / "data"), "-h", "127.0.0.1", "-p", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen([*command, "-k", str(root), *options], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_listening(process, port, "postgres", log_path)
        _create_database(bin_dir, root, port)
        url = f"postgres://pulumi:{password}@127.0.0.1:{port}/pulumi?sslmode=disable"
        yield StateServer(url, {}, root, password, process, log_path)
    finally:
        _stop(process)


def _create_database(bin_dir: Path, root: Path, port: int) -> None:
    """``CREATE DATABASE pulumi`` over the server's Unix socket, with the password."""
    command = [str(bin_dir / "psql"), "-h", str(root), "-p", str(port), "-U", "pulumi", "-d", "postgres"]
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:  # listening is not accepting: the server may still be starting up
        done = subprocess.run(
            [*command, "-c", "CREATE DATABASE pulumi"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PGPASSFILE": "/dev/null", "PGPASSWORD": _password(root)},
        )
        if done.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if done.returncode != 0:
        raise RuntimeError(f"CREATE DATABASE pulumi failed:\n{done.stderr}")


def _password(root: Path) -> str:
    return (root / "pwfile").read_text().strip()


def psql(server: StateServer, sql: str) -> str:
    """Run one statement against the backend's database as the test reads it (rows, tab-separated)."""
    bin_dir = postgres_bin_dir()
    port = server.backend_url.split("@127.0.0.1:", 1)[1].split("/", 1)[0]
    command = [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", port, "-U", "pulumi", "-d", "pulumi"]
    done = subprocess.run(
        [*command, "-At", "-c", sql],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PGPASSFILE": "/dev/null", "PGPASSWORD": server.secret},
    )
    return done.stdout


@contextlib.contextmanager
def start_versitygw(binary: Path) -> Iterator[StateServer]:
    """versitygw serving a fresh directory with its ``posix`` backend on a free loopback port.

    The bucket :data:`BUCKET` exists (a directory of the served one is a bucket). The URL is
    ``s3://pulumi-state?endpoint=http://127.0.0.1:<port>&s3ForcePathStyle=true&region=us-east-1&disableSSL=true``
    and ``env`` holds the access key pair the server was started with.
    """
    root = Path(tempfile.mkdtemp(prefix="together-pulumi-s3-"))
    access, secret = "team-state", secrets.token_hex(16)
    log_path = root / "versitygw.log"
    try:
        served = root / "served"
        (served / BUCKET).mkdir(parents=True)
        port = free_port()
        env = {**os.environ, "ROOT_ACCESS_KEY": access, "ROOT_SECRET_KEY": secret}
        command = [str(binary), "--port", f"127.0.0.1:{port}", "posix", str(served)]
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_listening(process, port, "versitygw", log_path)
            url = (
                f"s3://{BUCKET}?endpoint=http://127.0.0.1:{port}&s3ForcePathStyle=true&region=us-east-1&disableSSL=true"
            )
            client_env = {"AWS_ACCESS_KEY_ID": access, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1"}
            yield StateServer(url, client_env, served, secret, process, log_path)
        finally:
            _stop(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)
