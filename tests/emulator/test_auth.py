"""Authentication: bearer tokens, ``--api-key``, and the admin API staying open (in-process: the
middleware reads headers, no socket is involved)."""

from __future__ import annotations

import httpx
import pytest
import together

from emulator_inprocess import InProcessEmulator

from ._helpers import ok
from .conftest import MakeAppEmu


@pytest.fixture
def keyed(make_app_emu: MakeAppEmu) -> InProcessEmulator:
    return make_app_emu(api_key="s3cret-key")


def _unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == 16
    assert "Authorization: Bearer" in body["message"]
    assert body["details"] == [
        {"@type": "type.googleapis.com/google.rpc.DebugInfo", "stack_entries": [], "detail": body["message"]}
    ]
    assert response.headers["www-authenticate"] == "Bearer"


def test_api_key_required(keyed: InProcessEmulator) -> None:
    with keyed.client(api_key="") as anonymous:
        _unauthenticated(anonymous.get("/v1/compute/clusters"))
    with keyed.client(api_key="wrong") as wrong:
        response = wrong.get("/v1/compute/clusters")
        _unauthenticated(response)
        assert "wrong" not in response.text and "s3cret" not in response.text
    with keyed.client(api_key="s3cret-key") as right:
        assert ok(right.get("/v1/compute/clusters")) == {"clusters": []}
        assert ok(right.get("/v1/compute/regions"))["regions"]
    assert [e["status"] for e in keyed.admin.requests_log()["requests"]] == [401, 401, 200, 200]


def test_any_non_empty_bearer_without_api_key(app_emu: InProcessEmulator) -> None:
    with app_emu.client(api_key="anything") as client:
        assert ok(client.get("/v1/compute/clusters")) == {"clusters": []}
    with app_emu.client(api_key="") as bare:
        _unauthenticated(bare.get("/v1/compute/clusters"))
        _unauthenticated(bare.get("/v1/compute/clusters", headers={"Authorization": "Bearer"}))
        _unauthenticated(bare.get("/v1/compute/clusters", headers={"Authorization": "Bearer   "}))
        _unauthenticated(bare.get("/v1/compute/clusters", headers={"Authorization": "Basic dXNlcjpwYXNz"}))
        # unauthenticated POSTs are refused before anything is created
        _unauthenticated(bare.post("/v1/compute/clusters/storage/volumes", json={"volume_name": "v"}))
    assert app_emu.admin.state()["volumes"] == []


def test_sdk_telemetry_headers_are_ignored(app_emu: InProcessEmulator) -> None:
    headers = {
        "X-Stainless-Lang": "python",
        "X-Stainless-Package-Version": "3.1.1",
        "X-Stainless-Retry-Count": "0",
        "X-Stainless-Async": "false",
    }
    with app_emu.client() as client:
        assert ok(client.get("/v1/compute/regions", headers=headers))["regions"]


def test_admin_api_needs_no_auth(keyed: InProcessEmulator) -> None:
    http = keyed.admin.http
    assert "authorization" not in http.headers
    assert http.get("/_emulator/clock").status_code == 200
    assert http.get("/_emulator/state").status_code == 200
    assert keyed.admin.requests_log()["requests"] == []  # and the admin API is not logged


def test_unknown_route_has_error_shape(app_emu: InProcessEmulator) -> None:
    with app_emu.client() as client:
        response = client.get("/v1/compute/nothing-here")
        assert response.status_code == 404
        body = response.json()
        assert (body["code"], body["message"]) == (5, "no route for GET /v1/compute/nothing-here")
        assert body["details"][0]["detail"] == body["message"]
        response = client.patch("/v1/compute/regions")
        assert response.status_code == 405
        assert response.json()["message"] == "no route for PATCH /v1/compute/regions"


def test_sdk_sees_authentication_errors(keyed: InProcessEmulator) -> None:
    with keyed.sdk(api_key="wrong") as client, pytest.raises(together.AuthenticationError):
        client.clusters.list()
    with keyed.sdk(api_key="s3cret-key") as client:
        assert client.clusters.list().clusters == []
