"""Functions a program calls (``get_regions``, ``list_projects``, the lookups, the remediation reads):
plain Python that runs in the program's own process and reads the API there (``common.py`` holds
what they share)."""
