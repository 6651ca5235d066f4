"""Datasette plugin: the SQL explorer at ``/sql/`` answers hostile or heavy requests
clearly and cheaply, without slowing the rest of the portal.

Through Datasette's plugin hooks only:

- ``handle_exception``: every error gets a small translated page (or JSON, or
  text for CSV) with a 4xx status when the request caused it, and one log line;
  Datasette's default prints a ``rich`` traceback with locals on the event loop;
- ``asgi_wrapper``: methods other than GET and HEAD get 405, and a missing
  static file our 404 page;
- ``prepare_connection``: caps on the bytes of a value and of a result (see
  ``limits``);
- ``register_routes``: debug pages that disclose internals (versions, threads,
  settings, plugins, actor, permissions...) answer 404, and the list of
  databases leaves out their paths on disk.

Datasette itself runs in a process of its own (catalog.sqlproc), which
registers this plugin through ``install``, which also takes Datasette's
default ``handle_exception`` out of the plugin manager: Datasette calls every
``handle_exception`` hook, not just the first that answers, so the default would
still print its ``rich`` traceback after ours had answered.
"""

from __future__ import annotations

import sys
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Request, Response

from catalog.i18n import _

from .limits import cap_connection, limits_for
from .problems import (
    NOT_FOUND,
    Problem,
    classify,
    lang_of,
    log,
    query_error_hint,
    render,
)

METHODS = ("GET", "HEAD")
METHOD_NOT_ALLOWED = Problem(
    405,
    _("The SQL explorer only answers GET and HEAD requests."),
    _("Open the address in a browser or fetch it with GET; to run SQL, put it in ?sql=."),
    headers={"Allow": ", ".join(METHODS)},
)
# Datasette's debug pages that tell an attacker about the server, not the data.
CLOSED = (
    r"/-/(versions|threads|actor|settings|config|plugins|permissions|allow-debug|messages"
    r"|patterns|auth-token|logout)(\.json)?$"
)
DATABASES = r"/-/databases(\.(?P<format>json))?$"
UNLIMITED = ("/-/static/", "/-/static-plugins/", "/favicon.ico")  # files, no SQL
DEFAULT_HANDLER = "datasette.handle_exception"


def install(pm: Any) -> None:
    """Register this plugin with Datasette's plugin manager ``pm`` (once)."""
    module = sys.modules[__name__]
    if not pm.is_registered(module) and pm.get_plugin("sql_guard") is None:
        pm.register(module, "sql_guard")
    if not pm.is_blocked(DEFAULT_HANDLER):
        pm.set_blocked(DEFAULT_HANDLER)


@hookimpl
def prepare_connection(conn: Any) -> None:
    cap_connection(conn)


@hookimpl
def handle_exception(datasette: Any, request: Request, exception: Exception) -> Any:
    async def inner() -> Response:
        problem = classify(exception)
        log(request, exception, problem)
        return await render(datasette, request, problem, limits_for(datasette))

    return inner


@hookimpl
def extra_template_vars(request: Request | None, datasette: Any) -> dict:
    """``sql_error_hint(error)`` for the query page (used by catalog_links' query.html)."""
    lang = lang_of(request) if request is not None else "es"
    limits = limits_for(datasette)
    return {"sql_error_hint": lambda error: query_error_hint(error, lang, limits)}


async def _closed() -> None:
    raise NotFound("closed")


async def _databases(datasette: Any) -> Response:
    """Datasette's ``/-/databases.json`` without the files' absolute paths."""
    listed = [
        {
            "name": db.name,
            "route": db.route,
            "size": db.size,
            "is_mutable": db.is_mutable,
            "is_memory": db.is_memory,
            "hash": db.hash,
        }
        for name, db in datasette.databases.items()
        if name != "_internal"
    ]
    return Response.json(listed)


@hookimpl
def register_routes(datasette: Any) -> list:
    return [(CLOSED, _closed), (DATABASES, _databases)]


def _route(scope: dict, base_url: str) -> str:
    path = scope.get("path", "")
    return "/" + path[len(base_url) :] if path.startswith(base_url) else path


def _clear_404(datasette: Any, scope: dict, receive: Any, send: Any) -> Any:
    """A ``send`` that answers a missing static file with our 404 page instead of
    Datasette's bare "404: File not found"."""
    replaced = False

    async def wrapped(message: dict) -> None:
        nonlocal replaced
        if message["type"] == "http.response.start" and message["status"] == 404:
            replaced = True
            response = await render(datasette, Request(scope, receive), NOT_FOUND, {})
            await response.asgi_send(send)
        elif not replaced:
            await send(message)

    return wrapped


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def guarded(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            problem = METHOD_NOT_ALLOWED if scope["method"] not in METHODS else None
            route = _route(scope, datasette.setting("base_url"))
            if problem is None and route.startswith(UNLIMITED):
                await app(scope, receive, _clear_404(datasette, scope, receive, send))
                return
            if problem is not None:
                request = Request(scope, receive)
                response = await render(datasette, request, problem, limits_for(datasette))
                await response.asgi_send(send)
                return
            await app(scope, receive, send)

        return guarded

    return wrap
