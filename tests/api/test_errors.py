"""Every error class of :mod:`together_pulumi.api.errors`, each produced by a real emulator answer.

Only the error body shapes the emulator never sends (``{"error": {...}}``, plain text, 403, 408,
422) use ``httpx.MockTransport``.
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import socket

import httpx
import pytest

from emulator_inprocess import in_process_emulator
from emulator_process import EmulatorProcess
from together_pulumi.api import ClusterUpdateRequest, RetryPolicy, TogetherClient, VolumeUpdateRequest, errors

from ._helpers import (
    CLUSTER,
    CLUSTERS,
    FAST,
    REGION,
    REGIONS,
    SECRET_KEY,
    VOLUME,
    cluster_request,
    count,
    mock_client,
    volume_request,
    wait_for_log,
)
from .conftest import Catch

# --- real responses --------------------------------------------------------------------------------


def test_400_is_invalid_request_naming_the_field(emu: EmulatorProcess, client: TogetherClient, caught: Catch) -> None:
    exc = caught(errors.InvalidRequestError, client.create_cluster, cluster_request(num_gpus=12))
    assert exc.status_code == 400
    assert exc.field == "num_gpus"
    assert exc.method == "POST" and exc.path == CLUSTERS
    assert "num_gpus" in exc.server_message
    assert "(field num_gpus)" in str(exc)
    assert count(emu, "POST", CLUSTERS) == 1  # never retried
    assert emu.admin.state()["clusters"] == []


def test_400_on_update_names_the_field_and_is_not_retried(
    emu: EmulatorProcess, client: TogetherClient, caught: Catch
) -> None:
    cluster = client.create_cluster(cluster_request())
    exc = caught(
        errors.InvalidRequestError, client.update_cluster, cluster.cluster_id, ClusterUpdateRequest(num_gpus=12)
    )
    assert exc.field == "num_gpus"
    assert exc.method == "PUT"
    assert count(emu, "PUT", CLUSTER) == 1


def test_401_with_a_wrong_key_is_authentication_error(caught: Catch) -> None:
    # In-process: authentication is header handling, no socket behaviour is involved.
    with (
        in_process_emulator(api_key="the-right-key") as emu,
        TogetherClient(SECRET_KEY, emu.base_url, retry=FAST, transport=emu.transport) as client,
    ):
        exc = caught(errors.AuthenticationError, client.list_regions)
        assert exc.status_code == 401
        assert "API key" in exc.server_message
        assert count(emu, "GET", REGIONS) == 1  # a 401 is not retried
        with TogetherClient("the-right-key", emu.base_url, retry=FAST, transport=emu.transport) as good:
            assert good.list_regions()


def test_404_is_not_found_and_not_retried(emu: EmulatorProcess, client: TogetherClient, caught: Catch) -> None:
    exc = caught(errors.NotFoundError, client.get_cluster, "t-does-not-exist")
    assert exc.status_code == 404
    assert exc.path == f"{CLUSTERS}/t-does-not-exist"
    assert "t-does-not-exist" in exc.server_message
    assert count(emu, "GET", CLUSTER) == 1
    caught(errors.NotFoundError, client.get_volume, "vol-nope")
    caught(errors.NotFoundError, client.delete_volume, "vol-nope")
    caught(errors.NotFoundError, client.delete_cluster, "t-nope")
    caught(errors.NotFoundError, client.update_volume, VolumeUpdateRequest(volume_id="vol-nope", size_tib=3))
    assert count(emu, "DELETE", VOLUME) == 1


def test_409_out_of_stock(emu: EmulatorProcess, client: TogetherClient, caught: Catch) -> None:
    emu.admin.set_capacity(REGION, "H100_SXM", 8)
    exc = caught(errors.ConflictError, client.create_cluster, cluster_request(num_gpus=16))
    assert exc.status_code == 409
    assert exc.out_of_stock is True
    assert count(emu, "POST", CLUSTERS) == 1
    assert emu.admin.state()["clusters"] == []


def test_409_other_conflict_is_not_out_of_stock(emu: EmulatorProcess, client: TogetherClient, caught: Catch) -> None:
    volume = client.create_volume(volume_request())
    client.create_cluster(cluster_request(volume_id=volume.volume_id))
    exc = caught(errors.ConflictError, client.delete_volume, volume.volume_id)
    assert exc.out_of_stock is False
    assert "bound" in exc.server_message


def test_429_after_retries_is_rate_limit_error(emu: EmulatorProcess, caught: Catch) -> None:
    emu.admin.set_faults(rate_429=1.0, retry_after_seconds=0.05)
    policy = dataclasses.replace(FAST, max_attempts=2)
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        exc = caught(errors.RateLimitError, client.list_clusters)
    assert exc.status_code == 429
    assert exc.retry_after == pytest.approx(0.05)
    assert count(emu, "GET", CLUSTERS) == 2


@pytest.mark.parametrize("kind,status", [("rate_500", 500), ("rate_503", 503)])
def test_5xx_after_retries_is_server_error(emu: EmulatorProcess, caught: Catch, kind: str, status: int) -> None:
    emu.admin.set_faults(**{kind: 1.0}, retry_after_seconds=0.01)
    policy = dataclasses.replace(FAST, max_attempts=2)
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        exc = caught(errors.ServerError, client.list_regions)
    assert exc.status_code == status
    assert "injected" in exc.server_message
    assert count(emu, "GET", REGIONS) == 2


def test_dropped_connection_is_connection_error(emu: EmulatorProcess, caught: Catch) -> None:
    emu.admin.set_faults(drop_rate=1.0)
    policy = dataclasses.replace(FAST, max_attempts=2)
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        exc = caught(errors.ConnectionError, client.list_clusters)
    assert isinstance(exc, errors.TransportError)
    assert isinstance(exc, builtins.ConnectionError)
    assert exc.request_sent is True  # the request reached the server: its effect is unknown
    assert exc.method == "GET" and exc.path == CLUSTERS
    assert count(emu, "GET", CLUSTERS) == 2


def test_closed_port_is_connection_error_not_sent(caught: Catch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    policy = dataclasses.replace(FAST, max_attempts=2)
    with TogetherClient(SECRET_KEY, f"http://127.0.0.1:{port}", retry=policy) as client:
        exc = caught(errors.ConnectionError, client.list_regions)
        assert exc.request_sent is False
        # a create against a dead port fails cleanly too (nothing can have been created)
        exc = caught(errors.ConnectionError, client.create_cluster, cluster_request())
        assert exc.request_sent is False


def test_slow_answer_is_timeout_error(emu: EmulatorProcess, caught: Catch) -> None:
    emu.admin.set_faults(latency_ms=400)
    policy = dataclasses.replace(FAST, max_attempts=2, request_timeout_seconds=0.1)
    with TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        exc = caught(errors.TimeoutError, client.list_regions)
    assert isinstance(exc, builtins.TimeoutError)
    assert isinstance(exc, errors.TransportError)
    assert exc.method == "GET" and exc.path == REGIONS
    wait_for_log(emu, 2)  # both delayed requests land (and are logged) before the next test resets
    assert count(emu, "GET", REGIONS) == 2


# --- shapes the emulator does not produce (MockTransport) -----------------------------------------------


def _respond(status: int, body: object | None = None, text: str | None = None, **headers: str) -> httpx.Response:
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"content-type": "application/json", **headers}
    )


def test_openai_style_error_body(caught: Catch) -> None:
    body = {
        "error": {"message": "num_gpus must be a multiple of 8", "type": "invalid_request_error", "param": "num_gpus"}
    }
    with mock_client(lambda request: _respond(400, body)) as client:
        exc = caught(errors.InvalidRequestError, client.list_regions)
    assert exc.server_message == "num_gpus must be a multiple of 8"
    assert exc.field == "num_gpus"


def test_openai_style_error_without_param_or_message(caught: Catch) -> None:
    with mock_client(lambda request: _respond(404, {"error": {"type": "not_found"}})) as client:
        exc = caught(errors.NotFoundError, client.get_cluster, "x")
    assert exc.server_message == "not_found" and exc.field is None
    with mock_client(lambda request: _respond(409, {"error": "Out of stock in us-west-2"})) as client:
        conflict = caught(errors.ConflictError, client.create_cluster, cluster_request())
    assert conflict.out_of_stock is True


def test_grpc_gateway_error_body(caught: Catch) -> None:
    body = {
        "code": 3,
        "message": "bad size",
        "details": [{"@type": "x", "fieldViolations": [{"field": "size_tib", "description": "bad size"}]}],
    }
    with mock_client(lambda request: _respond(400, body)) as client:
        exc = caught(errors.InvalidRequestError, client.list_volumes)
    assert exc.server_message == "bad size" and exc.field == "size_tib"


def test_plain_text_and_empty_bodies(caught: Catch) -> None:
    policy = dataclasses.replace(FAST, max_attempts=1)
    with mock_client(lambda request: _respond(502, text="upstream connect error\n"), retry=policy) as client:
        exc = caught(errors.ServerError, client.list_regions)
    assert exc.status_code == 502 and exc.server_message == "upstream connect error"
    with mock_client(lambda request: httpx.Response(500), retry=policy) as client:
        exc = caught(errors.ServerError, client.list_regions)
    assert exc.server_message == "Internal Server Error"
    with mock_client(lambda request: _respond(400, ["not", "an", "object"]), retry=policy) as client:
        exc = caught(errors.InvalidRequestError, client.list_regions)
    assert "not" in exc.server_message


@pytest.mark.parametrize(
    "status,cls",
    [
        (403, errors.PermissionDeniedError),
        (422, errors.InvalidRequestError),
        (418, errors.APIStatusError),
        (501, errors.ServerError),
    ],
)
def test_statuses_the_emulator_never_sends(caught: Catch, status: int, cls: type[errors.APIStatusError]) -> None:
    policy = dataclasses.replace(FAST, max_attempts=1)
    with mock_client(lambda request: _respond(status, {"message": "nope"}), retry=policy) as client:
        exc = caught(cls, client.list_regions)
    assert type(exc) is cls and exc.status_code == status


def test_408_is_retried() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return _respond(408, {"message": "request timeout"}) if len(seen) < 3 else _respond(200, {"regions": []})

    with mock_client(handler) as client:
        assert client.list_regions() == []
    assert seen == ["GET", "GET", "GET"]


def test_retry_after_http_date(caught: Catch) -> None:
    policy = RetryPolicy(max_attempts=1)
    date = "Wed, 21 Oct 2015 07:28:00 GMT"  # in the past: wait 0
    with mock_client(
        lambda request: _respond(429, {"message": "slow down"}, **{"retry-after": date}), retry=policy
    ) as c:
        exc = caught(errors.RateLimitError, c.list_regions)
    assert exc.retry_after == 0.0


def test_malformed_success_body_is_reported(caught: Catch) -> None:
    with mock_client(lambda request: _respond(200, {"cluster_id": "t-1"})) as client:
        exc = caught(errors.APIStatusError, client.get_cluster, "t-1")
    assert "unexpected response shape for Cluster" in str(exc)


def test_path_ids_are_guarded_and_quoted(emu: EmulatorProcess, client: TogetherClient, caught: Catch) -> None:
    with pytest.raises(ValueError, match="cluster_id must be a non-empty string"):
        client.get_cluster("  ")
    with pytest.raises(ValueError, match="volume_id must be a non-empty string"):
        client.delete_volume("")
    # a slash in an id cannot reach another route: it is escaped, so the answer is a plain 404
    caught(errors.NotFoundError, client.get_cluster, "../regions")
