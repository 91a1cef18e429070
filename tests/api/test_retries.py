"""Retries of idempotent requests (GET, PUT, DELETE): what is retried, Retry-After, the deadline.

Waits are read from a step clock (time moves only when the client sleeps), so the tests assert what
the client waited, not how fast the machine is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from emulator_inprocess import InProcessEmulator
from emulator_process import EmulatorProcess
from step_clock import StepClock
from together_pulumi.api import ClusterUpdateRequest, RetryPolicy, TogetherClient, VolumeUpdateRequest, errors

from ._helpers import (
    CLUSTER,
    CLUSTERS,
    FAST,
    REGIONS,
    SECRET_KEY,
    VOLUME,
    VOLUMES,
    cluster_request,
    count,
    entries,
    mock_client,
    step_client,
    volume_request,
)
from .conftest import Catch

FAULTS = {
    "rate_429": errors.RateLimitError,
    "rate_500": errors.ServerError,
    "rate_503": errors.ServerError,
    "drop_rate": errors.ConnectionError,
}


def _operation(client: TogetherClient, method: str) -> tuple[Callable[[], Any], str]:
    """An idempotent call of ``method`` on an existing object, and its route in the request log."""
    if method == "GET":
        cluster = client.create_cluster(cluster_request())
        return (lambda: client.get_cluster(cluster.cluster_id)), CLUSTER
    if method == "PUT":
        volume = client.create_volume(volume_request())
        return (lambda: client.update_volume(VolumeUpdateRequest(volume_id=volume.volume_id, size_tib=3))), VOLUMES
    volume = client.create_volume(volume_request())
    return (lambda: client.delete_volume(volume.volume_id)), VOLUME


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_requests_are_retried_until_attempts_run_out(
    emu: EmulatorProcess, caught: Catch, method: str, fault: str
) -> None:
    policy = dataclasses.replace(FAST, max_attempts=3)
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        call, route = _operation(client, method)
        emu.admin.set_faults(**{fault: 1.0}, methods=[method], retry_after_seconds=0.01, after_commit_ratio=0.0)
        caught(FAULTS[fault], call)
    assert count(emu, method, route) == 3


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_requests_succeed_after_transient_faults(emu: EmulatorProcess, method: str) -> None:
    policy = dataclasses.replace(FAST, max_attempts=20)
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        call, route = _operation(client, method)
        emu.admin.set_faults(
            rate_429=0.2, rate_500=0.2, rate_503=0.2, drop_rate=0.2, methods=[method], retry_after_seconds=0.01,
            after_commit_ratio=0.0, seed=3,
        )  # fmt: skip
        call()
    log = entries(emu, method, route)
    assert len(log) > 1, "seed 3 was expected to fault at least the first attempt"
    assert all(e["fault"] for e in log[:-1]) and log[-1]["fault"] is None and log[-1]["status"] == 200


def test_update_cluster_is_retried(emu: EmulatorProcess, client: TogetherClient) -> None:
    cluster = client.create_cluster(cluster_request())
    emu.admin.set_faults(rate_503=1.0, methods=["PUT"], retry_after_seconds=0.01, after_commit_ratio=1.0)
    with pytest.raises(errors.ServerError):
        client.update_cluster(cluster.cluster_id, ClusterUpdateRequest(num_gpus=16))
    assert count(emu, "PUT", CLUSTER) == FAST.max_attempts
    emu.admin.set_faults(rate_503=0.0)
    assert client.get_cluster(cluster.cluster_id).num_gpus == 16  # an absolute value: retrying is harmless


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_client_errors_are_not_retried(
    emu: EmulatorProcess, client: TogetherClient, caught: Catch, method: str
) -> None:
    if method == "GET":
        caught(errors.NotFoundError, client.get_volume, "vol-missing")
        assert count(emu, "GET", VOLUME) == 1
    elif method == "PUT":
        volume = client.create_volume(volume_request())
        caught(
            errors.InvalidRequestError,
            client.update_volume,
            VolumeUpdateRequest(volume_id=volume.volume_id, size_tib=1),
        )
        assert count(emu, "PUT", VOLUMES) == 1
    else:
        volume = client.create_volume(volume_request())
        client.create_cluster(cluster_request(volume_id=volume.volume_id))
        caught(errors.ConflictError, client.delete_volume, volume.volume_id)
        assert count(emu, "DELETE", VOLUME) == 1


@pytest.mark.parametrize("fault", ["rate_429", "rate_503"])
def test_retry_after_is_honoured(app_emu: InProcessEmulator, caught: Catch, fault: str) -> None:
    # Backoff without Retry-After would be at most 0.01 s: any longer wait comes from the header.
    policy = RetryPolicy(max_attempts=3, initial_backoff_seconds=0.001, max_backoff_seconds=0.01, deadline_seconds=30)
    app_emu.admin.set_faults(**{fault: 1.0}, retry_after_seconds=0.3)
    clock = StepClock()
    with step_client(app_emu, policy, clock) as client:
        exc = caught(errors.APIStatusError, client.list_regions)
    assert exc.retry_after == pytest.approx(0.3)
    attempts = count(app_emu, "GET", REGIONS)
    assert attempts == 3
    assert clock.now >= 0.3 * (attempts - 1)


def test_retry_after_is_honoured_on_the_way_to_success(app_emu: InProcessEmulator) -> None:
    policy = RetryPolicy(max_attempts=10, initial_backoff_seconds=0.001, max_backoff_seconds=0.01, deadline_seconds=30)
    app_emu.admin.set_faults(rate_429=0.6, retry_after_seconds=0.2, seed=8)
    clock = StepClock()
    with step_client(app_emu, policy, clock) as client:
        assert client.list_regions()
    throttled = [e for e in entries(app_emu, "GET", REGIONS) if e["status"] == 429]
    assert throttled, "seed 8 was expected to throttle at least once"
    assert clock.now >= 0.2 * len(throttled)


def test_posts_throttled_before_reaching_the_service_are_resent_after_retry_after(app_emu: InProcessEmulator) -> None:
    policy = RetryPolicy(max_attempts=10, initial_backoff_seconds=0.001, max_backoff_seconds=0.01, deadline_seconds=30)
    app_emu.admin.set_faults(rate_429=0.6, retry_after_seconds=0.2, methods=["POST"], seed=8)
    clock = StepClock()
    with step_client(app_emu, policy, clock) as client:
        cluster = client.create_cluster(cluster_request("throttled"))
    posts = entries(app_emu, "POST", CLUSTERS)
    throttled = [e for e in posts if e["status"] == 429]
    assert throttled and posts[-1]["status"] == 200
    assert clock.now >= 0.2 * len(throttled)
    assert [c["cluster_id"] for c in app_emu.admin.state()["clusters"]] == [cluster.cluster_id]


def test_overall_deadline_gives_up_with_the_last_error(app_emu: InProcessEmulator, caught: Catch) -> None:
    policy = RetryPolicy(deadline_seconds=1.0, max_attempts=1000, initial_backoff_seconds=0.05, max_backoff_seconds=0.2)
    app_emu.admin.set_faults(rate_500=1.0)
    clock = StepClock()
    with step_client(app_emu, policy, clock) as client:
        exc = caught(errors.ServerError, client.list_clusters)
    assert exc.status_code == 500
    assert 1 < count(app_emu, "GET", CLUSTERS) < 1000
    # It stopped at the deadline (give or take one jittered backoff), not after the attempts ran out.
    assert clock.now <= policy.deadline_seconds + policy.max_backoff_seconds


def test_overall_deadline_bounds_create_too(app_emu: InProcessEmulator, caught: Catch) -> None:
    policy = RetryPolicy(deadline_seconds=1.0, max_attempts=1000, initial_backoff_seconds=0.05, max_backoff_seconds=0.2)
    app_emu.admin.set_faults(rate_500=1.0, methods=["POST"], after_commit_ratio=0.0)
    clock = StepClock()
    with step_client(app_emu, policy, clock) as client:
        exc = caught(errors.UncertainCreateError, client.create_cluster, cluster_request())
    assert isinstance(exc.cause, errors.ServerError)
    assert 1 < count(app_emu, "POST", CLUSTERS) < 1000
    assert clock.now <= policy.deadline_seconds + policy.max_backoff_seconds
    assert app_emu.admin.state()["clusters"] == []


def test_a_retry_after_longer_than_the_deadline_stops_early(app_emu: InProcessEmulator, caught: Catch) -> None:
    policy = RetryPolicy(deadline_seconds=1.0, max_attempts=10)
    app_emu.admin.set_faults(rate_503=1.0, retry_after_seconds=5)
    clock = StepClock()
    with step_client(app_emu, policy, clock) as client:
        exc = caught(errors.ServerError, client.list_regions)
    assert exc.retry_after == 5
    assert clock.now < 1.0  # it did not sleep 5 s only to hit the deadline


def _answer(status: int, should_retry: str | None, calls: list[str]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        headers = {"content-type": "application/json"}
        if should_retry is not None:
            headers["x-should-retry"] = should_retry
        return httpx.Response(status, json={"code": 13, "message": "told", "details": []}, headers=headers)

    return handler


@pytest.mark.parametrize(
    ("status", "header", "attempts"),
    [
        (500, "false", 1),  # normally retried: the server says no
        (503, "false", 1),
        (400, "true", FAST.max_attempts),  # normally final: the server says try again
        (409, "true", FAST.max_attempts),
        (409, None, 1),
        (500, None, FAST.max_attempts),
        (500, "maybe", FAST.max_attempts),  # anything else: the status decides
    ],
)
def test_x_should_retry_overrides_the_status(status: int, header: str | None, attempts: int) -> None:
    calls: list[str] = []
    with mock_client(_answer(status, header, calls)) as client, pytest.raises(errors.APIStatusError) as info:
        client.list_regions()
    assert len(calls) == attempts
    assert info.value.should_retry == {"true": True, "false": False}.get(header or "")


def test_x_should_retry_false_stops_a_create_at_once() -> None:
    calls: list[str] = []
    refuse = _answer(503, "false", calls)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":  # the name lookup before the POST finds nothing
            calls.append(f"GET {request.url.path}")
            return httpx.Response(200, json={"clusters": []})
        return refuse(request)

    with mock_client(handler) as client, pytest.raises(errors.ServerError):
        client.create_cluster(cluster_request())
    # only the name lookup before the POST and the POST itself: no retry, no look-up afterwards
    assert calls == ["GET /v1/compute/clusters", "POST /v1/compute/clusters"]
