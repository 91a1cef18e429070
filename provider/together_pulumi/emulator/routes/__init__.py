"""The HTTP routes, one router per area; :func:`..app.create_app` includes them all."""

from . import admin, clusters, identity, regions, remediations, volumes

__all__ = ["ROUTERS"]

#: Order matters only for overlapping paths: volumes (``/clusters/storage/...``) before clusters.
ROUTERS = (volumes.router, clusters.router, remediations.router, regions.router, identity.router, admin.router)
