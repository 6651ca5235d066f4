"""``create_api``: the FastAPI app behind ``/api/``.

It joins the two faces over one implementation (native.py and ckan.py, both on
catalogue.py and search.py), the transparency workspace's JSON routes, the
offline OpenAPI page, the error handlers that keep every failure a JSON answer,
CORS for browsers, gzip, and the rate limits (limits.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response

from catalog.api import ckan, docs, indicators, itportfolio, native, templates, transparency
from catalog.api.catalogue import Current, Releases
from catalog.api.http import RelativeRedirects, lang_of, public_base
from catalog.api.limits import LimitSettings, RateLimits, settings_from_env
from catalog.httperrors import ApiError, Invalid, NotFound, render
from catalog.i18n import _, translate

if TYPE_CHECKING:  # imported when used: the workspace is heavy
    from catalog.transparency.workspace import Workspace, WorkspaceSource

LOG = logging.getLogger("catalog.api")
METHOD_NOT_ALLOWED = 405


def create_api(
    current: Current,
    *,
    limits: LimitSettings | None = None,
    workspace: Workspace | WorkspaceSource | None = None,
) -> Any:
    """The API as an ASGI app; ``current()`` is the published release (catalog/release's
    reader; None before a build), ``workspace`` the transparency workspace (a
    ``Workspace`` or ``WorkspaceSource``; by default one made from the environment at
    its first request)."""
    title = translate(_("Open data catalogue API"))
    app = FastAPI(
        title=title,
        description=translate(
            _(
                "Query the catalogue of published datasets: the native API under /api/v1/ and "
                "the CKAN-compatible Action API under /api/3/action/. Guide: docs/api.md."
            )
        ),
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    releases = Releases(current)
    app.state.releases = releases
    docs.add_routes(app, title)
    native.add_routes(app, releases)
    transparency.add_routes(app, releases, workspace)
    itportfolio.add_routes(app, releases)
    templates.add_routes(app)
    indicators.add_routes(app, releases)
    ckan.add_routes(app, releases)
    _include_workspace(app, workspace)
    _handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept-Language", "If-None-Match", "X-API-Key", "Authorization"],
        expose_headers=["ETag", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"],
        max_age=86400,
    )
    _workspace_writes_without_cors(app)
    return RateLimits(RelativeRedirects(app), limits or settings_from_env())


def _include_workspace(app: FastAPI, workspace: Workspace | WorkspaceSource | None) -> None:
    """The transparency workspace's JSON routes (its own module owns them)."""
    from catalog.transparency.api import mount

    mount(app, workspace)


def _workspace_writes_without_cors(app: FastAPI) -> None:
    """Added after CORS, so it wraps it: answers to the workspace's writes (filing a
    request, acting on one) carry no CORS header (docs/security.md)."""
    from catalog.transparency.api import WritesWithoutCors

    app.add_middleware(WritesWithoutCors)


def _handlers(app: FastAPI) -> None:
    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return render(exc, request.url.path, lang_of(request), public_base())

    async def validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        fields = {}
        for error in exc.errors():
            loc = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body")]
            fields[".".join(loc) or "request"] = str(error.get("msg", ""))
        first = next(iter(fields), "request")
        error = Invalid(
            _("Parameter {name} is not valid: {reason}."),
            _("See the parameters of this endpoint at /api/."),
            fields=fields,
            name=first,
            reason=fields.get(first, ""),
        )
        return await api_error(request, error)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == METHOD_NOT_ALLOWED:
            error: ApiError = ApiError(
                _("Method {method} is not allowed here."),
                _("Use GET (and POST for the CKAN actions)."),
                method=request.method,
            )
            error.status = error.ckan_status = METHOD_NOT_ALLOWED
        elif exc.status_code == 404:
            error = NotFound(
                _("Nothing here: {path}."),
                _("See the API's endpoints at /api/."),
                path=request.url.path[:200],
            )
        else:
            error = ApiError(str(exc.detail)[:300])
            error.status = error.ckan_status = exc.status_code
        return await api_error(request, error)

    async def crash(request: Request, exc: Exception) -> Response:
        LOG.exception("API error on %s", request.url.path)
        error = ApiError(
            _("The API failed to answer this request."),
            _("Try again later; if it keeps failing, report the URL to the portal."),
        )
        error.status = error.ckan_status = 500
        return await api_error(request, error)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crash)
