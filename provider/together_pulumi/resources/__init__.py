"""FROZEN: module paths that stacks written by 0.1.0 stored their pickled providers under.

Nothing lives here any more: each module re-exports, from ``together_pulumi.pickled``, the provider
names a 0.1.0 stack may hold (``LEGACY_NAMES`` there), so ``pulumi refresh``, ``up`` and ``destroy``
of such a stack still unpickle them. Never add code here. The code is in ``together_pulumi.program``
(what the user's program runs), ``together_pulumi.host`` (what the provider host runs) and
``together_pulumi.model`` (what both read).
"""
