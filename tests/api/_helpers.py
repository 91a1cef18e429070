"""Shared values and small helpers of the API client tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from emulator_admin import EmulatorHandle
from emulator_inprocess import InProcessEmulator
from step_clock import StepClock
from together_pulumi.api import ClusterCreateRequest, RetryPolicy, TogetherClient, VolumeCreateRequest

#: The key every test client sends. Distinctive, so a leak anywhere is easy to find.
SECRET_KEY = "tgp-SECRET-key-9f3a61c7e2d84b05"

CLUSTERS = "/v1/compute/clusters"
CLUSTER = "/v1/compute/clusters/{cluster_id}"
VOLUMES = "/v1/compute/clusters/storage/volumes"
VOLUME = "/v1/compute/clusters/storage/volumes/{volume_id}"
REGIONS = "/v1/compute/regions"

#: Short waits so retrying tests stay fast; individual tests replace fields with ``dataclasses.replace``.
FAST = RetryPolicy(
    deadline_seconds=10.0,
    max_attempts=4,
    initial_backoff_seconds=0.01,
    max_backoff_seconds=0.05,
    request_timeout_seconds=5.0,
    connect_timeout_seconds=2.0,
)

REGION = "us-central-8"
DRIVER_ID = "nv-us-central-8-cu128-570-u2204"


def cluster_request(name: str = "c1", **overrides: Any) -> ClusterCreateRequest:
    """A valid create request (us-central-8, 8 x H100, on demand)."""
    fields: dict[str, Any] = {
        "cluster_name": name,
        "region": REGION,
        "gpu_type": "H100_SXM",
        "num_gpus": 8,
        "billing_type": "ON_DEMAND",
        "nvidia_version_id": DRIVER_ID,
    }
    fields.update(overrides)
    return ClusterCreateRequest(**fields)


def volume_request(name: str = "v1", **overrides: Any) -> VolumeCreateRequest:
    fields: dict[str, Any] = {"volume_name": name, "size_tib": 2, "region": REGION}
    fields.update(overrides)
    return VolumeCreateRequest(**fields)


def count(emu: EmulatorHandle, method: str, route: str) -> int:
    """How many ``method route`` requests the emulator logged (faulted ones included)."""
    counts: dict[str, int] = emu.admin.requests_log()["counts"]
    return counts.get(f"{method} {route}", 0)


def entries(emu: EmulatorHandle, method: str, route: str) -> list[dict[str, Any]]:
    return [e for e in emu.admin.requests_log()["requests"] if e["method"] == method and e["route"] == route]


def wait_for_log(emu: EmulatorHandle, n: int, timeout: float = 10.0) -> None:
    """Poll until ``n`` requests are logged: lets delayed (latency-faulted) requests finish landing."""
    deadline = time.monotonic() + timeout
    while len(emu.admin.requests_log()["requests"]) < n:
        assert time.monotonic() < deadline, f"emulator logged fewer than {n} requests in {timeout}s"
        time.sleep(0.02)


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response], retry: RetryPolicy = FAST, **kwargs: Any
) -> TogetherClient:
    """A client over ``httpx.MockTransport``: only for answers the emulator cannot produce."""
    return TogetherClient(
        SECRET_KEY, "http://mock.invalid", retry=retry, transport=httpx.MockTransport(handler), **kwargs
    )


def step_client(emu: InProcessEmulator, retry: RetryPolicy, clock: StepClock) -> TogetherClient:
    """A client of an in-process emulator whose pauses only move ``clock`` (no real waiting)."""
    return TogetherClient(SECRET_KEY, emu.base_url, retry=retry, transport=emu.transport, clock=clock)
