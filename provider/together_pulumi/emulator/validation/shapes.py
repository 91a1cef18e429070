"""Shapes shared by the cluster create and update bodies: enums, ``cluster_config``, add-on configs.

Nested objects are checked field by field against the together 3.1.1 SDK's types (a wrong type
is a 400 naming the field) and returned *normalised*: only the fields the SDK defines, without
nulls. That is what the emulator stores and echoes, so an answer never carries a value of the
wrong type or a field the SDK does not know.
"""

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
    "check_enabled_flag",
]

BILLING_TYPES = ("RESERVED", "ON_DEMAND", "SCHEDULED_CAPACITY")
CLUSTER_TYPES = ("KUBERNETES", "SLURM")
LOAD_BALANCERS = ("NONE", "TRAEFIK", "NGINX", "ISTIO")
#: The add-on config keys of the 3.1.1 SDK, and ``torchpass`` (Go/TS SDKs). Assumed: the SDK types
#: add_on_type as a free string, so the service may take more.
ADD_ON_TYPES = ("dashboard", "ingress", "headlamp", "slurm_web", "torchpass")
DCGM_LEVELS = ("DCGM_DIAG_LEVEL_SHORT", "DCGM_DIAG_LEVEL_MEDIUM", "DCGM_DIAG_LEVEL_LONG", "DCGM_DIAG_LEVEL_EXTENDED")
SLURM_SCRIPTS = (
    "controller_prolog",
    "controller_epilog",
    "worker_prolog",
    "worker_epilog",
    "login_init_script",
    "nodeset_init_script",
    "extra_slurm_conf",
)


def _drop_nulls(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def check_enabled_flag(c: Checker, key: str) -> dict[str, Any] | None:
    """``{"enabled": bool}`` (the shape of every switch); ``{}`` when ``enabled`` is not given."""
    flag = c.obj(key)
    if flag is None:
        return None
    return _drop_nulls({"enabled": c.child(key, flag).boolean("enabled")})


def check_cluster_config(c: Checker, key: str) -> dict[str, Any] | None:
    """A ``cluster_config``: ``load_balancer`` is required; every other field has the SDK's type."""
    config = c.obj(key)
    if config is None:
        return None
    sub = c.child(key, config)
    out: dict[str, Any] = {
        "load_balancer": sub.enum("load_balancer", LOAD_BALANCERS, required=True),
        "gpu_operator_version": sub.string("gpu_operator_version"),
        "network_operator_version": sub.string("network_operator_version"),
        "jumphost_enabled": sub.boolean("jumphost_enabled"),
        "kubernetes_dashboard_enabled": sub.boolean("kubernetes_dashboard_enabled"),
        "ssh_ca_enabled": sub.boolean("ssh_ca_enabled"),
        "ingress": check_enabled_flag(sub, "ingress"),
        "observability": check_enabled_flag(sub, "observability"),
    }
    scripts = sub.obj("slurm_startup_scripts")
    if scripts is not None:
        checker = sub.child("slurm_startup_scripts", scripts)
        out["slurm_startup_scripts"] = _drop_nulls({name: checker.string(name) for name in SLURM_SCRIPTS})
    return _drop_nulls(out)


def check_add_on_config(c: Checker, key: str) -> dict[str, Any] | None:
    """An add-on ``config``: one ``{"enabled": bool}`` per add-on type of :data:`ADD_ON_TYPES`."""
    config = c.obj(key)
    if config is None:
        return None
    sub = c.child(key, config)
    for name in config:
        if name not in ADD_ON_TYPES:
            sub.fail(name, f"{sub.name(name)} is not an add-on; valid keys: {', '.join(ADD_ON_TYPES)}")
    return _drop_nulls({name: check_enabled_flag(sub, name) for name in ADD_ON_TYPES})
