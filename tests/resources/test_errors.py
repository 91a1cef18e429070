"""What the dynamic-provider host prints for a failed provider call: our message alone, unless asked."""

from __future__ import annotations

import traceback

import pytest

from together_pulumi.api import errors as api_errors
from together_pulumi.host.errors import TRACEBACKS_ENV, ProviderError, _MessagesOnly


def printed(error: Exception) -> str:
    """What the host's ``traceback.format_exc()`` gives, once the shim is in place, for ``error``."""
    try:
        raise error
    except Exception:
        return _MessagesOnly(traceback).format_exc()


@pytest.mark.parametrize(
    "error",
    [ProviderError("GpuCluster train: it is Paused"), api_errors.ConfigurationError("together:baseUrl is malformed")],
    ids=["provider", "api"],
)
def test_our_errors_are_their_message_alone_unless_tracebacks_are_asked_for(
    error: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TRACEBACKS_ENV, raising=False)
    assert printed(error) == str(error)
    monkeypatch.setenv(TRACEBACKS_ENV, "1")
    shown = printed(error)
    assert shown.startswith("Traceback (most recent call last):") and shown.rstrip().endswith(str(error))


def test_anything_else_is_a_bug_and_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TRACEBACKS_ENV, raising=False)
    shown = printed(KeyError("cluster_id"))
    assert shown.startswith("Traceback (most recent call last):") and "KeyError: 'cluster_id'" in shown
