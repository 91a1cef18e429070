"""Names of clusters and volumes: the rule they follow, and auto-names that are stable.

**No rule on given names.** The API documents none (``cluster_name`` and ``volume_name`` are free
strings in the SDK and every other source), so a name the user gives is sent as it is. Auto-names
are DNS labels all the same, the safest form wherever a name may end up.

**Auto-names.** A resource without an explicit name gets ``<resource name>-<7 characters>``, where
the characters are a hash of what identifies the resource in its stack (organization, project,
stack, parent and type and name, and the stack's own secrets salt where it has one, which tells two
stacks of the same name apart) and of the inputs whose change replaces it. So the name is the same
in ``pulumi preview`` and in ``pulumi up``, and the same again in the next ``up`` after a crash: an
object made by an interrupted create is found by its name and taken over instead of duplicated. A
replacement gets a new name because its replacing inputs differ; when it would not (a forced
replacement), the old object is deleted first so that two never share a name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["derive_name", "dns_label", "stack_identity"]

_NOT_LABEL = re.compile(r"[^a-z0-9-]+")
_HASH_CHARS = 7


def dns_label(text: str) -> str:
    """A DNS-label-safe rendering of free text (for the readable part of an auto-name)."""
    return _NOT_LABEL.sub("-", text.lower()).strip("-") or "together"


def derive_name(identity: str, readable: str, replacing: Mapping[str, Any], *, max_length: int = 63) -> str:
    """``<readable>-<hash>``: the same for the same identity and replacing inputs, a DNS label."""
    digest = hashlib.sha256(json.dumps([identity, dict(sorted(replacing.items()))], default=str).encode())
    suffix = digest.hexdigest()[:_HASH_CHARS]
    head = dns_label(readable)[: max_length - _HASH_CHARS - 1].rstrip("-") or "together"
    return f"{head}-{suffix}"


def stack_identity(organization: str | None, project: str, stack: str, config_dir: Path | None = None) -> str:
    """What tells this stack apart from every other: its names, and its secrets salt when it has one.

    Two stacks named alike (two developers' ``dev`` stacks in local backends, say) share
    organization, project and stack names, but each passphrase or cloud-KMS stack has its own
    ``encryptionsalt`` or ``encryptedkey`` in ``Pulumi.<stack>.yaml``, which never changes.
    """
    salt = ""
    path = (config_dir or Path.cwd()) / f"Pulumi.{stack}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        text = ""
    match = re.search(r"^(?:encryptionsalt|encryptedkey):\s*(\S+)", text, re.MULTILINE)
    if match:
        salt = match.group(1)
    return "/".join((organization or "", project, stack, salt))
