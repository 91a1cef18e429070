"""Runs in the provider host (``python -m pulumi.dynamic``, one process per ``pulumi`` command).

The dynamic providers' ``check``/``diff``/``create``/``read``/``update``/``delete``: their bases
(``provider_base.py``; ``table_provider.py``, whose check and diff read a field table), one package
per resource (``cluster/``: the cluster's provider, its readiness provider, the cross-field rules and
what a refresh observes; ``volume/``), and what they share in the process: the session per
credentials (``session.py``, with the preflight of ``preflight.py``), the waits (``waiting.py``) and
the shared list reads they poll (``shared_reads.py``), checks of the objects an input points at
(``references.py``, ``new_objects.py``), Ctrl-C and a vanished engine (``interrupts.py``), the
host's thread pool (``threads.py``) and errors shown without tracebacks (``errors.py``).

The provider classes are pickled into every stack under the frozen names of
``together_pulumi/pickled.py``: move them freely, but only ever through that module. Nothing here
imports ``together_pulumi.program``.
"""
