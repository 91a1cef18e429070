"""The ``together`` policy pack's rules (Pulumi CrossGuard): limits a platform team sets on GPU fleets.

:mod:`.rules` holds the rules as plain, typed functions (no Pulumi import, unit-tested directly);
:mod:`.pack` turns them into ``pulumi_policy`` policies (needs the ``policy`` extra:
``pip install 'together-pulumi[policy]'``); the pack users run is the ``policy/`` directory of this
repository (``pulumi preview --policy-pack policy``). Every limit and enforcement level is set with
``--policy-pack-config``; ``docs/code-review.md`` lists the rules and their settings.
"""

from .rules import RULES, ClusterSubject, Outcome, PolicyConfigError, Rule, VolumeSubject, config_schema, rule

__all__ = ["RULES", "ClusterSubject", "Outcome", "PolicyConfigError", "Rule", "VolumeSubject", "config_schema", "rule"]
