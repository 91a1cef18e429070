"""Runs in the user's Pulumi program (``python __main__.py`` under the language host).

What a program calls and what it registers: the public resources (``gpu_cluster/``, the component
and its two dynamic parts; ``shared_volume/``), their ``...Args`` (``args.py``, generated), the
conversion of Args to the properties a resource registers and the private inputs that name it
(``inputs.py``), checks that need the whole program (``name_claims.py``, ``volume_regions.py``), the
quiet end of an interrupted program (``quiet_exit.py``), and the functions (``functions/``: regions,
projects, lookups, remediations), which call the API from the program's own process.

Provider objects are built here only to be pickled into the state: their methods run in the
provider host (``together_pulumi.host``). Nothing here runs there, except what ``model/`` shares.
"""
