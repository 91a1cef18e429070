"""The command line: flags, the serving line, refusing bad settings."""

from __future__ import annotations

import shutil
import subprocess
import sys

from emulator_process import EmulatorProcess, start_emulator

from ._helpers import ok, volume_body


def test_serving_line_is_the_only_stdout(emulator: EmulatorProcess) -> None:
    assert len(emulator.stdout_lines) == 1
    assert emulator.stdout_lines[0].startswith("together-emulator: serving http://127.0.0.1:")
    assert emulator.base_url.rsplit(":", 1)[1].isdigit()


def test_bad_flags_are_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "together_pulumi.emulator", "--fault-rate-429", "1.5"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--fault-rate-429" in result.stderr and "between 0 and 1" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "together_pulumi.emulator", "--fault-rate-429", "0.6", "--fault-rate-500", "0.6"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "at most 1" in result.stderr


def test_console_script_is_installed() -> None:
    script = shutil.which("together-emulator") or str(
        __import__("pathlib").Path(sys.executable).with_name("together-emulator")
    )
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "--provisioning-seconds" in result.stdout


def test_fault_flags_are_applied() -> None:
    with start_emulator(
        "--fault-rate-503",
        "1",
        "--fault-methods",
        "POST",
        "--retry-after",
        "0.25",
        "--fault-path-prefix",
        "/v1/compute/clusters/storage",
        "--fault-after-commit-ratio",
        "0",
    ) as process:
        faults = process.admin.faults()
        assert faults["rate_503"] == 1 and faults["methods"] == ["POST"] and faults["retry_after_seconds"] == 0.25
        assert faults["path_prefix"] == "/v1/compute/clusters/storage" and faults["after_commit_ratio"] == 0
        assert faults["seed"] == 1  # --seed 1 from start_emulator seeds the faults too
        with process.client() as client:
            assert ok(client.get("/v1/compute/clusters/storage/volumes")) == {"volumes": []}  # GET: not faulted
            assert client.post("/v1/compute/clusters", json={}).status_code == 400  # outside the prefix
            response = client.post("/v1/compute/clusters/storage/volumes", json=volume_body())
            assert response.status_code == 503
            assert response.headers["retry-after"] == "0.25"
        assert process.admin.requests_log()["requests"][-1]["fault"] == "503"
        assert process.admin.state()["volumes"] == []  # before commit: nothing was created


def test_project_flags() -> None:
    with start_emulator("--project", "proj-a=Team Alpha", "--project", "proj-b") as process:
        assert process.admin.projects() == {
            "projects": [
                {"id": "proj-a", "name": "Team Alpha", "slug": "team-alpha"},
                {"id": "proj-b", "name": "proj-b", "slug": "proj-b"},
            ],
            "key_project_id": "proj-a",
        }
        with process.client() as client:
            assert ok(client.get("/v3/whoami"))["project"]["id"] == "proj-a"
            assert [p["id"] for p in ok(client.get("/v1/projects"))["data"]] == ["proj-a", "proj-b"]
    result = subprocess.run(
        [sys.executable, "-m", "together_pulumi.emulator", "--project", "bad id!"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--project" in result.stderr and "'bad id!'" in result.stderr
