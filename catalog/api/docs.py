"""The OpenAPI page at ``/api/``: Swagger UI served from the package, never from a CDN.

The assets come from the ``swagger-ui-bundle-v2`` package, so the page works on
a portal without Internet access and leaks no visitor to a third party.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from swagger_ui_bundle import swagger_ui_path

from catalog.httperrors import NotFound
from catalog.i18n import _

ASSETS = "/api/assets/"
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")


def add_routes(app: FastAPI, title: str) -> None:
    @app.get("/api/", include_in_schema=False)
    async def docs(request: Request) -> Response:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title=title,
            swagger_js_url=ASSETS + "swagger-ui-bundle.js",
            swagger_css_url=ASSETS + "swagger-ui.css",
            swagger_favicon_url=ASSETS + "favicon-32x32.png",
        )

    @app.get(ASSETS + "{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in FILES:
            raise NotFound(
                _("No such file: {name}."), _("See the API page at /api/."), name=name[:100]
            )
        return FileResponse(
            str(swagger_ui_path / name),
            headers={"Cache-Control": "public, max-age=86400"},
        )
