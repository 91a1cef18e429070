"""Request bodies and small assertions shared by the emulator tests."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
import pydantic

BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


def cluster_body(**overrides: Any) -> dict[str, Any]:
    """A valid minimal create body (us-central-8, 8 x H100, on demand); ``None`` removes a key."""
    body: dict[str, Any] = {
        "cluster_name": "test-cluster",
        "region": "us-central-8",
        "gpu_type": "H100_SXM",
        "num_gpus": 8,
        "billing_type": "ON_DEMAND",
        "nvidia_version_id": "nv-us-central-8-cu128-570-u2204",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def volume_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"volume_name": "data", "size_tib": 2, "region": "us-central-8"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, f"{response.status_code}: {response.text}"
    data: dict[str, Any] = response.json()
    return data


def violated_fields(response: httpx.Response) -> list[str]:
    """The ``field_violations[].field`` of a 400 answer (asserting the error shape on the way)."""
    assert response.status_code == 400, f"{response.status_code}: {response.text}"
    body = response.json()
    assert body["code"] == 3
    assert isinstance(body["message"], str) and body["message"]
    (detail,) = body["details"]
    assert detail["@type"] == BAD_REQUEST
    assert detail["detail"] == body["message"]  # what the official CLI prints
    return [v["field"] for v in detail["field_violations"]]


def create_cluster(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    return ok(client.post("/v1/compute/clusters", json=cluster_body(**overrides)))


def create_volume(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    return ok(client.post("/v1/compute/clusters/storage/volumes", json=volume_body(**overrides)))


M = TypeVar("M", bound=pydantic.BaseModel)


def strict(model: type[M], raw_json: str) -> M:
    """Validate strictly and refuse fields the SDK model does not declare (Stainless allows extras)."""
    instance = model.model_validate_json(raw_json, strict=True)
    _no_extras(instance, model.__name__)
    return instance


def _no_extras(value: Any, where: str) -> None:
    if isinstance(value, pydantic.BaseModel):
        assert not value.model_extra, f"{where}: fields unknown to the SDK: {sorted(value.model_extra)}"
        for name in type(value).model_fields:
            _no_extras(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_extras(item, f"{where}[{i}]")
