"""Per-process credentials, HTTP client and region catalogue for the provider methods.

Providers are pickled into every resource's state, so they hold nothing: credentials arrive through
``configure()`` (stack config ``together:apiKey`` / ``together:baseUrl``, secrets already decrypted)
and are kept here, in the provider process only, never on the provider object. The client and the
region catalogue are built lazily, once per process and credentials, and shared by the (up to four)
threads the dynamic provider host serves requests on.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..api import TogetherClient
from ..api.models import Region

__all__ = ["Credentials", "catalogue", "client", "configure_from_stack", "credentials"]

API_KEY_CONFIG = "together:apiKey"
BASE_URL_CONFIG = "together:baseUrl"

_lock = threading.Lock()
_stack_config: dict[str, str] = {}
_clients: dict[tuple[str | None, str], TogetherClient] = {}
_catalogues: dict[tuple[str | None, str], dict[str, Region]] = {}


@dataclass(frozen=True)
class Credentials:
    """Where to reach the API. ``repr`` hides the key."""

    api_key: str
    base_url: str | None

    def __repr__(self) -> str:
        return f"Credentials(api_key=<hidden>, base_url={self.base_url!r})"

    @property
    def cache_key(self) -> tuple[str | None, str]:
        return self.base_url, hashlib.sha256(self.api_key.encode()).hexdigest()


def configure_from_stack(config: Mapping[str, Any]) -> None:
    """Remember the stack's Together settings (called from every provider's ``configure``)."""
    with _lock:
        _stack_config.clear()
        for key in (API_KEY_CONFIG, BASE_URL_CONFIG):
            value = config.get(key)
            if value:
                _stack_config[key] = str(value)


def credentials() -> Credentials | None:
    """Stack config first, then ``TOGETHER_API_KEY`` / ``TOGETHER_BASE_URL``; None without a key."""
    with _lock:
        key = _stack_config.get(API_KEY_CONFIG) or os.environ.get("TOGETHER_API_KEY")
        base_url = _stack_config.get(BASE_URL_CONFIG) or os.environ.get("TOGETHER_BASE_URL")
    return Credentials(key, base_url) if key else None


def client() -> TogetherClient:
    """The shared client for the current credentials (raises ConfigurationError without a key)."""
    creds = credentials()
    if creds is None:
        return TogetherClient()  # raises the ConfigurationError that tells the user what to set
    with _lock:
        found = _clients.get(creds.cache_key)
        if found is None:
            found = _clients[creds.cache_key] = TogetherClient(creds.api_key, creds.base_url)
        return found


def catalogue() -> dict[str, Region] | None:
    """Regions by name, fetched once per process; None when there are no credentials."""
    creds = credentials()
    if creds is None:
        return None
    with _lock:
        cached = _catalogues.get(creds.cache_key)
    if cached is not None:
        return cached
    regions = {region.name: region for region in client().list_regions()}
    with _lock:
        _catalogues[creds.cache_key] = regions
    return regions


def forget_catalogue() -> None:
    """Drop cached catalogues (tests that change the emulator's regions)."""
    with _lock:
        _catalogues.clear()
