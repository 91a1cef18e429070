"""Local emulator of Together AI's Instant Clusters API, for tests and demos without an account.

It serves the same ``/v1/compute/...`` routes and JSON shapes as the real service (the together
3.1.1 SDK is the reference), plus identity and projects (``/v3/whoami``, ``/v1/projects``); walks
clusters and volumes through their lifecycle on a virtual clock, answers validation errors the
way a gRPC-gateway backend does, and can inject throttling, server errors and dropped
connections. ``/_emulator/...`` is an admin API for tests: reset, faults,
clock, request log, out-of-band changes.

Start it with ``together-emulator --port 8787`` or embed it with :func:`create_app`.
The emulator never imports the provider (``together_pulumi.api``, ``model``, ``program``, ``host``):
it encodes the wire format independently so that it can catch the provider's mistakes.

Layout, by concern: ``routes/`` (HTTP, thin) → ``services/`` (one per area: clusters, volumes,
identity, remediations, admin) → ``validation/`` (every rule applied before touching state) and
``state/`` (records, the store and its lock, the state file, the clock, rendering) → ``lifecycle/``
(what changes over virtual time). Beside them: the process (``__main__``, ``app``, ``instance``,
``config``, ``serving``), the API's facts (``catalog``), errors in the service's shape (``errors``),
and what stands in front of the routes (``middleware``: auth, log; ``faults``: injected failures).
"""

from .app import Emulator, create_app
from .config import DEFAULT_PROJECT_ID, EmulatorConfig, Project
from .faults import FaultConfig

__all__ = ["DEFAULT_PROJECT_ID", "Emulator", "EmulatorConfig", "FaultConfig", "Project", "create_app"]
