"""Fault injection and the request log."""

from __future__ import annotations

import time

import httpx
import pytest

from emulator_process import EmulatorProcess

from ._helpers import create_cluster, ok, volume_body

VOLUMES = "/v1/compute/clusters/storage/volumes"


def _statuses(emu: EmulatorProcess, n: int) -> list[int]:
    with emu.client() as client:
        return [client.get("/v1/compute/regions").status_code for _ in range(n)]


def test_same_seed_same_faults(emu: EmulatorProcess) -> None:
    settings = {"rate_429": 0.3, "rate_500": 0.2, "rate_503": 0.1, "seed": 7}
    emu.admin.set_faults(**settings)
    first = _statuses(emu, 40)
    emu.admin.set_faults(seed=7)  # re-seeding restarts the stream
    second = _statuses(emu, 40)
    assert first == second
    assert {200, 429, 500, 503} <= set(first)
    emu.admin.set_faults(seed=8)
    assert _statuses(emu, 40) != first
    # after reset, faults are off
    emu.admin.reset()
    assert set(_statuses(emu, 10)) == {200}


def test_429_and_503_carry_retry_after(emu: EmulatorProcess) -> None:
    emu.admin.set_faults(rate_429=1, retry_after_seconds=0.05)
    with emu.client() as client:
        response = client.get("/v1/compute/clusters")
        assert response.status_code == 429
        assert float(response.headers["retry-after"]) == pytest.approx(0.05)
        assert response.headers["retry-after-ms"] == "50"
        assert response.json()["code"] == 8
        emu.admin.set_faults(rate_429=0, rate_503=1, retry_after_seconds=2)
        response = client.get("/v1/compute/clusters")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert response.json()["code"] == 14
        emu.admin.set_faults(rate_503=0, rate_500=1)
        response = client.get("/v1/compute/clusters")
        assert response.status_code == 500 and response.json()["code"] == 13


def test_drop_makes_the_client_fail(emu: EmulatorProcess) -> None:
    emu.admin.set_faults(drop_rate=1)
    with emu.client() as client, pytest.raises(httpx.TransportError):
        client.get("/v1/compute/clusters")
    emu.admin.set_faults(drop_rate=0)
    with emu.client() as client:
        assert ok(client.get("/v1/compute/clusters")) == {"clusters": []}
    entry = emu.admin.requests_log()["requests"][0]
    assert entry["fault"] == "drop" and entry["status"] == 0


@pytest.mark.parametrize("kind", ["rate_500", "rate_503", "drop_rate"])
def test_after_commit_faults_really_commit(emu: EmulatorProcess, kind: str) -> None:
    emu.admin.set_faults(**{kind: 1}, methods=["POST"], after_commit_ratio=1)
    with emu.client() as client:
        try:
            response = client.post(VOLUMES, json=volume_body(volume_name="ambiguous"))
            assert response.status_code >= 500
        except httpx.TransportError:
            assert kind == "drop_rate"
        # GETs are not faulted (methods=["POST"]): the volume exists although the client saw a failure
        volumes = ok(client.get(VOLUMES))["volumes"]
        assert [v["volume_name"] for v in volumes] == ["ambiguous"]
    log = emu.admin.requests_log()["requests"]
    assert log[0]["after_commit"] is True and log[0]["fault"] is not None


def test_before_commit_faults_change_nothing(emu: EmulatorProcess) -> None:
    emu.admin.set_faults(rate_500=1, methods=["POST"], after_commit_ratio=0)
    with emu.client() as client:
        assert client.post(VOLUMES, json=volume_body()).status_code == 500
        assert ok(client.get(VOLUMES))["volumes"] == []


def test_reads_are_never_after_commit(emu: EmulatorProcess) -> None:
    emu.admin.set_faults(rate_500=1, after_commit_ratio=1, methods=["GET"])
    with emu.client() as client:
        assert client.get(VOLUMES).status_code == 500
    assert emu.admin.requests_log()["requests"][0]["after_commit"] is False


def test_methods_and_path_prefix_limit_faults(emu: EmulatorProcess) -> None:
    config = emu.admin.set_faults(rate_500=1, methods="get", path_prefix="/v1/compute/clusters")
    assert config["methods"] == ["GET"]
    with emu.client() as client:
        assert client.get("/v1/compute/regions").status_code == 200  # other prefix
        assert client.post(VOLUMES, json=volume_body()).status_code == 200  # other method
        assert client.get(VOLUMES).status_code == 500
    # the admin API is never faulted
    assert emu.admin.state()["volumes"]
    assert emu.admin.faults()["rate_500"] == 1


def test_latency(emu: EmulatorProcess) -> None:
    emu.admin.set_faults(latency_ms=150)
    with emu.client() as client:
        started = time.monotonic()
        assert client.get("/v1/compute/regions").status_code == 200
        assert time.monotonic() - started >= 0.15


def test_request_log(emu: EmulatorProcess) -> None:
    with emu.client() as client:
        cluster = create_cluster(client)
        for _ in range(3):
            client.get(f"/v1/compute/clusters/{cluster['cluster_id']}")
        client.get("/v1/compute/clusters/t-unknown")
        emu.admin.set_faults(rate_429=1)
        client.get("/v1/compute/regions")
    log = emu.admin.requests_log()
    assert log["counts"] == {
        "POST /v1/compute/clusters": 1,
        "GET /v1/compute/clusters/{cluster_id}": 4,
        "GET /v1/compute/regions": 1,
    }
    statuses = [(e["method"], e["route"], e["status"]) for e in log["requests"]]
    assert statuses[-2:] == [("GET", "/v1/compute/clusters/{cluster_id}", 404), ("GET", "/v1/compute/regions", 429)]
    assert log["requests"][1]["path"] == f"/v1/compute/clusters/{cluster['cluster_id']}"
    emu.admin.clear_requests()
    assert emu.admin.requests_log() == {"requests": [], "counts": {}}


def test_an_after_commit_fault_never_hides_a_request_that_was_not_applied(emu: EmulatorProcess) -> None:
    """A refused create stays a refusal: the 409 goes out and the log shows no injected fault."""
    from ._helpers import cluster_body

    emu.admin.set_capacity("us-central-8", "H100_SXM", 0)
    emu.admin.set_faults(rate_503=1.0, after_commit_ratio=1.0, methods=["POST"], seed=5)
    with emu.client() as client:
        response = client.post("/v1/compute/clusters", json=cluster_body())
    assert response.status_code == 409
    assert "Out of stock" in response.json()["message"]
    entry = emu.admin.requests_log()["requests"][-1]
    assert (entry["status"], entry["fault"], entry["after_commit"]) == (409, None, False)
    assert emu.admin.state()["clusters"] == []


def test_latency_still_applies_a_request_whose_client_gave_up(emu: EmulatorProcess) -> None:
    from ._helpers import cluster_body

    emu.admin.set_faults(latency_ms=300, methods=["POST"], seed=5)
    with emu.client(timeout=0.1) as client, pytest.raises(httpx.ReadTimeout):
        client.post("/v1/compute/clusters", json=cluster_body(cluster_name="late"))
    deadline = time.monotonic() + 5
    while not emu.admin.state()["clusters"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [c["cluster_name"] for c in emu.admin.state()["clusters"]] == ["late"]
