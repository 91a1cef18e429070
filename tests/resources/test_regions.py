"""get_regions / get_regions_output: plain Python over the client, typed results."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import together_pulumi as together
from emulator_admin import DEFAULT_API_KEY
from emulator_inprocess import InProcessEmulator
from together_pulumi.api.errors import ConfigurationError


def test_get_regions_returns_typed_regions(api: InProcessEmulator) -> None:
    regions = {r.name: r for r in together.get_regions()}
    assert {"B200_SXM"} <= set(regions["us-west-2"].gpu_types)
    assert {"H100_SXM", "H200_SXM"} <= set(regions["us-central-8"].gpu_types)
    newest = regions["us-central-8"].driver_versions[0]
    assert isinstance(newest, together.DriverVersionInfo)
    assert (newest.cuda_version, newest.nvidia_driver_version) == ("12.9", "575")
    assert newest.id.startswith("nv-us-central-8-")


def test_get_regions_takes_explicit_credentials(emu: InProcessEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)
    assert together.get_regions(api_key=DEFAULT_API_KEY, base_url=emu.base_url + "/v1")
    with pytest.raises(ConfigurationError, match="TOGETHER_API_KEY"):
        together.get_regions()


class NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return None, {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def program(api: InProcessEmulator) -> None:
    pulumi.runtime.set_mocks(NoResources(), project="p", stack="s", preview=False)


@pulumi.runtime.test  # type: ignore[untyped-decorator]
def test_get_regions_output_in_a_program(program: None) -> pulumi.Output[Any]:

    def check(regions: list[together.RegionInfo]) -> None:
        assert "us-central-8" in [r.name for r in regions]

    return together.get_regions_output().apply(check)
