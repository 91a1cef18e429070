"""Building a client: API key and base URL from arguments or the environment."""

from __future__ import annotations

import pytest

from emulator_process import EmulatorProcess
from together_pulumi.api import DEFAULT_BASE_URL, TogetherClient, errors, normalize_base_url

from ._helpers import FAST, REGIONS, SECRET_KEY, count


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOGETHER_API_KEY", raising=False)
    monkeypatch.delenv("TOGETHER_BASE_URL", raising=False)


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/", "//"])
def test_base_url_forms_reach_the_emulator(emu: EmulatorProcess, suffix: str) -> None:
    with TogetherClient(SECRET_KEY, emu.base_url + suffix, retry=FAST) as client:
        assert client.base_url == emu.base_url
        assert client.list_regions()
    assert count(emu, "GET", REGIONS) == 1  # the path was /v1/compute/regions, not /v1/v1/...


def test_base_url_from_environment(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_BASE_URL", emu.base_url + "/v1/")
    with TogetherClient(SECRET_KEY, retry=FAST) as client:
        assert client.base_url == emu.base_url
        assert client.list_regions()


def test_explicit_base_url_wins_over_environment(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_BASE_URL", "http://127.0.0.1:9")
    with TogetherClient(SECRET_KEY, emu.base_url, retry=FAST) as client:
        assert client.list_regions()


def test_default_base_url() -> None:
    client = TogetherClient(SECRET_KEY)
    assert client.base_url == DEFAULT_BASE_URL == "https://api.together.ai"
    client.close()


def test_api_key_from_environment(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", SECRET_KEY)
    monkeypatch.setenv("TOGETHER_BASE_URL", emu.base_url)
    with TogetherClient(retry=FAST) as client:
        assert client.list_regions()


@pytest.mark.parametrize(
    "url", ["not a url", "api.together.ai", "localhost:8080", "ftp://api.together.ai", "http://", "https:///v1"]
)
def test_malformed_base_url_is_configuration_error(url: str) -> None:
    with pytest.raises(errors.ConfigurationError, match="not an http\\(s\\) URL") as info:
        TogetherClient(SECRET_KEY, url)
    assert "https://api.together.ai" in str(info.value)  # says what a valid value looks like
    with pytest.raises(errors.ConfigurationError):
        normalize_base_url(url)


def test_malformed_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOGETHER_BASE_URL", "api.together.ai")
    with pytest.raises(errors.ConfigurationError):
        TogetherClient(SECRET_KEY)


@pytest.mark.parametrize("key", [None, ""])
def test_missing_key_is_configuration_error_saying_how_to_set_it(key: str | None) -> None:
    with pytest.raises(errors.ConfigurationError) as info:
        TogetherClient(key, "http://127.0.0.1:1")
    message = str(info.value)
    assert "TOGETHER_API_KEY" in message and "api_key" in message
    assert "together:" not in message  # the wire layer knows nothing of Pulumi's stack config
    assert isinstance(info.value, errors.TogetherError)


def test_normalize_base_url() -> None:
    assert normalize_base_url(" https://api.together.ai/v1/ ") == "https://api.together.ai"
    assert normalize_base_url("http://localhost:8000") == "http://localhost:8000"
    assert normalize_base_url("https://proxy.example/together/v1") == "https://proxy.example/together"
