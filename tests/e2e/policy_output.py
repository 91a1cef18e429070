"""Reading the policy report that ``pulumi preview`` / ``pulumi up`` print (``Policies:``).

``pulumi preview --json`` carries no policy results (pulumi/pulumi#18851), so the tests read the
text a user reads::

    Policies:
        ❌ together@v0.1.0 (local: /path/policy)
            - [mandatory]  together-allowed-regions  (pulumi-python:dynamic/together:Cluster: train)
              GPU clusters and shared volumes must be in an allowed region.
              GpuCluster "train": region us-central-4 is not allowed; allowed regions: us-central-8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PolicyViolation", "policy_violations"]

_HEADER = re.compile(r"^\s*- \[(advisory|mandatory|remediate)\]\s+(\S+)\s+\((.*)\)\s*$")


@dataclass(frozen=True)
class PolicyViolation:
    level: str
    policy: str
    #: What the engine printed as the resource: ``<type token>: <name>``.
    resource: str
    #: The policy's description, then the violation message.
    text: str


def policy_violations(output: str) -> list[PolicyViolation]:
    """Every violation in every ``Policies:`` block of ``output``, deduplicated (``up`` prints two)."""
    found: list[PolicyViolation] = []
    current: tuple[str, str, str] | None = None
    lines: list[str] = []
    indent = 0

    def flush() -> None:
        if current is not None:
            violation = PolicyViolation(*current, "\n".join(lines).strip())
            if violation not in found:
                found.append(violation)

    for line in output.splitlines():
        match = _HEADER.match(line)
        if match:
            flush()
            current, lines = (match.group(1), match.group(2), match.group(3)), []
            indent = len(line) - len(line.lstrip()) + 2
        elif current is not None and line.strip() and len(line) - len(line.lstrip()) >= indent:
            lines.append(line.strip())
        elif current is not None:
            flush()
            current, lines = None, []
    flush()
    return found
