"""FROZEN: provider names that stacks of 0.1.0 pickled under this path; see ``together_pulumi.pickled``."""

from ..pickled import ClusterProvider, ReadinessProvider

__all__ = ["ClusterProvider", "ReadinessProvider"]
