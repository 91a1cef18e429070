"""The emulator in this process: its FastAPI app behind ``httpx.ASGITransport``, no socket.

Use it where socket behaviour is not under test (validation, lifecycle, shapes, the SDK's view):
no process to start, no port, every request a call into the app. Faults that need a real socket
(a cut connection, a client timeout) and the command line stay with ``emulator_process``.

``in_process_emulator(**config)`` builds a fresh app from :class:`EmulatorConfig` fields (delays
default to 0 and the seed to 1, like the session process) and yields an
:class:`InProcessEmulator` with the same ``base_url``/``admin``/``client()`` as an
``EmulatorProcess``, plus ``sdk()`` (the official client over the same app), ``transport`` (for
``TogetherClient(transport=...)``) and ``emulator`` (the app's
:class:`~together_pulumi.emulator.Emulator`, for white-box checks).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import together
from fastapi import FastAPI

from emulator_admin import DEFAULT_API_KEY, Admin
from together_pulumi.emulator import Emulator, EmulatorConfig, create_app

__all__ = ["InProcessEmulator", "SyncAsgiTransport", "in_process_emulator"]

#: The host clients pretend to talk to (no socket is opened).
BASE_URL = "http://emulator.test"


class SyncAsgiTransport(httpx.BaseTransport):
    """A synchronous httpx transport over ``httpx.ASGITransport`` (which is async only).

    The app runs on one private event loop thread; each request is handed to it and waited for.
    Clients closing this transport do not stop it (several clients share it): call
    :meth:`shutdown` when the app is done.
    """

    def __init__(self, app: FastAPI) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="asgi-transport", daemon=True)
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def round_trip() -> tuple[int, httpx.Headers, bytes]:
            forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=body)
            response = await self._asgi.handle_async_request(forwarded)
            return response.status_code, response.headers, await response.aread()

        status, headers, content = asyncio.run_coroutine_threadsafe(round_trip(), self._loop).result()
        return httpx.Response(status, headers=headers, content=content, request=request)

    def close(self) -> None:
        """Shared by several clients: closing one of them must not stop the app."""

    def shutdown(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


@dataclass
class InProcessEmulator:
    """An emulator app in this process; every client reaches it through :attr:`transport`."""

    app: FastAPI
    transport: SyncAsgiTransport
    admin: Admin
    base_url: str = BASE_URL

    @property
    def emulator(self) -> Emulator:
        emulator: Emulator = self.app.state.emulator
        return emulator

    def client(self, api_key: str = DEFAULT_API_KEY, **kwargs: Any) -> httpx.Client:
        """An httpx client of the API with ``Authorization: Bearer <api_key>`` (none if empty)."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, transport=self.transport, **kwargs)

    def sdk(self, api_key: str = DEFAULT_API_KEY, **kwargs: Any) -> together.Together:
        """The official SDK over this app (``max_retries=0`` unless given)."""
        kwargs.setdefault("max_retries", 0)
        http = httpx.Client(transport=self.transport)
        return together.Together(api_key=api_key, base_url=self.base_url, http_client=http, **kwargs)


@contextmanager
def in_process_emulator(**config: Any) -> Iterator[InProcessEmulator]:
    """A fresh emulator app; ``config`` are :class:`EmulatorConfig` fields (e.g. ``api_key="k"``)."""
    settings: dict[str, Any] = {
        "provisioning_seconds": 0.0,
        "deletion_seconds": 0.0,
        "volume_provisioning_seconds": 0.0,
        "remediation_seconds": 0.0,
        "seed": 1,
    }
    settings.update(config)
    app = create_app(EmulatorConfig(**settings))
    transport = SyncAsgiTransport(app)
    try:
        with httpx.Client(base_url=BASE_URL, transport=transport) as admin_http:
            yield InProcessEmulator(app=app, transport=transport, admin=Admin(admin_http))
    finally:
        transport.shutdown()
