"""The SQL home and database pages of a catalogue too large for Datasette's own.

Datasette's home (``/sql/``) and database page (``/sql/catalogo``) list every table
with its columns, keys and full-text index, asking SQLite about each one in turn:
with the tables of 50,000 datasets (and their indexes and full-text shadow tables)
that is hundreds of thousands of questions per page, minutes instead of
milliseconds, and a list no one could read. Above ``LARGE_TABLES`` tables those two
pages are replaced by one that answers from what the build already counted
(``inspect.json``): the catalogue tables that describe every other one, forms to find
a dataset or a table by words, and the SQL editor. Table pages, queries (``?sql=``),
JSON and CSV stay Datasette's own; smaller catalogues keep Datasette's pages whole.
"""

from __future__ import annotations

import weakref
from typing import Any

from datasette.utils.asgi import Response

from catalog.i18n import _, translate
from catalog.site.render import number

LARGE_TABLES = 1000
CATALOGUE_TABLES = ("datasets", "resources", "fields", "publishers")
EXAMPLE_SQL = (
    "select d.title, r.table_name, r.rows\n"
    "from datasets d join resources r on r.dataset = d.id\n"
    "order by r.rows desc limit 20"
)
LABELS = {
    "tables": _("This database holds {tables} tables with {rows} rows in all."),
    "why": _(
        "There are too many to list here: find the one you need by the dataset's words or "
        "by the table's name, or query the catalogue tables, which describe every table."
    ),
    "catalogue": _("Catalogue tables"),
    "rows": _("{rows} rows"),
    "find_dataset": _("Find a dataset"),
    "find_table": _("Find a table by its name"),
    "words": _("Words"),
    "name": _("Part of the table's name"),
    "search": _("Search"),
    "sql": _("Run SQL"),
    "query": _("SQL query"),
    "run": _("Run"),
}


# Per Datasette, per database: the build's counts never change while it runs, so the
# 50,000 entries are read once, not on every request.
_COUNTS: weakref.WeakKeyDictionary[Any, dict[str, dict[str, int]]] = weakref.WeakKeyDictionary()


def _inspected(datasette: Any, database: str) -> dict[str, int]:
    """The row count of each table of ``database``, as the build counted them."""
    known = _COUNTS.setdefault(datasette, {})
    if database not in known:
        tables = ((datasette.inspect_data or {}).get(database) or {}).get("tables") or {}
        known[database] = {name: int((t or {}).get("count") or 0) for name, t in tables.items()}
    return known[database]


def is_large(datasette: Any, database: str) -> bool:
    return len(_inspected(datasette, database)) > LARGE_TABLES


def _main_database(datasette: Any) -> str | None:
    names = [n for n in datasette.databases if n != "_internal"]
    return names[0] if len(names) == 1 else None


def _lang(datasette: Any) -> str:
    return (datasette.plugin_config("catalog_links") or {}).get("lang") or "es"


async def _page(datasette: Any, request: Any, database: str) -> Response:
    lang = _lang(datasette)
    counts = _inspected(datasette, database)
    labels = {key: translate(msgid, lang) for key, msgid in LABELS.items()}
    labels["tables"] = translate(
        LABELS["tables"],
        lang,
        tables=number(len(counts), lang),
        rows=number(sum(counts.values()), lang),
    )
    catalogue = [
        {"name": t, "rows": translate(LABELS["rows"], lang, rows=number(counts[t], lang))}
        for t in CATALOGUE_TABLES
        if t in counts
    ]
    html = await datasette.render_template(
        "catalog_large.html",
        {
            "database": database,
            "catalogue": catalogue,
            "labels": labels,
            "example_sql": EXAMPLE_SQL,
            "metadata": datasette.metadata(),
            "lang": lang,
        },
        request=request,
    )
    return Response.html(html)


def _as_datasette_routes_it(request: Any) -> Any:
    """The request as Datasette's own route would have matched it (no ``.json``)."""
    request.scope["url_route"]["kwargs"].setdefault("format", None)
    return request


async def home(datasette: Any, request: Any, send: Any) -> Any:
    """``/sql/``: Datasette's home, or this page when the one database is large."""
    from datasette.views.index import IndexView  # not at import: Datasette loads plugins first

    database = _main_database(datasette)
    if database is None or not is_large(datasette, database):
        return await IndexView.as_view(datasette)(_as_datasette_routes_it(request), send)
    return await _page(datasette, request, database)


async def database_page(datasette: Any, request: Any, send: Any) -> Any:
    """``/sql/<database>``: Datasette's page (and always its queries), or this page."""
    from datasette.views.database import DatabaseView  # as above

    database = request.url_vars["database"]
    if request.args.get("sql") or not is_large(datasette, database):
        return await DatabaseView.as_view(datasette)(_as_datasette_routes_it(request), send)
    return await _page(datasette, request, database)


ROUTES = [(r"^/$", home), (r"^/(?P<database>[^\/\.]+)$", database_page)]
