"""Local emulator of Together AI's Instant Clusters API, for tests and demos without an account.

It serves the same ``/v1/compute/...`` routes and JSON shapes as the real service (the together
3.1.1 SDK is the reference), plus identity and projects (``/v3/whoami``, ``/v1/projects``); walks
clusters and volumes through their lifecycle on a virtual clock, answers validation errors the
way a gRPC-gateway backend does, and can inject throttling, server errors and dropped
connections. ``/_emulator/...`` is an admin API for tests: reset, faults,
clock, request log, out-of-band changes.

Start it with ``together-emulator --port 8787`` or embed it with :func:`create_app`.
The emulator never imports the provider (``together_pulumi.api`` / ``resources``): it encodes the
wire format independently so that it can catch the provider's mistakes.
"""

from .app import Emulator, create_app
from .config import DEFAULT_PROJECT_ID, EmulatorConfig, Project
from .faults import FaultConfig

__all__ = ["DEFAULT_PROJECT_ID", "Emulator", "EmulatorConfig", "FaultConfig", "Project", "create_app"]
