"""The HTTP routes: the API's (``api.py``) and the admin API's (``admin.py``); :func:`..app.create_app`
includes them all."""

from . import admin, api

__all__ = ["ROUTERS"]

#: Order matters only for overlapping paths: volumes (``/clusters/storage/...``) before clusters.
ROUTERS = (api.volumes, api.clusters, api.remediations, api.regions, api.identity, admin.router)
