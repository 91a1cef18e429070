"""Identity and projects: ``whoami`` (catches an invalid key) and ``list_projects`` (all pages)."""

from __future__ import annotations

import json

import httpx

from emulator_inprocess import in_process_emulator
from emulator_process import EmulatorProcess
from together_pulumi.api import Identity, Project, TogetherClient, errors

from ._helpers import FAST, SECRET_KEY, count, mock_client
from .conftest import Catch

PROJECTS = "/v1/projects"


def test_whoami_names_the_keys_project(emu: EmulatorProcess, client: TogetherClient) -> None:
    identity = client.whoami()
    assert isinstance(identity, Identity)
    assert identity.type == "project_api_key"
    assert identity.project is not None and identity.project.id == "proj-emulator"
    assert identity.organization is not None and identity.organization.id == "org-emulator"
    assert identity.api_key is not None and SECRET_KEY not in identity.api_key.id
    assert count(emu, "GET", "/v3/whoami") == 1


def test_whoami_with_an_invalid_key_is_authentication_error(caught: Catch) -> None:
    with (
        in_process_emulator(api_key="the-right-key") as emu,
        TogetherClient(SECRET_KEY, emu.base_url, retry=FAST, transport=emu.transport) as client,
    ):
        exc = caught(errors.AuthenticationError, client.whoami)
        assert exc.path == "/v3/whoami"
        assert count(emu, "GET", "/v3/whoami") == 1  # not retried


def test_list_projects_follows_every_page(emu: EmulatorProcess, client: TogetherClient) -> None:
    ids = [f"proj-{i:03d}" for i in range(150)]
    emu.admin.set_projects(*ids)
    projects = client.list_projects()
    assert all(isinstance(p, Project) for p in projects)
    assert [p.id for p in projects] == ids
    assert projects[0].organization_id == "org-emulator" and projects[0].slug == "proj-000"
    sent = [e for e in emu.admin.requests_log()["requests"] if e["route"] == PROJECTS]
    # no limit is asked for (no source gives its maximum): the emulator's own page of 20 is taken
    assert len(sent) == 8  # 7 x 20 + 10; with limit=100 it would be 2


def test_identity_models_are_lenient() -> None:
    answers = {
        "/v3/whoami": {"type": "user_org_jwt", "user": {"id": "u1"}, "organization": {"id": "o1", "name": "O"}, "x": 1},
        PROJECTS: {"data": [{"id": "p1", "name": "P", "tier": "gold"}], "next_cursor": "p1"},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        body = answers.get(request.url.path)
        if body is None:
            return httpx.Response(404)
        return httpx.Response(200, content=json.dumps(body).encode(), headers={"content-type": "application/json"})

    with mock_client(handler) as client:
        identity = client.whoami()
        assert identity.type == "user_org_jwt" and identity.user is not None and identity.project is None
        assert identity.model_extra == {"x": 1}
        # a server repeating its cursor cannot make the client loop forever
        assert [p.id for p in client.list_projects()] == ["p1", "p1"]
