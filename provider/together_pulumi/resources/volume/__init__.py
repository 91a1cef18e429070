"""FROZEN: 0.1.0 pickle paths under ``resources/volume/`` (see ``together_pulumi.resources``)."""
