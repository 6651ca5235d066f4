"""``catalog serve``: one ASGI app, one port, for everything a build publishes.

- ``/sql/...``: Datasette over ``sql/catalogo.db`` (immutable, with the build's
  inspect file and metadata, a SQL time limit and a row cap);
- ``/api/...``: the FastAPI app of catalog.api;
- ``/transparencia/...``: the transparency workspace (catalog.transparency.web);
- everything else: the static files of ``site/``, with a clear 404 page.

The app reads the build through catalog/release's reader (``CurrentRelease``):
when a new release is swapped in, the next request serves it (a new Datasette
over the new, immutable file); a request never mixes two releases. Error pages
come from the site's renderer (catalog/site/render.py, the templates of every
page). Before the first build every page says to run ``catalog build``. No
response ever shows a traceback.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from catalog import compress
from catalog.api import create_api
from catalog.content import inside
from catalog.i18n import request_lang
from catalog.proxies import Network, allowed_hosts, canonical_host, client_scope
from catalog.proxies import from_env as proxies_from_env
from catalog.release.layout import RETIRE_AFTER_S  # requests on a replaced release finish first
from catalog.release.reader import CurrentRelease, Release
from catalog.security import adding, csp_for, defaults
from catalog.site.render import render
from catalog.sqlproc import SqlProcess, register_plugins
from catalog.transparency.web import create_app as create_workspace
from catalog.transparency.workspace import WorkspaceSource
from catalog.urls import base_url

LOG = logging.getLogger("catalog.serve")
SQL_PREFIX = "/sql/"
WORKSPACE_PREFIX = "/transparencia"


def _plugin() -> None:
    """Make sure our Datasette plugins are registered (the SQL explorer's own process
    does the same; here it keeps ``datasette.plugins`` in step for code that asks)."""
    register_plugins()


class Served:
    """One published release as this server serves it: the release (its site folder,
    its index) and its SQL explorer.

    Datasette runs in a process of its own (catalog.sqlproc): its SQL threads
    would otherwise take the GIL from the event loop that serves everything else.
    The child starts on the first /sql/ request and stops when the release retires;
    for a large database (``EAGER_INSPECT_BYTES``), as soon as the release is served,
    since it then spends seconds reading the schema before it answers.
    """

    def __init__(self, release: Release) -> None:
        self.release = release
        self.site = release.folder.site
        self.sql_app = SqlProcess(release.folder.sql)
        if _large_database(release):
            self.sql_app.start()

    def retire(self) -> None:
        self.sql_app.retire()


# inspect.json holds a line per table: past this size (about 1,000 tables) the SQL
# explorer's child starts with the release rather than on the first /sql/ request.
EAGER_INSPECT_BYTES = 64 * 1024


def _large_database(release: Release) -> bool:
    try:
        return release.folder.inspect.stat().st_size > EAGER_INSPECT_BYTES
    except OSError:
        return False


class CatalogApp:
    """The ASGI app: dispatch by path prefix to Datasette, the API or the static site."""

    def __init__(self, build_dir: Path, trusted_proxies: tuple[Network, ...] = ()) -> None:
        _plugin()
        self.build_dir = Path(build_dir)
        self.trusted_proxies = trusted_proxies
        self.hosts = allowed_hosts()
        self.public_host = urlsplit(base_url()).netloc
        self.current = CurrentRelease(self.build_dir)
        self._served: Served | None = None
        self._lock = threading.Lock()
        # One transparency workspace for its pages and its API routes (made at first use).
        workspace = WorkspaceSource(self.build_dir)
        self.api = create_api(self.current, workspace=workspace)
        self.workspace = create_workspace(self.build_dir, workspace)

    # ------------------------------------------------------------ releases

    def served(self) -> Served | None:
        """The release ``current`` points at now, with its SQL explorer; the one it
        replaced retires a little later (requests still on it finish first)."""
        release = self.current()
        if release is None:
            return None
        served = self._served
        if served is not None and served.release is release:
            return served
        with self._lock:
            old = self._served
            if old is None or old.release is not release:
                self._served = Served(release)
                if old is not None:
                    _later(RETIRE_AFTER_S, old.retire)
            return self._served

    # ---------------------------------------------------------------- ASGI

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        scope = client_scope(scope, self.trusted_proxies)
        scope = canonical_host(scope, self.hosts, self.public_host)
        send = adding(send, defaults(scope.get("scheme", "http"), csp_for(scope["path"])))
        started = False

        async def tracked_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            from catalog.bodylimit import guard  # 413 for bodies over their path's limit

            await guard(self._dispatch, scope, receive, tracked_send)
        except Exception:  # noqa: BLE001 - the last line of defence: log it, never show it
            LOG.exception("error serving %s", scope.get("path"))
            if not started:
                await self.page(scope, 500)(scope, receive, send)

    async def _dispatch(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope["path"]
        if path == SQL_PREFIX.rstrip("/"):
            await RedirectResponse(SQL_PREFIX, status_code=301)(scope, receive, send)
        elif path.startswith(SQL_PREFIX):
            served = self.served()
            app = served.sql_app if served else self.page(scope, 503)
            await app(scope, receive, send)
        elif path == "/api" or path.startswith("/api/"):
            await self.api(scope, receive, send)
        elif path == WORKSPACE_PREFIX or path.startswith(WORKSPACE_PREFIX + "/"):
            await self.workspace(scope, receive, send)
        else:
            await self.static(scope)(scope, receive, send)

    def static(self, scope: dict) -> Any:
        """The response for a site path: a file, a redirect to the folder, or a 404 page."""
        served = self.served()
        if served is None:
            return self.page(scope, 503)
        if scope["method"] not in ("GET", "HEAD"):
            return self.page(scope, 405, headers={"Allow": "GET, HEAD"})
        path = scope["path"]
        site = served.site
        target = inside(site, path.lstrip("/")) if path != "/" else site.resolve()
        if path in DCAT_PAGED and target is not None:
            target = _dcat_page(site, target, path, scope)
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                query = scope.get("query_string", b"").decode("latin-1")
                return RedirectResponse(path + "/" + (f"?{query}" if query else ""), 301)
            target = target / "index.html"
        if target is None or not target.is_file():
            return self.page(scope, 404)
        return _file(target, scope)

    def page(self, scope: dict, status: int, headers: dict[str, str] | None = None) -> Response:
        """An HTML error page in the page's language: English under ``/en/``, else the
        reader's (Spanish unless the browser asks for English)."""
        path = scope.get("path", "")
        english = path == "/en" or path.startswith("/en/")
        lang = "en" if english else request_lang(accept=_header(scope, b"accept-language"))
        try:
            body = render("error.html", lang, status=status)
        except Exception:  # noqa: BLE001 - a broken template must not hide the real status
            body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
        return HTMLResponse(body, status_code=status, headers=headers)


FILE_HEADERS = {"Cache-Control": "public, max-age=60", "X-Content-Type-Options": "nosniff"}


def _file(target: Path, scope: dict) -> Any:
    """A site file as it is, or gzip-compressed for a browser that accepts it
    (catalog/compress.py: text files, compressed once in a thread, cached)."""
    stat = target.stat()
    plain = FileResponse(target, headers=FILE_HEADERS, stat_result=stat)
    if not compress.worth_compressing(target, stat.st_size):
        return plain
    plain.headers["Vary"] = "Accept-Encoding"
    if _header(scope, b"range") or not compress.accepts_gzip(_header(scope, b"accept-encoding")):
        return plain

    async def send_compressed(scope: dict, receive: Any, send: Any) -> None:
        body = await compress.compressed(target, stat.st_size, stat.st_mtime)
        etag = plain.headers.get("etag", "").strip('"')
        headers = {
            **FILE_HEADERS,
            "Content-Type": plain.headers["content-type"],
            "Content-Encoding": "gzip",
            "Vary": "Accept-Encoding",
            "Last-Modified": plain.headers["last-modified"],
            "ETag": f'"{etag}-gz"',
        }
        if _header(scope, b"if-none-match") == headers["ETag"]:
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return
        response = Response(b"" if scope["method"] == "HEAD" else body, headers=headers)
        response.headers["Content-Length"] = str(len(body))
        await response(scope, receive, send)

    return send_compressed


# /catalog.ttl?page=N (ckanext-dcat's paging) -> the static page (docs/api.md, "Paged DCAT").
DCAT_PAGED = {"/catalog.ttl": "ttl", "/catalog.jsonld": "jsonld"}


def _dcat_page(site: Path, whole: Path, path: str, scope: dict) -> Path | None:
    """The file of ``?page=N`` of a DCAT document: ``catalog/page-N.<ext>``; of a
    catalogue of one page, ``?page=1`` is the document itself. No page: the document."""
    pages = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("page")
    if not pages:
        return whole
    if not (pages[0].isascii() and pages[0].isdigit()) or len(pages[0]) > 6 or int(pages[0]) < 1:
        return None
    page = inside(site, f"catalog/page-{int(pages[0])}.{DCAT_PAGED[path]}")
    if page is not None and page.is_file():
        return page
    return whole if int(pages[0]) == 1 else None


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _later(delay: float, callback: Any) -> None:
    try:
        asyncio.get_running_loop().call_later(delay, callback)
    except RuntimeError:
        callback()


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def make_app(build_dir: Path, trusted_proxies: tuple[Network, ...] | None = None) -> CatalogApp:
    """The ASGI app serving the build in ``build_dir`` (it may not exist yet).
    Forwarded headers count only from ``trusted_proxies`` (default: the
    ``CATALOG_TRUSTED_PROXIES`` setting, empty unless an operator sets it)."""
    proxies = proxies_from_env() if trusted_proxies is None else trusted_proxies
    return CatalogApp(build_dir, proxies)


def app_from_env() -> CatalogApp:
    """Factory for uvicorn workers: the build folder comes from ``CATALOG_BUILD_DIR``."""
    return make_app(Path(os.environ.get("CATALOG_BUILD_DIR", "build")))


class HideQueryStrings(logging.Filter):
    """Access logs keep the path but not the query string: a requester's private
    tracking key (``?clave=``) or a search must not end up in the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with query strings hidden from the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["hide_query"] = {"()": "catalog.serve.HideQueryStrings"}
    config["handlers"]["access"]["filters"] = ["hide_query"]
    return config


def run(
    build_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    trusted_proxies: tuple[Network, ...] | None = None,
) -> None:
    """Serve with uvicorn; several workers each load the app from the factory.
    uvicorn's own proxy handling is off (it would trust any ``X-Forwarded-For``
    from loopback): the app applies forwarded headers from configured proxies only."""
    import uvicorn

    from catalog.proxies import ENV

    if trusted_proxies is not None:
        os.environ[ENV] = ",".join(str(network) for network in trusted_proxies)
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "server_header": False,
        "proxy_headers": False,
        "log_config": log_config(),
    }
    if workers == 1:
        uvicorn.run(make_app(build_dir), **common)
        return
    os.environ["CATALOG_BUILD_DIR"] = str(Path(build_dir).resolve())
    uvicorn.run("catalog.serve:app_from_env", factory=True, workers=workers, **common)
