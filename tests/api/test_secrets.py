"""The API key never shows: not in logs, output, exceptions (str, repr, traceback) or ``repr(client)``.

The autouse guard in ``conftest.py`` applies the same checks to every test of this directory; this
test gathers the failure modes in one place so the property is visible (and checked) on its own.
"""

from __future__ import annotations

import dataclasses
import logging
import socket

import pytest

from emulator_process import start_emulator
from together_pulumi.api import ClusterUpdateRequest, TogetherClient, errors

from ._helpers import FAST, SECRET_KEY, cluster_request
from .conftest import assert_exception_clean


def test_key_never_leaks(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="together_pulumi.api")
    policy = dataclasses.replace(FAST, max_attempts=2, request_timeout_seconds=0.2)
    seen: list[BaseException] = []

    def expect(cls: type[BaseException], fn: object, *args: object) -> None:
        with pytest.raises(cls) as info:
            fn(*args)  # type: ignore[operator]
        seen.append(info.value)

    with start_emulator(api_key=SECRET_KEY) as emu, TogetherClient(SECRET_KEY, emu.base_url, retry=policy) as client:
        assert SECRET_KEY not in repr(client) and SECRET_KEY not in str(client)
        assert client.list_regions()  # the key is sent (this emulator demands it)
        cluster = client.create_cluster(cluster_request("secret-test"))

        expect(errors.NotFoundError, client.get_cluster, "t-missing")
        expect(errors.InvalidRequestError, client.update_cluster, cluster.cluster_id, ClusterUpdateRequest(num_gpus=3))
        emu.admin.set_capacity("us-central-8", "H100_SXM", 8)
        expect(errors.ConflictError, client.create_cluster, cluster_request("too-big", num_gpus=16))
        emu.admin.set_capacity("us-central-8", "H100_SXM", 512)
        emu.admin.set_faults(rate_500=1.0)
        expect(errors.ServerError, client.list_clusters)
        emu.admin.set_faults(rate_500=0.0, rate_429=1.0, retry_after_seconds=0.01)
        expect(errors.RateLimitError, client.list_clusters)
        emu.admin.set_faults(rate_429=0.0, drop_rate=1.0)
        expect(errors.ConnectionError, client.get_cluster, cluster.cluster_id)
        emu.admin.set_faults(drop_rate=0.0, rate_503=1.0, after_commit_ratio=1.0, methods=["POST"])
        client.create_cluster(cluster_request("adopted"))  # the ambiguous path logs warnings
        emu.admin.set_faults(rate_503=0.0, latency_ms=500, methods=None)
        expect(errors.TimeoutError, client.list_regions)
        emu.admin.set_faults(latency_ms=0)

        with TogetherClient("wrong-" + SECRET_KEY, emu.base_url, retry=policy) as wrong:
            assert SECRET_KEY not in repr(wrong)
            expect(errors.AuthenticationError, wrong.list_regions)
        emulator_log = emu.logs()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with TogetherClient(SECRET_KEY, f"http://127.0.0.1:{port}", retry=policy) as dead:
        expect(errors.ConnectionError, dead.list_regions)

    assert {type(e) for e in seen} >= {
        errors.NotFoundError,
        errors.InvalidRequestError,
        errors.ConflictError,
        errors.ServerError,
        errors.RateLimitError,
        errors.ConnectionError,
        errors.TimeoutError,
        errors.AuthenticationError,
    }
    for exc in seen:
        assert_exception_clean(exc)
    assert any(r.name == "together_pulumi.api" and r.levelno == logging.DEBUG for r in caplog.records)
    assert any(r.name == "together_pulumi.api" and r.levelno == logging.WARNING for r in caplog.records)
    assert SECRET_KEY not in caplog.text
    out, err = capsys.readouterr()
    assert SECRET_KEY not in out and SECRET_KEY not in err
    assert SECRET_KEY not in emulator_log  # the emulator's own log does not echo the header either


def test_configuration_errors_do_not_echo_the_key() -> None:
    with pytest.raises(errors.ConfigurationError) as info:
        TogetherClient(SECRET_KEY, "not a url")
    assert_exception_clean(info.value)
