"""The JSON API under ``/api/`` (FastAPI). A placeholder until the API issue fills it.

For now: the OpenAPI page at ``/api/``, ``/api/v1/status`` and the published
datasets from the current release's ``index.json``. The routes carry their full
``/api/...`` paths, so the app can be mounted by plain path dispatch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException

from catalog.i18n import _, translate

Index = Callable[[], "dict[str, Any] | None"]


def create_api(current: Index, release_id: Callable[[], str | None]) -> FastAPI:
    """The API app; ``current()`` returns the published release's index (None before a build)."""
    app = FastAPI(
        title=translate(_("Open data catalogue API")),
        description=translate(_("Query the catalogue of published datasets.")),
        version="1",
        docs_url="/api/",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )

    @app.get("/api/v1/status", summary="Estado del catálogo")
    def status() -> dict[str, Any]:
        index = current()
        if index is None:
            return {
                "status": "no-build",
                "release": None,
                "datasets": 0,
                "message": translate(_("Run catalog build first.")),
            }
        return {
            "status": "ok",
            "release": release_id(),
            "generated": index.get("generated"),
            "datasets": len(index.get("datasets") or []),
        }

    @app.get("/api/v1/datasets", summary="Conjuntos de datos publicados")
    def datasets() -> list[dict[str, Any]]:
        index = current()
        return list((index or {}).get("datasets") or [])

    @app.get("/api/v1/datasets/{publisher}/{name}", summary="Un conjunto de datos")
    def dataset(publisher: str, name: str) -> dict[str, Any]:
        for item in (current() or {}).get("datasets") or []:
            if item.get("id") == f"{publisher}/{name}":
                return item
        raise HTTPException(status_code=404, detail=translate(_("Dataset not found.")))

    return app
