"""Private inputs: what the program tells the provider beside the user's fields.

The program (``program/inputs.py``) adds them to a resource's properties; the provider host reads them
in ``check``, ``diff`` and ``create`` (``host/provider_base.py``). They never reach the API, and they
are stored in every stack: their names are frozen.
"""

from __future__ import annotations

__all__ = ["AUTONAME_PREFIX", "CREATE_FIRST", "NAME_SEED", "PRIVATE_INPUTS", "REPLACE_ON_CHANGES"]

#: Private input: the Pulumi resource name, the readable part of an auto-name.
AUTONAME_PREFIX = "_autoname_prefix"
#: Private input: a hash of what identifies the resource in its stack (see :mod:`.naming`).
NAME_SEED = "_name_seed"
#: Private input: the resource's ``replace_on_changes`` option, applied by ``diff`` (the Python dynamic
#: host reports no changed keys to the engine, so the engine cannot apply the option itself).
REPLACE_ON_CHANGES = "_replace_on_changes"
#: Private input: true when the program set ``delete_before_replace=False``. A replacement is then made
#: before the old object is deleted, and on ``--replace``/``state taint`` the engine tells the provider
#: nothing of the old one, so an object found under the resource's own name may be the very one being
#: replaced: it is never taken over.
CREATE_FIRST = "_create_first"
#: Inputs of ours that are not user fields and never reach the API.
PRIVATE_INPUTS = (AUTONAME_PREFIX, NAME_SEED, REPLACE_ON_CHANGES, CREATE_FIRST)
