"""GpuCluster, SharedVolume and the functions for programs in every Pulumi language (TypeScript, JavaScript,
Go, YAML).

The plugin directory ``plugin/`` of the repository (``PulumiPlugin.yaml``, ``runtime: python``) runs
:func:`serve`; ``pulumi package add <plugin dir>`` generates a typed SDK from the schema it serves. The
Python API is unchanged and does not go through here. See docs/languages.md.
"""

from __future__ import annotations

from .package_schema import COMPONENTS, package_schema
from .provider import SharedVolumeComponent, TogetherComponents, serve

__all__ = ["COMPONENTS", "SharedVolumeComponent", "TogetherComponents", "package_schema", "serve"]
