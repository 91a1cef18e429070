"""The ``--state-file``: written atomically after every change, read back on start.

Format 1 is a JSON object with the records (``asdict``), the capacity overrides, the projects,
the id stream's state and the virtual time of the save. Keys added later default to empty, so older files load.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..config import Project
from ..lifecycle.fabricate import Fabricator
from .clock import Clock
from .memory import State
from .records import ClusterRecord, RemediationRecord, Step, VolumeRecord

__all__ = ["STATE_FORMAT", "load_state", "save_state"]

STATE_FORMAT = 1


def save_state(path: Path, state: State, fabricate: Fabricator, clock: Clock) -> None:
    """Write the state file atomically (temp file in the same directory + os.replace)."""
    version, internal, gauss = fabricate.rng.getstate()
    data: dict[str, Any] = {
        "format": STATE_FORMAT,
        "saved_at": clock.now(),
        "id_rng": [version, list(internal), gauss],
        "clusters": [asdict(c) for c in state.clusters.values()],
        "volumes": [asdict(v) for v in state.volumes.values()],
        "remediations": [asdict(r) for r in state.remediations.values()],
        "capacity": [{"region": r, "gpu_type": g, "gpus": n} for (r, g), n in state.capacity.items()],
        "projects": [asdict(p) for p in state.projects],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_state(path: Path, state: State, fabricate: Fabricator, clock: Clock) -> None:
    """Fill ``state`` from ``path`` (nothing if it is missing or empty); ``ValueError`` if foreign."""
    if not path.exists() or path.stat().st_size == 0:
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != STATE_FORMAT:
        raise ValueError(f"{path}: unsupported state format {data.get('format')!r}; expected {STATE_FORMAT}")
    # Virtual time continues from where the last run stopped, so nothing runs backwards.
    clock.reset(max(time.time(), float(data["saved_at"])))
    version, internal, gauss = data["id_rng"]
    fabricate.rng.setstate((version, tuple(internal), gauss))
    for raw in data.get("clusters", []):
        raw["steps"] = [Step(**s) for s in raw["steps"]]
        record = ClusterRecord(**raw)
        state.clusters[record.cluster_id] = record
    for raw in data.get("volumes", []):
        volume = VolumeRecord(**raw)
        state.volumes[volume.volume_id] = volume
    for raw in data.get("remediations", []):
        raw["steps"] = [Step(**s) for s in raw["steps"]]
        remediation = RemediationRecord(**raw)
        state.remediations[remediation.id] = remediation
    for entry in data.get("capacity", []):
        state.capacity[(entry["region"], entry["gpu_type"])] = int(entry["gpus"])
    if data.get("projects"):  # older files have none: keep the configured ones
        state.projects = [Project(**p) for p in data["projects"]]
