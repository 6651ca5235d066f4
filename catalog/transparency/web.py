"""The transparency workspace's web app, served under ``/transparencia/``: its routes,
its middleware and its error pages.

The pages live in one module per face: ``public_web`` (the request form, tracking,
the list, statistics, the feed, attachments), ``officer_web`` (signing in, the
inbox, a request's page and actions), ``admin_web`` (the administrators' page); the
machinery they share is ``pages`` (language, rendering, headers, error pages) and
``forms`` (reading forms with size caps). The app keeps its workspace in
``app.state.workspace``: nothing is global to the process.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse
from starlette.routing import Route

from catalog.transparency import (
    active_officer_web,
    active_public_web,
    admin_web,
    cio_web,
    officer_web,
    public_web,
    stewards_web,
)
from catalog.transparency.forms import MAX_FORM_BYTES
from catalog.transparency.pages import (
    PREFIX,
    SessionReader,
    method_not_allowed,
    not_found,
    server_error,
)
from catalog.transparency.workspace import Workspace, WorkspaceSource

__all__ = ["MAX_FORM_BYTES", "create_app"]  # bodylimit.py reads the form limit here


def create_app(build_dir: Path, workspace: Workspace | WorkspaceSource | None = None) -> Starlette:
    """The ASGI app of the workspace pages. ``workspace`` is the one to use (``catalog
    serve`` passes the source it shares with the API); without one, it is made from the
    environment, reading publishers from ``build_dir``, at the first request (the
    database is migrated then)."""
    p = PREFIX
    routes = [
        Route(p, lambda r: RedirectResponse(p + "/", 308)),
        Route(p + "/", public_web.home),
        Route(p + "/solicitudes/nueva", public_web.new_request, methods=["GET"]),
        Route(p + "/solicitudes/nueva", public_web.file_request, methods=["POST"]),
        Route(p + "/solicitudes/", public_web.list_requests),
        Route(p + "/solicitudes/buscar", public_web.find),
        Route(p + "/solicitudes/{code}", public_web.track),
        Route(p + "/solicitudes/{code}/confirmar", public_web.confirm_page, methods=["GET"]),
        Route(p + "/solicitudes/{code}/{action}", public_web.requester_action, methods=["POST"]),
        Route(p + "/estadisticas", public_web.statistics),
        Route(p + "/respuestas.atom", public_web.feed),
        Route(p + "/adjuntos/{id}/{name}", public_web.attachment),
        Route(p + "/oficiales/entrar", officer_web.login_page, methods=["GET"]),
        Route(p + "/oficiales/entrar", officer_web.login, methods=["POST"]),
        Route(p + "/oficiales/salir", officer_web.logout, methods=["POST"]),
        Route(p + "/oficiales/", officer_web.inbox),
        Route(p + "/oficiales/solicitudes/{code}", officer_web.officer_detail),
        Route(
            p + "/oficiales/solicitudes/{code}/{action}",
            officer_web.officer_action,
            methods=["POST"],
        ),
        Route(p + "/oficiales/activa/", active_officer_web.calendar),
        Route(p + "/oficiales/activa/{publisher}/exportar", active_officer_web.export),
        Route(p + "/oficiales/activa/{publisher}/{item}", active_officer_web.item_page),
        Route(
            p + "/oficiales/activa/{publisher}/{item}/{action}",
            active_officer_web.item_action,
            methods=["POST"],
        ),
        Route(p + "/activa/documentos/{sha256}/{name}", active_officer_web.document),
        Route(p + "/admin", lambda r: RedirectResponse(p + "/admin/", 308)),
        Route(p + "/admin/", admin_web.admin_page, methods=["GET"]),
        Route(p + "/admin/{action}", admin_web.admin_action, methods=["POST"]),
        *active_public_web.routes(),  # /activa/...: after /activa/documentos/
        *cio_web.routes(),  # /oficiales/ti/...: the CIOs' ratings of IT investments
        *stewards_web.routes(),  # /oficiales/datos/...: stewards publish datasets
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SessionReader)],
        exception_handlers={404: not_found, 405: method_not_allowed, 500: server_error},
    )
    app.state.workspace = WorkspaceSource.of(workspace, build_dir)
    return app
