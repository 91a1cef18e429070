"""FROZEN: 0.1.0 pickle paths under ``resources/cluster/`` (see ``together_pulumi.resources``)."""
