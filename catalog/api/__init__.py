"""The JSON API under ``/api/`` (FastAPI): the native API ``/api/v1/`` and the
CKAN-compatible Action API ``/api/3/action/<name>``, over one implementation.
See app.py for how the parts fit, and docs/api.md for the users' guide."""

from catalog.api.app import create_api

__all__ = ["create_api"]
