"""Fixtures of the team tests: state servers (PostgreSQL, versitygw) started per test and stopped after.

Each server runs on a free loopback port over a temporary directory (``tests/backend_servers.py``)
and is stopped when the test ends, passed or failed. A missing prerequisite fails the test with
what to install; nothing here skips.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_servers import StateServer, start_postgres, start_versitygw

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def versitygw_bin() -> Path:
    """The versitygw binary (``scripts/setup-versitygw.sh``: cached, else built from the Go module proxy)."""
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup-versitygw.sh")], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"versitygw could not be set up:\n{result.stderr.strip()}")
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def postgres_server() -> Iterator[StateServer]:
    with start_postgres() as server:
        yield server


@pytest.fixture
def s3_server(versitygw_bin: Path) -> Iterator[StateServer]:
    with start_versitygw(versitygw_bin) as server:
        yield server
