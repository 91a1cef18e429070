"""Pulumi resources: one module per resource (its field table, Args, provider, resource class)."""
