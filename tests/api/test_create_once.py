"""Creates never make a duplicate: after an ambiguous failure the client adopts what its POST made,
and a POST that may still land is never sent again.

A cluster bills every hour, so a blind retry of a POST that did commit is the worst bug this layer
can have. The emulator's ``after_commit_ratio`` makes faults that happen after the object was
created: the client sees a 500/503 or a dropped connection although the create succeeded.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter

import httpx
import pytest

from emulator_process import EmulatorProcess
from step_clock import StepClock
from together_pulumi.api import RetryPolicy, TogetherClient, errors

from ._helpers import CLUSTERS, FAST, SECRET_KEY, VOLUMES, cluster_request, count, entries, mock_client, volume_request
from .conftest import Catch

N = 20


def test_no_duplicates_under_heavy_post_faults(emu: EmulatorProcess) -> None:
    emu.admin.set_faults(
        rate_500=0.3, rate_503=0.2, drop_rate=0.2, after_commit_ratio=0.5, methods=["POST"],
        path_prefix=CLUSTERS, retry_after_seconds=0.01, seed=11,
    )  # fmt: skip
    # The emulator commits before it cuts a connection, so a second of settling finds every landed create
    # (on a step clock: the client's pauses take no real time; the cut connections need the socket).
    policy = RetryPolicy(
        deadline_seconds=60, max_attempts=12, initial_backoff_seconds=0.01, max_backoff_seconds=0.05,
        create_settle_seconds=1.0,
    )  # fmt: skip
    names = [f"stress-{i:02d}" for i in range(N)]
    created, uncertain = {}, []
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy, clock=StepClock()) as client:
        for name in names:
            try:
                created[name] = client.create_cluster(cluster_request(name))
            except errors.UncertainCreateError:
                uncertain.append(name)  # a cut connection and nothing found: it is not sent again
    assert all(created[name].cluster_name == name for name in created)
    assert created and uncertain, "seed 11 gives both outcomes"

    clusters = emu.admin.state()["clusters"]
    counts = Counter(c["cluster_name"] for c in clusters)
    assert all(counts[name] == 1 for name in created), "one cluster per adopted create, no duplicates"
    assert all(counts[name] <= 1 for name in uncertain), "an uncertain create made at most one cluster"
    assert {c["cluster_id"] for c in clusters if c["cluster_name"] in created} == {
        c.cluster_id for c in created.values()
    }

    # The run really exercised the ambiguous path: some POSTs committed and then failed.
    posts = entries(emu, "POST", CLUSTERS)
    assert any(e["after_commit"] for e in posts), "expected after-commit faults with seed 11"
    assert any(e["fault"] and not e["after_commit"] for e in posts), "expected before-commit faults with seed 11"
    assert len(posts) > N


@pytest.mark.parametrize("fault", ["rate_500", "rate_503", "drop_rate"])
def test_committed_then_failed_create_is_adopted(emu: EmulatorProcess, client: TogetherClient, fault: str) -> None:
    emu.admin.set_faults(**{fault: 1.0}, after_commit_ratio=1.0, methods=["POST"], retry_after_seconds=0.01)
    cluster = client.create_cluster(cluster_request("ambiguous"))
    assert cluster.cluster_name == "ambiguous"
    clusters = emu.admin.state()["clusters"]
    assert [c["cluster_id"] for c in clusters] == [cluster.cluster_id]
    (post,) = entries(emu, "POST", CLUSTERS)
    assert post["after_commit"] is True and post["fault"] is not None


def test_committed_then_failed_volume_create_is_adopted(emu: EmulatorProcess, client: TogetherClient) -> None:
    emu.admin.set_faults(drop_rate=1.0, after_commit_ratio=1.0, methods=["POST"])
    volume = client.create_volume(volume_request("ambiguous-vol"))
    assert [v["volume_id"] for v in emu.admin.state()["volumes"]] == [volume.volume_id]
    assert count(emu, "POST", VOLUMES) == 1


def test_a_pre_existing_namesake_is_not_adopted(emu: EmulatorProcess, client: TogetherClient) -> None:
    with emu.client() as raw:
        response = raw.post(CLUSTERS, json=cluster_request("twin").to_wire())
        assert response.status_code == 200
        old_id = response.json()["cluster_id"]
    emu.admin.clear_requests()
    emu.admin.set_faults(rate_500=1.0, after_commit_ratio=1.0, methods=["POST"])

    cluster = client.create_cluster(cluster_request("twin"))

    assert cluster.cluster_id != old_id, "adopted the cluster that existed before the call"
    ids = sorted(c["cluster_id"] for c in emu.admin.state()["clusters"] if c["cluster_name"] == "twin")
    assert ids == sorted([old_id, cluster.cluster_id])
    assert count(emu, "POST", CLUSTERS) == 1


def test_a_pre_existing_namesake_does_not_hide_a_failed_create(emu: EmulatorProcess, caught: Catch) -> None:
    with emu.client() as raw:
        old_id = raw.post(CLUSTERS, json=cluster_request("twin").to_wire()).json()["cluster_id"]
    emu.admin.clear_requests()
    emu.admin.set_faults(rate_500=1.0, after_commit_ratio=0.0, methods=["POST"])  # nothing commits
    policy = dataclasses.replace(FAST, max_attempts=3)
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        exc = caught(errors.UncertainCreateError, client.create_cluster, cluster_request("twin"))
    # The caller learns the create may still land, under which name, and the last failure.
    assert isinstance(exc.cause, errors.ServerError) and exc.cause.status_code == 500
    assert exc.name == "cluster 'twin'" and "it was not sent again" not in str(exc)
    assert [c["cluster_id"] for c in emu.admin.state()["clusters"]] == [old_id]
    # The service answered each 500 itself (it had finished): each was looked up, nothing adopted, POST re-sent.
    assert count(emu, "POST", CLUSTERS) == 3


@pytest.mark.parametrize("fault", ["drop_rate", "latency"])
def test_a_create_that_may_still_land_is_never_sent_again(emu: EmulatorProcess, caught: Catch, fault: str) -> None:
    """A cut connection or a timeout: nothing found after settling means "maybe later", not "no"."""
    if fault == "drop_rate":
        emu.admin.set_faults(drop_rate=1.0, after_commit_ratio=0.0, methods=["POST"])
    else:
        emu.admin.set_faults(latency_ms=3000, methods=["POST"])
    policy = dataclasses.replace(FAST, max_attempts=5, request_timeout_seconds=0.2, create_settle_seconds=0.3)
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        exc = caught(errors.UncertainCreateError, client.create_cluster, cluster_request("maybe"))
    assert "it was not sent again" in str(exc)
    if fault == "latency":  # the slow request lands later: exactly once
        deadline = time.monotonic() + 10
        while not emu.admin.state()["clusters"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [c["cluster_name"] for c in emu.admin.state()["clusters"]] == ["maybe"]
    assert count(emu, "POST", CLUSTERS) == 1


def test_a_failed_lookup_after_an_ambiguous_create_still_says_the_cluster_may_exist(caught: Catch) -> None:
    """The POST is cut after it landed, and from then on every list answers 503 (an outage)."""
    posts: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request)
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        if posts:
            return httpx.Response(503, json={"code": 14, "message": "unavailable"})
        return httpx.Response(200, json={"clusters": []})

    with mock_client(handler, retry=dataclasses.replace(FAST, max_attempts=2)) as client:
        exc = caught(errors.UncertainCreateError, client.create_cluster, cluster_request("blind"))
    assert exc.lookup_error is not None and "looking it up failed too" in str(exc)
    assert "cluster 'blind'" in str(exc) and "it was not sent again" in str(exc)
    assert len(posts) == 1


def test_non_retryable_create_failure_is_raised_at_once(
    emu: EmulatorProcess, client: TogetherClient, caught: Catch
) -> None:
    caught(errors.InvalidRequestError, client.create_cluster, cluster_request(region="mars-1"))
    assert count(emu, "POST", CLUSTERS) == 1
    assert emu.admin.state()["clusters"] == []


@pytest.mark.parametrize("lands_after", [3.0, 60.0], ids=["within-the-settle-window", "after-it"])
def test_a_create_that_lands_after_its_timeout_is_adopted_or_reported_never_resent(
    lands_after: float, caught: Catch
) -> None:
    """The service commits the POST ``lands_after`` seconds after the client gave up on it."""
    clock = StepClock()
    landed: list[tuple[float, dict[str, object]]] = []  # (visible from, cluster)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(request.content)
            cluster = {**body, "cluster_id": f"t-{len(landed)}", "cluster_type": "KUBERNETES", "status": "Queued"}
            landed.append((clock.now + lands_after, cluster))
            raise httpx.ReadTimeout("timed out", request=request)  # the client gave up already
        return httpx.Response(200, json={"clusters": [c for t, c in landed if t <= clock.now]})

    policy = RetryPolicy(deadline_seconds=120, max_attempts=4, create_settle_seconds=15)
    with mock_client(handler, retry=policy, clock=clock) as client:
        if lands_after < policy.create_settle_seconds:
            assert client.create_cluster(cluster_request("slow")).cluster_id == "t-0"
        else:
            exc = caught(errors.UncertainCreateError, client.create_cluster, cluster_request("slow"))
            assert "it was not sent again" in str(exc)
    assert len(landed) == 1, f"{len(landed)} clusters were created for one create_cluster call"


def test_a_create_slower_than_the_client_timeout_is_adopted_not_repeated(emu: EmulatorProcess) -> None:
    """The emulator applies the POST after the client gave up; the client must find it, not POST again."""
    emu.admin.set_faults(latency_ms=300, methods=["POST"], seed=3)
    policy = RetryPolicy(
        deadline_seconds=20,
        max_attempts=4,
        request_timeout_seconds=0.1,
        initial_backoff_seconds=0.01,
        max_backoff_seconds=0.05,
        create_settle_seconds=5,
    )
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        cluster = client.create_cluster(cluster_request("slowpoke"))
    assert [c["cluster_id"] for c in emu.admin.state()["clusters"]] == [cluster.cluster_id]
    assert count(emu, "POST", CLUSTERS) == 1


def test_an_ambiguous_failure_at_the_deadline_is_still_looked_up(emu: EmulatorProcess) -> None:
    """No time left for a retry is no reason to skip the lookup: the cluster may exist."""
    emu.admin.set_faults(latency_ms=1500, methods=["POST"], seed=3)
    policy = RetryPolicy(
        deadline_seconds=1.0,
        max_attempts=4,
        request_timeout_seconds=0.5,
        initial_backoff_seconds=0.01,
        max_backoff_seconds=0.05,
        create_settle_seconds=5,
    )
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        cluster = client.create_cluster(cluster_request("at-the-wire"))
    assert [c["cluster_id"] for c in emu.admin.state()["clusters"]] == [cluster.cluster_id]
