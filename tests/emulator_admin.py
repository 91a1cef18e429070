"""Helpers shared by every way of running the emulator in tests: the admin API and the test key.

:class:`Admin` wraps an httpx client of the emulator (a real socket or an in-process ASGI
transport), so the same helpers serve ``emulator_process`` and ``emulator_inprocess``.
:class:`EmulatorHandle` is what tests may rely on from either.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

__all__ = ["DEFAULT_API_KEY", "Admin", "EmulatorHandle"]

#: The bearer token test clients send (any non-empty token works unless ``--api-key`` is set).
DEFAULT_API_KEY = "test-key"


class EmulatorHandle(Protocol):
    """A running emulator, in a process or in-process."""

    @property
    def base_url(self) -> str: ...

    @property
    def admin(self) -> Admin: ...

    def client(self, api_key: str = DEFAULT_API_KEY, **kwargs: Any) -> httpx.Client: ...


class Admin:
    """Helpers over the ``/_emulator`` admin API (no auth). Each raises on a non-2xx answer."""

    def __init__(self, http: httpx.Client) -> None:
        #: Unauthenticated client of the emulator (the admin API needs no key).
        self.http = http

    def _call(self, method: str, path: str, json: Any = None) -> Any:
        response = self.http.request(method, f"/_emulator{path}", json=json)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        """Drop clusters, volumes, capacity overrides and the request log; faults off; clock reset."""
        self._call("POST", "/reset")

    def set_faults(self, **settings: Any) -> dict[str, Any]:
        """E.g. ``set_faults(rate_429=0.2, methods=["POST"], seed=7)``; omitted settings are kept."""
        result: dict[str, Any] = self._call("PUT", "/faults", settings)
        return result

    def faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/faults")
        return result

    def clock(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/clock")
        return result

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/clock/advance", {"seconds": seconds})
        return result

    def set_clock_scale(self, scale: float) -> dict[str, Any]:
        """``0`` freezes virtual time (only ``advance_clock`` moves it): exact, sleep-free tests."""
        result: dict[str, Any] = self._call("PUT", "/clock", {"scale": scale})
        return result

    def requests_log(self) -> dict[str, Any]:
        """``{"requests": [{method, path, route, status, fault, after_commit}], "counts": {...}}``."""
        result: dict[str, Any] = self._call("GET", "/requests")
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def force_volume_status(self, volume_id: str, status: str | None) -> dict[str, Any]:
        """Show a volume as ``status`` (an SDK volume status) until None; ``failed`` stops its deletion."""
        result: dict[str, Any] = self._call("PUT", f"/volumes/{volume_id}/status", {"status": status})
        return result

    def scale_cluster(self, cluster_id: str, num_gpus: int) -> dict[str, Any]:
        """Out-of-band scale (as in the web console): nodes change at once, status Ready."""
        result: dict[str, Any] = self._call("POST", f"/clusters/{cluster_id}/scale", {"num_gpus": num_gpus})
        return result

    def delete_cluster(self, cluster_id: str) -> None:
        """Out-of-band removal: gone at once (404), attached volumes released."""
        self._call("DELETE", f"/clusters/{cluster_id}")

    def preempt(self, cluster_id: str, gpus: int | None = None) -> dict[str, Any]:
        """Take preemptible GPUs back now (all of them by default), as capacity pressure would."""
        body = {} if gpus is None else {"gpus": gpus}
        result: dict[str, Any] = self._call("POST", f"/clusters/{cluster_id}/preempt", body)
        return result

    def set_cluster_status(self, cluster_id: str, status: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/clusters/{cluster_id}/status", {"status": status})
        return result

    def state(self) -> dict[str, Any]:
        """Full dump including internal fields (volume regions, pending steps, capacity)."""
        result: dict[str, Any] = self._call("GET", "/state")
        return result

    def set_capacity(self, region: str, gpu_type: str, gpus: int) -> dict[str, Any]:
        result: dict[str, Any] = self._call("PUT", "/capacity", {"region": region, "gpu_type": gpu_type, "gpus": gpus})
        return result

    def projects(self) -> dict[str, Any]:
        """``{"projects": [{id, name, slug}], "key_project_id": ...}``."""
        result: dict[str, Any] = self._call("GET", "/projects")
        return result

    def set_projects(self, *ids: str) -> dict[str, Any]:
        """The projects the key can use (the first is its own), each named after its id."""
        body = {"projects": [{"id": i, "name": i} for i in ids]}
        result: dict[str, Any] = self._call("PUT", "/projects", body)
        return result

    def health_event(self, cluster_id: str, instance_id: str, **event: Any) -> dict[str, Any]:
        """A failing node: opens an automated remediation awaiting approval (mode, alert_name, severity, xid_code)."""
        path = f"/clusters/{cluster_id}/instances/{instance_id}/health-events"
        result: dict[str, Any] = self._call("POST", path, event)
        return result

    def set_remediation_outcome(self, remediation_id: str, outcome: str, **extra: Any) -> dict[str, Any]:
        """``SUCCEEDED``/``FAILED`` (with ``error_message``) when its time comes, or ``AUTO_RESOLVED`` now."""
        body = {"outcome": outcome, **extra}
        result: dict[str, Any] = self._call("POST", f"/remediations/{remediation_id}/outcome", body)
        return result

    def close(self) -> None:
        self.http.close()
