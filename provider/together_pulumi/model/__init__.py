"""Read by both processes, the user's program and the provider host: one source of truth.

The field tables (``fields.py``: the machinery; ``cluster/fields.py``, ``cluster/types.py``,
``volume/fields.py``: the tables), from which check, diff, request bodies, Args, schema and docs
derive; the names of clusters and volumes (``naming.py``); the private inputs by which a program
tells the provider what the engine does not (``private_inputs.py``); a cluster's report as the
tables describe it (``cluster/report.py``); the stack config keys and credentials (``credentials.py``).
"""
