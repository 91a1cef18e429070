"""Providers travel pickled in every resource's state: small, stateless, and never carrying the key."""

from __future__ import annotations

import base64
import importlib
import json
import pickletools
from pathlib import Path
from typing import Any

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from emulator_inprocess import InProcessEmulator
from together_pulumi import pickled
from together_pulumi.host import session
from together_pulumi.pickled import ClusterProvider, ReadinessProvider, SharedVolumeProvider, VolumeReadinessProvider

from .conftest import NAMED_TRAIN

SECRET = "tg-secret-key-0123456789"
PROVIDERS = [ClusterProvider, ReadinessProvider, SharedVolumeProvider, VolumeReadinessProvider]
FIXTURES = Path(__file__).parent / "fixtures"
#: The __provider values stacks carry, by the version that wrote them: 0.1.0 (resources/ one module
#: per resource), 0.1.0 after resources/ was split into packages, and 0.2.0 on (the frozen names).
VERSIONS = ["0.1.0", "0.1.0-split", "0.2.0"]
PICKLES = {v: json.loads((FIXTURES / f"providers-{v}.json").read_text()) for v in VERSIONS}
OLD_PICKLES = PICKLES["0.1.0"]
CLASSES = {
    "together:Cluster": ClusterProvider,
    "together:ClusterReadiness": ReadinessProvider,
    "together:SharedVolume": SharedVolumeProvider,
    "together:VolumeReadiness": VolumeReadinessProvider,
}


@pytest.mark.parametrize("provider_class", PROVIDERS, ids=lambda c: c.__name__)
def test_round_trips_small_and_without_the_key(provider_class: type, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", SECRET)
    provider = provider_class()
    provider.configure(ConfigureRequest(Config({"together:apiKey": SECRET}, "proj")))
    try:
        serialized = serialize_provider(provider)
        raw = base64.b64decode(serialized)
        assert SECRET.encode() not in raw
        assert SECRET not in serialized
        # Pickled by reference (module + class name), not by value: small and stable across code edits.
        assert len(serialized) < 200, len(serialized)
        assert b"together_pulumi.pickled" in raw
        restored = dill.loads(raw)
        assert type(restored) is provider_class
        assert vars(restored) == {}
    finally:
        session.configure_from_stack({})


def test_configure_keeps_credentials_in_the_process_not_the_provider() -> None:
    provider = ClusterProvider()
    provider.configure(ConfigureRequest(Config({"together:apiKey": SECRET, "together:baseUrl": "http://x"}, "p")))
    try:
        creds = session.credentials()
        assert creds is not None and creds.api_key == SECRET and creds.base_url == "http://x"
        assert SECRET not in repr(creds)
        assert vars(provider) == {}
    finally:
        session.configure_from_stack({})


def _unpickle(serialized: str) -> Any:
    return dill.loads(base64.b64decode(serialized))


def test_providers_are_pickled_under_their_frozen_names() -> None:
    """What stacks store from 0.2.0 on, byte for byte: moving or renaming a provider class fails here."""
    for name, provider_class in CLASSES.items():
        assert serialize_provider(provider_class()) == PICKLES["0.2.0"][name], name
        assert getattr(pickled, provider_class.__name__) is provider_class


@pytest.mark.parametrize("version", VERSIONS)
def test_providers_pickled_by_every_version_still_load(version: str) -> None:
    stored = {name: value for name, value in PICKLES[version].items() if not name.startswith("_")}
    assert stored, version
    for name, value in stored.items():
        assert type(_unpickle(value)) is CLASSES[name], (version, name)


def test_the_legacy_names_are_the_ones_the_fixtures_hold() -> None:
    """Every module an earlier version pickled from is listed in pickled.LEGACY_NAMES, and still
    names the class there (so the list stays true when a class moves)."""
    written = {base64.b64decode(v) for p in PICKLES.values() for n, v in p.items() if not n.startswith("_")}
    listed = {(module, name) for name, modules in pickled.LEGACY_NAMES.items() for module in modules}
    for module, name in listed:
        assert getattr(importlib.import_module(module), name) is getattr(pickled, name), (module, name)
    for raw in written:
        module = next(str(arg) for _op, arg, _pos in pickletools.genops(raw) if isinstance(arg, str))
        assert module == "together_pulumi.pickled" or any(module == m for m, _ in listed), module


def test_a_stack_made_by_version_0_1_0_can_still_be_updated_and_destroyed(api: InProcessEmulator) -> None:
    """State written by 0.1.0: its __provider values, its random auto-names, a revision counter."""
    cluster_provider = _unpickle(OLD_PICKLES["together:Cluster"])
    volume_provider = _unpickle(OLD_PICKLES["together:SharedVolume"])
    volume_inputs = {"region": "us-central-8", "size_tib": 2, "volume_name": "data-k3x9a0q", "_autoname_prefix": "data"}
    volume = volume_provider.create(dict(volume_provider.check({}, volume_inputs).inputs))
    old_inputs = {
        "region": "us-central-8",
        "gpu_type": "H100_SXM",
        "num_gpus": 8,
        "cluster_name": "train-ke3poy9",
        "_autoname_prefix": "train",
        "volume_id": volume.id,
    }
    created = cluster_provider.create(dict(cluster_provider.check({}, old_inputs).inputs))
    old_state = {**created.outs, "revision": 0, "__provider": OLD_PICKLES["together:Cluster"]}

    # The new program passes a name seed; the old random name is kept, a scale is an update.
    program = {**old_inputs, "num_gpus": 16, **NAMED_TRAIN}
    del program["cluster_name"]
    news = dict(cluster_provider.check(old_state, program).inputs)
    assert news["cluster_name"] == "train-ke3poy9"
    diff = cluster_provider.diff(created.id, old_state, news)
    assert (diff.changes, diff.replaces) == (True, [])
    updated = cluster_provider.update(created.id, old_state, news)
    assert api.admin.state()["clusters"][0]["num_gpus"] == 16

    cluster_provider.delete(created.id, updated.outs)
    volume_provider.delete(volume.id, volume.outs)
    assert api.admin.state()["clusters"] == [] and api.admin.state()["volumes"] == []
