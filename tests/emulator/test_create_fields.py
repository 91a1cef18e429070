"""The emulator judges every field a create request can carry.

It reads request bodies by hand (its deliberate copy of the API, not derived from the provider), so
a field it forgets is not refused, checked or echoed: it silently vanishes. Every field that the
provider's request model or the installed SDK's create params can send must be read by a create
rule, whether or not the body sets it.
"""

from __future__ import annotations

from typing import Any, get_args

from together.types import cluster_create_params

from together_pulumi.api.models import ClusterCreateRequest
from together_pulumi.emulator.validation import parse_cluster_create

from ._helpers import cluster_body


class _Recording(dict[str, Any]):
    """A request body that notes every key read from it."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)


def test_every_create_field_is_read_by_a_rule() -> None:
    body = _Recording(cluster_body())
    parse_cluster_create(body)
    sdk = {name for variant in get_args(cluster_create_params.ClusterCreateParams) for name in variant.__annotations__}
    sent = set(ClusterCreateRequest.model_fields) | sdk
    assert sent <= body.read, f"fields no create rule reads: {sorted(sent - body.read)}"
