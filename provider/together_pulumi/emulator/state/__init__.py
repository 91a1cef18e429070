"""What the emulator remembers and how it is kept: the records (``records.py``), everything held in
memory with the lookups and capacity rules that read it (``memory.py``), the store that guards it
with one lock and brings it up to date before every operation (``store.py``), the ``--state-file``
(``persistence.py``), the virtual clock (``clock.py``) and the records as the API returns them
(``render.py``)."""
