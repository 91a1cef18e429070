"""The functions as the component plugin serves them: invokes through its gRPC servicer, against the emulator.

The servicer is called as the engine calls it: ``Configure`` with the stack config of package
``together`` (the credentials a function reads), then ``Invoke`` with camelCase arguments; the answer
is read from the wire format, where a secret is marked as one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto, rpc

from emulator_admin import DEFAULT_API_KEY
from emulator_inprocess import InProcessEmulator
from together_pulumi.component.functions import FUNCTION_TOKENS, SPECS
from together_pulumi.component.provider import TogetherComponents, _Servicer
from together_pulumi.host import session

from .test_lookups import make_cluster, make_volume

SECRET = {rpc._special_sig_key: rpc._special_secret_sig}


class Aborted(Exception):
    pass


class Context:
    """The gRPC call context, as far as the servicer uses it."""

    async def abort(self, code: Any, details: str) -> None:
        raise Aborted(details)


def invoke(config: dict[str, str], token: str, **args: Any) -> dict[str, Any]:
    """``Configure(config)`` then ``Invoke(token, args)``; the answer as plain JSON (secrets marked).

    No key in the environment meanwhile: the function has the one ``config`` gives it (the test's own
    calls, which make clusters, use the environment's).
    """
    with pytest.MonkeyPatch.context() as env:
        env.delenv("TOGETHER_API_KEY", raising=False)
        loop = asyncio.new_event_loop()  # not asyncio.run: it would unset the loop other tests' Outputs use
        try:
            return loop.run_until_complete(_invoke(config, token, args))
        finally:
            loop.close()


async def _invoke(config: dict[str, str], token: str, args: dict[str, Any]) -> dict[str, Any]:
    servicer = _Servicer(TogetherComponents(), [], engine_address="")
    await servicer.Configure(proto.ConfigureRequest(variables=config), Context())
    request = proto.InvokeRequest(tok=token, args=await rpc.serialize_properties(args, {}))
    response = await servicer.Invoke(request, Context())
    answer: struct_pb2.Struct = getattr(response, "return")
    found: dict[str, Any] = json_format.MessageToDict(answer)
    return found


@pytest.fixture
def configured(api: InProcessEmulator) -> dict[str, str]:
    """The stack config the engine sends to the plugin's Configure."""
    api.admin.set_projects("proj-a", "proj-b")
    # The engine's old key form, as it sends them (together:config:apiKey for together:apiKey).
    return {
        "together:config:apiKey": DEFAULT_API_KEY,
        "together:config:baseUrl": api.base_url,
        "together:config:projectId": "proj-b",
    }


def test_every_function_of_the_schema_is_served() -> None:
    import json
    from pathlib import Path

    schema = json.loads((Path(__file__).resolve().parents[2] / "schema.json").read_text())
    assert set(FUNCTION_TOKENS) == set(schema["functions"])


def test_get_regions_answers_with_the_catalog(configured: dict[str, str]) -> None:
    regions = invoke(configured, "together:index:getRegions")["regions"]
    central = next(r for r in regions if r["name"] == "us-central-8")
    assert "H100_SXM" in central["gpuTypes"]
    assert {"id", "cudaVersion", "nvidiaDriverVersion", "os"} == set(central["driverVersions"][0])


def test_a_cluster_is_found_in_the_configured_project_and_its_kubeconfig_stays_secret(
    configured: dict[str, str],
) -> None:
    make_cluster("train", "proj-a")
    cluster_id = make_cluster("train", "proj-b", cluster_type="SLURM", slurm_shm_size_gib=64)

    found = invoke(configured, "together:index:getCluster", clusterName="train")  # in together:projectId

    assert (found["clusterId"], found["projectId"], found["numGpus"], found["status"]) == (
        cluster_id,
        "proj-b",
        16,
        "Ready",
    )
    assert found["gpuWorkerNodes"][0]["nodeId"] and found["slurmWorkerHostnames"]
    kubeconfig = found["kubeconfig"]
    assert {k: kubeconfig[k] for k in SECRET} == SECRET and "clusters:" in kubeconfig["value"]
    assert found["kubernetesEndpoint"] and cluster_id in found["kubernetesEndpoint"]  # not secret
    listed = invoke(configured, "together:index:listClusters")["clusters"]
    assert [c["clusterId"] for c in listed] == [cluster_id]
    assert listed[0]["kubeconfig"][rpc._special_sig_key] == rpc._special_secret_sig


def test_volumes_are_found_by_id_and_listed(configured: dict[str, str]) -> None:
    volume_id = make_volume("data", "proj-b")
    found = invoke(configured, "together:index:getSharedVolume", volumeId=volume_id)
    assert (found["volumeName"], found["sizeTib"]) == ("data", 2)
    listed = invoke(configured, "together:index:listSharedVolumes")["volumes"]
    assert [v["volumeId"] for v in listed] == [volume_id]


@pytest.mark.parametrize(
    ("token", "args", "message"),
    [
        ("together:index:getCluster", {}, "together:index:getCluster: give clusterId or clusterName (one of them)"),
        (
            "together:index:getCluster",
            {"clusterName": "nope"},
            "together:index:getCluster: no cluster named 'nope' in project proj-b; clusters there: none",
        ),
        (
            "together:index:getCluster",
            {"name": "train"},
            "together:index:getCluster: unknown argument name; it takes clusterId, clusterName, projectId",
        ),
        (
            "together:index:getRemediation",
            {"clusterId": "c-1"},
            "together:index:getRemediation: remediationId is required; it takes clusterId, remediationId, instanceId",
        ),
        (
            "together:index:getRegion",
            {},
            "unknown function together:index:getRegion; this plugin serves together:index:getRegions, ",
        ),
    ],
)
def test_a_failing_invoke_names_the_function_and_what_is_valid(
    configured: dict[str, str], token: str, args: dict[str, Any], message: str
) -> None:
    with pytest.raises(Aborted) as failed:
        invoke(configured, token, **args)
    assert str(failed.value).startswith(message)


def test_without_a_key_the_invoke_says_which_config_to_set(configured: dict[str, str]) -> None:
    for token in ("together:index:listClusters", "together:index:getRegions"):
        with pytest.raises(Aborted) as failed:
            invoke({}, token)
        assert str(failed.value) == (
            f"{token}: no Together API key: set the stack config together:apiKey (pulumi config set --secret "
            "together:apiKey ...) or TOGETHER_API_KEY in the environment of pulumi"
        )


def test_a_secret_argument_is_used_as_its_value_and_makes_the_result_secret(configured: dict[str, str]) -> None:
    cluster_id = make_cluster("train", "proj-b")
    found = invoke(configured, "together:index:getCluster", clusterId={**SECRET, "value": cluster_id})
    assert {k: found["clusterId"][k] for k in SECRET} == SECRET and found["clusterId"]["value"] == cluster_id
    assert found["status"] == {**SECRET, "value": "Ready"}


def test_remediations_and_projects_are_served_by_the_same_adapter(
    configured: dict[str, str], api: InProcessEmulator
) -> None:
    cluster_id = make_cluster("train", "proj-b")
    node = session.client().get_cluster(cluster_id).gpu_worker_nodes[0].instance_id or ""
    api.admin.health_event(cluster_id, node, mode="REMEDIATION_MODE_REBOOT_VM")

    waiting = invoke(configured, "together:index:listRemediations", clusterId=cluster_id, states=["PENDING_APPROVAL"])[
        "remediations"
    ]
    assert [(r["instanceId"], r["mode"], r["state"]) for r in waiting] == [
        (node, "REMEDIATION_MODE_REBOOT_VM", "PENDING_APPROVAL")
    ]
    one = invoke(configured, "together:index:getRemediation", clusterId=cluster_id, remediationId=waiting[0]["id"])
    assert one["id"] == waiting[0]["id"]
    projects = invoke(configured, "together:index:listProjects")["projects"]
    assert {"proj-a", "proj-b"} <= {p["id"] for p in projects}
    with pytest.raises(Aborted, match=r"^together:index:listRemediations: states must be among "):
        invoke(configured, "together:index:listRemediations", clusterId=cluster_id, states=["SOON"])


def test_an_invoke_does_not_hold_up_the_plugins_other_calls(
    configured: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The function reads the API synchronously; the server's event loop (constructs) keeps running."""

    def slow(**_: Any) -> list[Any]:
        time.sleep(0.5)
        return []

    token = "together:index:listProjects"
    monkeypatch.setitem(SPECS, token, dataclasses.replace(SPECS[token], call=slow))

    async def run() -> tuple[dict[str, Any], int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        answer = await _invoke(configured, token, {})
        ticker.cancel()
        return answer, ticks

    loop = asyncio.new_event_loop()
    try:
        answer, ticks = loop.run_until_complete(run())
    finally:
        loop.close()
    assert answer == {"projects": []}
    assert ticks >= 20, f"the loop ran {ticks} times in 0.5 s"
