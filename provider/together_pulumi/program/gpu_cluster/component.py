"""``GpuCluster``: a Together Instant GPU cluster (Kubernetes or Slurm).

Why a component over two dynamic resources
-----------------------------------------
A GPU cluster takes many minutes to become ``Ready`` and bills from the moment it is accepted. When a
Python dynamic provider's ``create`` raises, the engine records nothing, so a ``create`` that waited
and then timed out would orphan a billable cluster, and the next ``pulumi up`` would make a second.
So the user-facing ``GpuCluster`` is a component of two children:

* ``Cluster`` (:class:`.parts.ClusterPart`, provider ``host/cluster/provider.py``) creates (or
  adopts) the cluster and returns as soon as the API accepts it, so its id is in the stack state
  before any waiting starts. It owns updates, refresh and deletion.
* ``ClusterReadiness`` (:class:`.parts.ClusterReadinessPart`, provider ``host/cluster/readiness.py``)
  waits for ``Ready`` and reports status, kubeconfig and nodes. If its wait fails or times out,
  ``pulumi up`` fails naming the cluster id and status; the cluster stays in state, and the next
  ``pulumi up`` creates only the readiness part again, which resumes waiting. After a change of size
  or type it waits again: those are among its inputs, and all its inputs are known during ``pulumi
  preview`` (the cluster's id is the Cluster part's resource id, known for an update), so a reviewer
  sees only what the change changes.

The field table is in ``model/cluster/fields.py``; the Args classes are generated from it
(``program/args.py``). The pickled provider names are in ``together_pulumi/pickled.py``.
"""

from __future__ import annotations

from typing import Any

import pulumi

from ...contract import GPU_CLUSTER_TYPE
from ...model.cluster.fields import CLUSTER_FIELDS, READINESS_FROM_CLUSTER_PART, READINESS_INPUTS, READINESS_OUTPUTS
from ..args import (
    AcceptanceTestsParamsArgs,
    AddOnArgs,
    AddOnConfigArgs,
    ClusterConfigArgs,
    EnabledFlagArgs,
    GpuClusterArgs,
    GpuClusterOutputs,
    InlineSharedVolumeArgs,
    OidcConfigArgs,
    SlurmStartupScriptsArgs,
)
from ..inputs import deleted_first, import_as_adoption, name_inputs, option_inputs, props_from_args
from ..name_claims import claim_name
from ..quiet_exit import quiet_interrupts
from ..volume_regions import check_volume_region
from .parts import ClusterPart, ClusterReadinessPart

__all__ = [
    "AcceptanceTestsParamsArgs",
    "AddOnArgs",
    "AddOnConfigArgs",
    "ClusterConfigArgs",
    "EnabledFlagArgs",
    "GpuCluster",
    "GpuClusterArgs",
    "InlineSharedVolumeArgs",
    "OidcConfigArgs",
    "SlurmStartupScriptsArgs",
]

TYPE_TOKEN = GPU_CLUSTER_TYPE


class GpuCluster(GpuClusterOutputs, pulumi.ComponentResource):
    """A Together Instant GPU cluster: ``num_gpus / 8`` nodes of ``gpu_type``, Kubernetes or Slurm.

    ``pulumi up`` creates it and waits until it is Ready (``wait_for_ready``, ``ready_timeout_seconds``);
    ``kubeconfig`` is always secret. See the module docstring for why this is a component.
    """

    def __init__(
        self,
        resource_name: str,
        args: GpuClusterArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        quiet_interrupts()
        props = props_from_args(GpuClusterArgs, args, kwargs, CLUSTER_FIELDS, f"GpuCluster {resource_name}")
        props = {k: v for k, v in props.items() if k not in READINESS_OUTPUTS}
        owner = f"GpuCluster {resource_name}"
        opts = import_as_adoption(opts, props, "existing_cluster_id", owner)
        super().__init__(TYPE_TOKEN, resource_name, None, opts)
        claim_name("cluster", props.get("cluster_name"), owner)
        volume = props.get("shared_volume")
        if isinstance(volume, dict):
            claim_name("volume", volume.get("volume_name"), owner)
        check_volume_region(props.get("volume_id"), owner, props.get("region"))
        props.update(name_inputs(resource_name, TYPE_TOKEN, opts.parent if opts else None))
        props.update(option_inputs(opts))
        user = opts or pulumi.ResourceOptions()
        # Options that matter for the billable object go to the Cluster part, not only the component;
        # replacing the component (`pulumi up --replace` on its URN) replaces the cluster.
        cluster = ClusterPart(
            resource_name,
            props,
            pulumi.ResourceOptions(
                parent=self,
                protect=user.protect,
                retain_on_delete=user.retain_on_delete,
                ignore_changes=user.ignore_changes,
                delete_before_replace=deleted_first(user),
                replace_on_changes=user.replace_on_changes,
                replace_with=[self, *(user.replace_with or [])],
                depends_on=user.depends_on,
            ),
        )
        # What to wait on comes from the Cluster part (its resource id, which unlike an output stays
        # known in the preview of an update, and the size and type it really has); how to wait from the
        # user's inputs, known during preview even when absent from state.
        from_part = {"cluster_id": cluster.id, **{k: getattr(cluster, k) for k in READINESS_FROM_CLUSTER_PART[1:]}}
        ready = ClusterReadinessPart(
            f"{resource_name}-ready",
            {k: from_part[k] if k in from_part else props.get(k) for k in READINESS_INPUTS},
            pulumi.ResourceOptions(parent=self, additional_secret_outputs=["kubeconfig"]),
        )

        self._show(cluster, ready)
        # The state holds each value on the part that owns it: a component's registered outputs
        # would be another copy that `pulumi refresh` never updates (components are not read), and
        # every checkpoint of a large stack would write it again (a fifth of a fleet's state).
        self.register_outputs({})

    def _show(self, cluster: ClusterPart, ready: ClusterReadinessPart) -> None:
        """Each output attribute, from the part that owns it (kubeconfig secret, as in the table)."""
        for f in CLUSTER_FIELDS:
            if f.name == "cluster_id":
                value = cluster.id
            elif f.name in READINESS_OUTPUTS:
                value = getattr(ready, f.name)
            elif hasattr(cluster, f.name):
                value = getattr(cluster, f.name)
            else:
                continue
            setattr(self, f.name, pulumi.Output.secret(value) if f.secret else value)
