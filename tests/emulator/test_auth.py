"""Authentication: bearer tokens, ``--api-key``, and the admin API staying open."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator_process import EmulatorProcess, start_emulator

from ._helpers import ok


@pytest.fixture(scope="module")
def keyed() -> Iterator[EmulatorProcess]:
    with start_emulator(api_key="s3cret-key") as process:
        yield process


def _unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["code"] == 16
    assert "Authorization: Bearer" in body["message"]
    assert body["details"] == []


def test_api_key_required(keyed: EmulatorProcess) -> None:
    with httpx.Client(base_url=keyed.base_url) as anonymous:
        _unauthenticated(anonymous.get("/v1/compute/clusters"))
    with keyed.client(api_key="wrong") as wrong:
        response = wrong.get("/v1/compute/clusters")
        _unauthenticated(response)
        assert "wrong" not in response.text and "s3cret" not in response.text
    with keyed.client(api_key="s3cret-key") as right:
        assert ok(right.get("/v1/compute/clusters")) == {"clusters": []}
        assert ok(right.get("/v1/compute/regions"))["regions"]


def test_any_non_empty_bearer_without_api_key(emu: EmulatorProcess) -> None:
    with emu.client(api_key="anything") as client:
        assert ok(client.get("/v1/compute/clusters")) == {"clusters": []}
    with httpx.Client(base_url=emu.base_url) as bare:
        _unauthenticated(bare.get("/v1/compute/clusters"))
        _unauthenticated(bare.get("/v1/compute/clusters", headers={"Authorization": "Bearer"}))
        _unauthenticated(bare.get("/v1/compute/clusters", headers={"Authorization": "Basic dXNlcjpwYXNz"}))
        # unauthenticated POSTs are refused before anything is created
        _unauthenticated(bare.post("/v1/compute/clusters/storage/volumes", json={"volume_name": "v"}))
    assert emu.admin.state()["volumes"] == []


def test_sdk_telemetry_headers_are_ignored(emu: EmulatorProcess) -> None:
    headers = {
        "X-Stainless-Lang": "python",
        "X-Stainless-Package-Version": "3.1.1",
        "X-Stainless-Retry-Count": "0",
        "X-Stainless-Async": "false",
    }
    with emu.client() as client:
        assert ok(client.get("/v1/compute/regions", headers=headers))["regions"]


def test_admin_api_needs_no_auth(keyed: EmulatorProcess) -> None:
    with httpx.Client(base_url=keyed.base_url) as anonymous:
        assert anonymous.get("/_emulator/clock").status_code == 200
        assert anonymous.get("/_emulator/state").status_code == 200


def test_unknown_route_has_error_shape(emu: EmulatorProcess) -> None:
    with emu.client() as client:
        response = client.get("/v1/compute/nothing-here")
        assert response.status_code == 404
        assert response.json()["code"] == 5


def test_sdk_sees_authentication_errors(keyed: EmulatorProcess) -> None:
    import together

    with (
        together.Together(api_key="wrong", base_url=keyed.base_url, max_retries=0) as client,
        pytest.raises(together.AuthenticationError),
    ):
        client.clusters.list()
    with together.Together(api_key="s3cret-key", base_url=keyed.base_url, max_retries=0) as client:
        assert client.clusters.list().clusters == []
