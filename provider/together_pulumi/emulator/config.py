"""Settings of one emulator instance (what the CLI flags fill in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .faults import FaultConfig

__all__ = ["DEFAULT_PROJECT_ID", "EmulatorConfig"]

#: Project of objects created without ``project_id`` (the real service uses the key's project).
DEFAULT_PROJECT_ID = "proj-emulator"


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
    #: Load on start, rewrite (atomically) after every mutation.
    state_file: Path | None = None
    #: Makes generated ids and injected faults reproducible.
    seed: int | None = None
    faults: FaultConfig = field(default_factory=FaultConfig)
    default_project_id: str = DEFAULT_PROJECT_ID

    def __post_init__(self) -> None:
        for name in ("provisioning_seconds", "deletion_seconds", "volume_provisioning_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0; got {getattr(self, name)}")
