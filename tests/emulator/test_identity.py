"""Identity and projects: ``GET /v3/whoami``, ``GET /v1/projects`` and project checks on create.

The key is a project API key; its projects come from ``--project`` or ``PUT /_emulator/projects``
(the first is its own). Shapes are checked strictly against the SDK's types.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import together
from together.types import Project, WhoamiProjectAPIKey

from emulator_inprocess import InProcessEmulator

from ._helpers import cluster_body, ok, strict, violated_fields, volume_body


def test_whoami_is_a_project_api_key(app_emu: InProcessEmulator) -> None:
    with app_emu.client(api_key="secret-token-123") as client:
        response = client.get("/v3/whoami")
    identity = strict(WhoamiProjectAPIKey, response.text)
    assert isinstance(identity, WhoamiProjectAPIKey)
    assert identity.type == "project_api_key"
    assert identity.project.id == "proj-emulator" and identity.project.slug == "emulator"
    assert identity.organization.id == "org-emulator"
    assert identity.api_key.id.startswith("key-") and "secret-token-123" not in response.text
    with app_emu.client(api_key="another-token") as other:
        assert ok(other.get("/v3/whoami"))["api_key"]["id"] != identity.api_key.id  # one id per key
    assert app_emu.admin.requests_log()["counts"] == {"GET /v3/whoami": 2}


def test_whoami_needs_a_key(app_emu: InProcessEmulator) -> None:
    with app_emu.client(api_key="") as anonymous:
        assert anonymous.get("/v3/whoami").status_code == 401
    with app_emu.sdk(api_key="wrong") as sdk:
        assert sdk.whoami().type == "project_api_key"  # any non-empty key without --api-key
    with app_emu.sdk() as sdk:
        identity = sdk.whoami()  # the SDK's discriminated union picks the project-key variant
    assert isinstance(identity, WhoamiProjectAPIKey) and identity.project.id == "proj-emulator"


def test_projects_pages_as_the_sdk_reads_them(app_emu: InProcessEmulator) -> None:
    ids = ["proj-a", "proj-b", "proj-c", "proj-d", "proj-e"]
    app_emu.admin.set_projects(*ids)
    with app_emu.client() as client:
        first = ok(client.get("/v1/projects", params={"limit": 2}))
        assert set(first) == {"data", "next_cursor"}
        assert [p["id"] for p in first["data"]] == ["proj-a", "proj-b"] and first["next_cursor"] == "proj-b"
        for item in first["data"]:
            project = strict(Project, json.dumps(item))
            assert isinstance(project, Project) and project.organization_id == "org-emulator"
        last = ok(client.get("/v1/projects", params={"limit": 2, "after": "proj-d"}))
        assert [p["id"] for p in last["data"]] == ["proj-e"] and last["next_cursor"] is None
    with app_emu.sdk() as sdk:
        assert [p.id for p in sdk.projects.list(limit=2)] == ids  # auto-paging follows next_cursor
        assert [p.id for p in sdk.projects.list()] == ids
    pages = [e["path"] for e in app_emu.admin.requests_log()["requests"]]
    assert pages.count("/v1/projects") == 6  # 2 by hand, 3 pages of 2, then 1 page of 20


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"after": "proj-nope"}, "after")]
)
def test_projects_query_errors_name_the_field(app_emu: InProcessEmulator, params: dict[str, Any], field: str) -> None:
    with app_emu.client() as client:
        assert violated_fields(client.get("/v1/projects", params=params)) == [field]


def test_the_first_project_is_the_keys_own(app_emu: InProcessEmulator) -> None:
    app_emu.admin.set_projects("proj-b", "proj-emulator")
    with app_emu.client() as client:
        assert ok(client.get("/v3/whoami"))["project"]["id"] == "proj-b"
        cluster = ok(client.post("/v1/compute/clusters", json=cluster_body()))
        assert cluster["project_id"] == "proj-b" and cluster["ums_project_id"] == "proj-b"
        volume = ok(client.post("/v1/compute/clusters/storage/volumes", json=volume_body()))
    assert [v["project_id"] for v in app_emu.admin.state()["volumes"]] == ["proj-b"]
    assert volume["volume_name"] == "data"
    app_emu.admin.reset()  # back to the configured projects
    assert app_emu.admin.projects() == {
        "projects": [{"id": "proj-emulator", "name": "Emulator project", "slug": "emulator"}],
        "key_project_id": "proj-emulator",
    }


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/compute/clusters", cluster_body(project_id="proj-other"), "project_id"),
        (
            "/v1/compute/clusters",
            cluster_body(
                shared_volume={"region": "us-central-8", "size_tib": 1, "volume_name": "v", "project_id": "x"}
            ),
            "shared_volume.project_id",
        ),
        ("/v1/compute/clusters/storage/volumes", volume_body(project_id="proj-other"), "project_id"),
    ],
)
def test_unknown_project_is_refused(app_emu: InProcessEmulator, path: str, body: dict[str, object], field: str) -> None:
    with app_emu.client() as client:
        response = client.post(path, json=body)
    assert response.status_code == 403, response.text
    error = response.json()
    assert error["code"] == 7
    assert field in error["message"] and "proj-emulator" in error["message"]
    assert error["details"][0]["field_violations"][0]["field"] == field
    state = app_emu.admin.state()
    assert state["clusters"] == [] and state["volumes"] == []


def test_sdk_sees_permission_denied_for_an_unknown_project(app_emu: InProcessEmulator) -> None:
    with app_emu.sdk() as sdk, pytest.raises(together.PermissionDeniedError) as info:
        sdk.clusters.storage.create(volume_name="v", size_tib=1, region="us-central-8", project_id="proj-other")
    assert "project_id" in str(info.value)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "projects"),
        ({"projects": []}, "projects"),
        ({"projects": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}, "projects"),
        ({"projects": [{"id": "bad id!", "name": "A"}]}, "projects[0].id"),
        ({"projects": [{"id": "a"}]}, "projects[0].name"),
        ({"projects": ["a"]}, "projects[0]"),
    ],
)
def test_admin_projects_are_validated(app_emu: InProcessEmulator, body: dict[str, object], field: str) -> None:
    assert violated_fields(app_emu.admin.http.put("/_emulator/projects", json=body)) == [field]
    assert app_emu.admin.projects()["key_project_id"] == "proj-emulator"  # unchanged
