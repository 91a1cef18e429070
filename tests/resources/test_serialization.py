"""Providers travel pickled in every resource's state: small, stateless, and never carrying the key."""

from __future__ import annotations

import base64

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from together_pulumi.resources import session
from together_pulumi.resources.gpu_cluster import ClusterProvider, ReadinessProvider
from together_pulumi.resources.shared_volume import SharedVolumeProvider

SECRET = "tg-secret-key-0123456789"
PROVIDERS = [ClusterProvider, ReadinessProvider, SharedVolumeProvider]


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
        assert f"{provider_class.__module__}".encode() in raw
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
