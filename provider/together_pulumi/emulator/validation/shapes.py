"""Shapes shared by the cluster create and update bodies: enums, ``cluster_config``, add-on configs."""

from __future__ import annotations

from typing import Any

from .checker import Checker

__all__ = [
    "ADD_ON_TYPES",
    "BILLING_TYPES",
    "CLUSTER_TYPES",
    "DCGM_LEVELS",
    "LOAD_BALANCERS",
    "check_add_on_config",
    "check_cluster_config",
]

BILLING_TYPES = ("RESERVED", "ON_DEMAND", "SCHEDULED_CAPACITY")
CLUSTER_TYPES = ("KUBERNETES", "SLURM")
LOAD_BALANCERS = ("NONE", "TRAEFIK", "NGINX", "ISTIO")
ADD_ON_TYPES = ("dashboard", "ingress", "torchpass", "headlamp", "slurm_web")
USERNAME_CLAIMS = ("email", "preferred_username", "sub")
DCGM_LEVELS = ("DCGM_DIAG_LEVEL_SHORT", "DCGM_DIAG_LEVEL_MEDIUM", "DCGM_DIAG_LEVEL_LONG", "DCGM_DIAG_LEVEL_EXTENDED")
OIDC_STRINGS = ("client_id", "issuer_url", "username_claim", "username_prefix", "group_claim", "group_prefix")
MAX_RESERVED_DAYS = 90


def check_cluster_config(c: Checker, key: str) -> dict[str, Any] | None:
    """A ``cluster_config`` object: ``load_balancer`` is required."""
    config = c.obj(key)
    if config is None:
        return None
    c.child(key, config).enum("load_balancer", LOAD_BALANCERS, required=True)
    return config


def check_add_on_config(c: Checker, key: str) -> dict[str, Any] | None:
    """An add-on ``config``: one ``{"enabled": bool}`` per add-on type."""
    config = c.obj(key)
    if config is None:
        return None
    sub = c.child(key, config)
    for name, value in config.items():
        if name not in ADD_ON_TYPES:
            sub.fail(name, f"{sub.name(name)} is not an add-on; valid keys: {', '.join(ADD_ON_TYPES)}")
        elif value is not None:
            inner = sub.obj(name)
            if inner is not None:
                sub.child(name, inner).boolean("enabled")
    return config
