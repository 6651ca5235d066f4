"""Datasette in a process of its own, behind ``catalog serve`` at ``/sql/``.

Why a process: Datasette runs SQL on threads and stops a query at its time
limit through a SQLite progress handler, a Python function called every 1,000
SQLite instructions. Each call takes the GIL, so a few queries running to their
limit keep taking the GIL from the event loop that also serves the static pages,
the API and the workspace (the convoy effect): 20 such queries stalled every
page for tens of seconds, whatever the number of threads or the switch
interval. In a child process they share no GIL with the portal, and the child
runs at a lower CPU priority (``NICE``), so the portal comes first when the
cores are busy.

- The child (``python -m catalog.sqlproc SQL_FOLDER SOCKET``) builds Datasette
  over one release's ``sql/`` folder and serves it with uvicorn on a Unix socket
  in a private folder (0700). It exits when ``catalog serve`` goes away (its
  stdin closes) and when it is retired.
- ``SqlProcess`` is the ASGI app ``catalog serve`` mounts at ``/sql/``: it
  starts the child on the first request, admits at most ``PER_CLIENT`` requests
  per client and ``TOTAL`` in all (429/503 with ``Retry-After`` beyond, answered
  at once), and streams each request and answer through. If the child died (say
  the kernel killed it), the next request starts a new one.
"""

from __future__ import annotations

import asyncio
import atexit
import html
import itertools
import json
import logging
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from catalog.i18n import _, normalize_lang, translate
from catalog.release.layout import DB_FILE, INSPECT, METADATA

LOG = logging.getLogger("catalog.sql")
SQL_TIME_LIMIT_MS = 3000
SQL_THREADS = 3
SETTINGS: dict[str, Any] = {
    "base_url": "/sql/",
    "sql_time_limit_ms": SQL_TIME_LIMIT_MS,
    "max_returned_rows": 5000,
    "default_page_size": 100,
    "allow_download": True,
    "allow_csv_stream": True,
    "facet_time_limit_ms": 500,
    # Suggestions run a query per column on every table page: seconds on a large table.
    # Each table declares its facets instead (catalog/build/datasette.py).
    "suggest_facets": False,
    "default_cache_ttl": 60,
    "num_sql_threads": SQL_THREADS,
}
NICE = 10  # the child yields the CPU to the portal's own process
# Requests in Datasette at once, per client and in all (a request then waits behind at
# most about three time limits); an operator may change them (docs/security.md).
PER_CLIENT = int(os.environ.get("CATALOG_SQL_PER_CLIENT") or 3)
TOTAL = int(os.environ.get("CATALOG_SQL_TOTAL") or 3 * SQL_THREADS)
RETRY_CLIENT_S = 2
RETRY_BUSY_S = 5
START_TIMEOUT_S = 30.0  # importing Datasette on a busy machine takes a few seconds
RESTART_EVERY_S = 2.0
TIMEOUT = httpx.Timeout(120.0, connect=2.0)
FILES = ("/sql/-/static/", "/sql/-/static-plugins/", "/sql/favicon.ico")
HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"transfer-encoding",
    b"te",
    b"trailer",
    b"upgrade",
    b"proxy-connection",
    b"proxy-authorization",
    b"proxy-authenticate",
}


@dataclass
class Refusal:
    status: int
    title: str  # msgid
    hint: str  # msgid
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)


BUSY_CLIENT = Refusal(
    429,
    _(
        "You already have the most requests the SQL explorer runs at once for one client ({running})."
    ),
    _("Wait for them to finish (a query stops after {seconds} s at most) and try again."),
    {"Retry-After": str(RETRY_CLIENT_S)},
)
BUSY = Refusal(
    503,
    _("The SQL explorer is busy with other people's queries."),
    _("Try again in a few seconds; the catalogue pages and downloads keep working."),
    {"Retry-After": str(RETRY_BUSY_S)},
)
UNAVAILABLE = Refusal(
    503,
    _("The SQL explorer is starting or restarting."),
    _("Try again in a few seconds; the catalogue pages and downloads keep working."),
    {"Retry-After": str(RETRY_BUSY_S)},
)
TOO_SLOW = Refusal(
    504,
    _("The SQL explorer took too long to answer."),
    _("Try again later, or with a simpler query (a WHERE filter or a LIMIT)."),
)
BAD_ADDRESS = Refusal(
    400,
    _("The address cannot be passed to the SQL explorer."),
    _("Check the address for stray characters, or start again from /sql/."),
)
BACK = _("Back to the SQL explorer")


def register_plugins() -> None:
    """Our Datasette plugins, even without their entry point: catalog_links (tables
    link back to the catalogue) and sql_guard (clear errors, caps, closed debug pages)."""
    from datasette.plugins import pm

    import catalog_plugins.catalog_links
    import catalog_plugins.sql_guard

    links = catalog_plugins.catalog_links
    if not pm.is_registered(links) and pm.get_plugin("catalog_links") is None:
        pm.register(links, "catalog_links")
    catalog_plugins.sql_guard.install(pm)


def make_datasette(sql_folder: Path) -> Any:
    """Datasette over one release's immutable database (its ``sql/`` folder), with its
    inspect file, metadata, settings and our plugins (the child calls this)."""
    from datasette.app import Datasette

    from catalog_plugins.catalog_links import metadata

    register_plugins()
    # Datasette deep-copies the metadata it is constructed with for every table it
    # checks permissions on (0.6 s of CPU per /sql/ on the demo, 100 s at 1,000 tables):
    # it gets none, and catalog_links answers its lookups from metadata.json instead.
    datasette = Datasette(
        immutables=[str(sql_folder / DB_FILE)],
        inspect_data=json.loads((sql_folder / INSPECT).read_text("utf-8")),
        settings=SETTINGS,
    )
    metadata.hold(datasette, json.loads((sql_folder / METADATA).read_text("utf-8")))
    return datasette


# ------------------------------------------------------------------ admission


class Admission:
    """Counts the requests in the child, per client and in all (one event loop: no lock)."""

    def __init__(self, total: int = TOTAL, per_client: int = PER_CLIENT) -> None:
        self.total = total
        self.per_client = per_client
        self.running = 0
        self.clients: dict[str, int] = {}

    def enter(self, client: str) -> Refusal | None:
        """None if the request may go in (then ``leave`` must follow), else why not."""
        mine = self.clients.get(client, 0)
        if mine >= self.per_client:
            return Refusal(**{**BUSY_CLIENT.__dict__, "params": {"running": mine}})
        if self.running >= self.total:
            return BUSY
        self.running += 1
        self.clients[client] = mine + 1
        return None

    def leave(self, client: str) -> None:
        self.running -= 1
        left = self.clients.get(client, 1) - 1
        if left:
            self.clients[client] = left
        else:
            self.clients.pop(client, None)


# ------------------------------------------------------------------ answers


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


async def refuse(scope: dict, send: Any, refusal: Refusal) -> None:
    """The refusal as JSON under ``.json``, text under ``.csv``, else a small page."""
    lang = normalize_lang(_header(scope, b"accept-language"))
    params = {"seconds": f"{SQL_TIME_LIMIT_MS / 1000:g}", **refusal.params}
    title = translate(refusal.title, lang, **params)
    hint = translate(refusal.hint, lang, **params)
    path = scope.get("path", "")
    if path.endswith(".json"):
        body = json.dumps(
            {"ok": False, "status": refusal.status, "title": title, "error": title, "hint": hint}
        )
        kind = "application/json"
    elif path.endswith((".csv", ".tsv")):
        body, kind = f"{title}\n{hint}\n", "text/plain"
    else:
        body, kind = _page(lang, title, hint), "text/html"
    headers = [
        (b"content-type", f"{kind}; charset=utf-8".encode()),
        (b"cache-control", b"no-store"),
    ]
    headers += [(k.lower().encode(), v.encode()) for k, v in refusal.headers.items()]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode("utf-8")})


def _page(lang: str, title: str, hint: str) -> str:
    back = html.escape(translate(BACK, lang))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}</title><link rel="stylesheet" href="/assets/style.css">'
        f"</head><body><main><h1>{html.escape(title)}</h1><p>{html.escape(hint)}</p>"
        f'<p><a href="/sql/">{back}</a></p></main></body></html>'
    )


# ------------------------------------------------------------------ the child, seen from here

_counter = itertools.count(1)
_socket_dir: Path | None = None
_live: weakref.WeakSet[SqlProcess] = weakref.WeakSet()
# Plain HTTP on a Unix socket: httpx wants a TLS context all the same; make one, once,
# without loading the system's certificates (that takes tens of milliseconds).
_plain_http = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _sockets() -> Path:
    """A private folder for the children's sockets (only this user may reach them)."""
    global _socket_dir
    if _socket_dir is None:
        _socket_dir = Path(tempfile.mkdtemp(prefix="catalog-sql-"))
        os.chmod(_socket_dir, 0o700)
    return _socket_dir


ADMISSION = Admission()  # one per process: every release's child shares the machine


class SqlProcess:
    """The ASGI app at ``/sql/`` for one release: a proxy to its Datasette child."""

    def __init__(self, sql_folder: Path, admission: Admission = ADMISSION) -> None:
        self.sql_folder = sql_folder
        self.admission = admission
        self.socket = _sockets() / f"{os.getpid()}-{next(_counter)}.sock"
        self.process: subprocess.Popen | None = None
        self._started = 0.0
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        _live.add(self)

    # -- the child's life

    def start(self) -> None:
        """Start the child now rather than on the first request."""
        self._start()

    def _start(self) -> None:
        """Start the child if it is not running (always from the event loop's thread);
        a child that keeps failing is started again at most once every RESTART_EVERY_S."""
        if self.process is not None and self.process.poll() is None:
            return
        now = time.monotonic()
        if self.process is not None and now - self._started < RESTART_EVERY_S:
            return
        self._started = now
        if self.process is not None:
            LOG.warning(
                "the SQL explorer's process ended (%s); starting it again", self.process.returncode
            )
        self.socket.parent.mkdir(mode=0o700, exist_ok=True)  # a child that ended removes it
        self.socket.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "catalog.sqlproc", str(self.sql_folder), str(self.socket)],
            stdin=subprocess.PIPE,  # closes when we go: the child then exits
        )

    def retire(self, wait: bool = False) -> None:
        """Stop the child (its release was replaced, or the server stops); without
        ``wait``, a thread reaps it, so the event loop never blocks on it."""
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            if wait:
                _reap(process)
            else:
                threading.Thread(target=_reap, args=(process,), daemon=True).start()
        self.socket.unlink(missing_ok=True)

    def _client(self) -> httpx.AsyncClient:
        """One pooled client per event loop (tests run several loops in one process)."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            transport = httpx.AsyncHTTPTransport(uds=str(self.socket), verify=_plain_http)
            client = httpx.AsyncClient(transport=transport, timeout=TIMEOUT)
            self._clients[loop] = client
        return client

    # -- ASGI

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["path"].startswith(FILES):  # a page's scripts and styles: no SQL, not counted
            await self._forward(scope, receive, send)
            return
        who = (scope.get("client") or ("unknown",))[0]
        refusal = self.admission.enter(who)
        if refusal is not None:
            await refuse(scope, send, refusal)
            return
        try:
            await self._forward(scope, receive, send)
        finally:
            self.admission.leave(who)

    async def _forward(self, scope: dict, receive: Any, send: Any) -> None:
        try:
            request = self._client().build_request(
                scope["method"],
                httpx.URL("http://sql", raw_path=_target(scope)),
                headers=_request_headers(scope),
                content=await _body(receive),
            )
        except (httpx.InvalidURL, ValueError, UnicodeError):
            await refuse(scope, send, BAD_ADDRESS)
            return
        response = await self._send(request)
        if isinstance(response, Refusal):
            await refuse(scope, send, response)
            return
        try:
            headers = [
                (k, v) for k, v in response.headers.raw if k.lower() not in (*HOP_BY_HOP, b"date")
            ]  # our own server adds the date
            await send(
                {"type": "http.response.start", "status": response.status_code, "headers": headers}
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()

    async def _send(self, request: httpx.Request) -> httpx.Response | Refusal:
        """The child's answer; waits while the child starts (or starts again). A child
        that dies during a request is not sent that request again."""
        deadline = asyncio.get_running_loop().time() + START_TIMEOUT_S
        while True:
            self._start()
            try:
                return await self._client().send(request, stream=True)
            except httpx.ConnectError:
                if asyncio.get_running_loop().time() > deadline:
                    return UNAVAILABLE
                await asyncio.sleep(0.05)
            except httpx.TimeoutException:
                return TOO_SLOW
            except httpx.TransportError as exc:
                LOG.warning("the SQL explorer's process failed a request: %s", exc)
                return UNAVAILABLE


def _target(scope: dict) -> bytes:
    path = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string") or b""
    return path + (b"?" + query if query else b"")


def _request_headers(scope: dict) -> list[tuple[bytes, bytes]]:
    """The client's headers (its Host, so Datasette's links stay right) and the scheme;
    not the forwarding headers a client may have written itself."""
    headers = [
        (k, v)
        for k, v in scope.get("headers") or []
        if k.lower() not in HOP_BY_HOP and not k.lower().startswith((b"x-forwarded-", b"forwarded"))
    ]
    return headers + [(b"x-forwarded-proto", scope.get("scheme", "http").encode("latin-1"))]


async def _body(receive: Any) -> bytes:
    """The request body (``catalog serve``'s body limit already capped its size)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _reap(process: subprocess.Popen) -> None:
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@atexit.register
def _stop_all() -> None:
    for process in list(_live):
        process.retire(wait=True)
    if _socket_dir is not None:
        for leftover in _socket_dir.glob("*.sock"):
            leftover.unlink(missing_ok=True)
        try:
            _socket_dir.rmdir()
        except OSError:
            pass


# ------------------------------------------------------------------ the child itself


def _remove(socket: Path) -> None:
    """Remove the socket, and its folder once empty (the parent may have died
    without its own clean-up: killed, or stopped by a signal it does not handle)."""
    socket.unlink(missing_ok=True)
    try:
        socket.parent.rmdir()
    except OSError:
        pass  # other sockets still in it, or already gone


def _exit_with_parent(socket: Path) -> None:
    """Exit as soon as stdin closes: ``catalog serve`` went away, however it ended."""

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            _remove(socket)
            os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


async def warm(datasette: Any) -> None:
    """Before the first request: every SQL thread opens its connection and reads the
    schema, and Datasette learns the tables (its ``_internal`` database). With the tables
    of 50,000 datasets each costs seconds; under a request the schema's reading would run
    into the time limit, be stopped, and start again on the next request."""
    await datasette.invoke_startup()
    threads = datasette.executor._max_workers if datasette.executor else 1
    together = threading.Barrier(threads)  # one connection per thread: each takes one task

    def read_schema(conn: Any) -> None:
        conn.execute("select count(*) from sqlite_master").fetchone()
        if datasette.executor:
            together.wait(timeout=START_TIMEOUT_S * 10)

    for name, db in datasette.databases.items():
        if name != "_internal":
            together.reset()
            await asyncio.gather(*(db.execute_fn(read_schema) for _ in range(threads)))
    await datasette.refresh_schemas()


def child_main(sql_folder: Path, socket: Path) -> None:
    import uvicorn

    os.nice(NICE)
    _exit_with_parent(socket)
    datasette = make_datasette(sql_folder)
    asyncio.run(warm(datasette))  # before the socket exists: requests wait, then find it ready
    app = datasette.app()
    try:
        uvicorn.run(
            app,
            uds=str(socket),
            log_level="warning",
            access_log=False,
            server_header=False,
            proxy_headers=True,
            forwarded_allow_ips="*",  # only our parent can reach the socket
        )
    finally:
        _remove(socket)


if __name__ == "__main__":
    child_main(Path(sys.argv[1]), Path(sys.argv[2]))
