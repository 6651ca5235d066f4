"""Rows of the published tables: CKAN's ``datastore_search`` and ``datastore_search_sql``,
and the native rows endpoint, over the release's SQLite database.

Every connection is opened read-only (``mode=ro``) with ``PRAGMA query_only``,
an authorizer that allows reading and nothing else (no ATTACH, PRAGMA or
writes of any kind), a cap on the length of any value (SQLite's
``SQLITE_LIMIT_LENGTH``: ``zeroblob(2000000000)`` fails and
``printf('%.*c', 9000000, 'x')`` gives NULL instead of building 9 MB per row),
and a timer that interrupts a query after ``CATALOG_API_SQL_TIME_LIMIT_MS``
(default 3000 ms). Rows are fetched one at a time and their JSON size counted:
past ``CATALOG_API_ROWS_MAX_BYTES`` (default 16 MiB) the answer is a 409 saying
how to ask for less, never a response that takes the server's memory. BLOB
values come back as base64 text.
"""

from __future__ import annotations

import base64
import csv
import io
import math
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from catalog.api.catalogue import Catalogue
from catalog.api.shapes import DATASTORE_TYPES
from catalog.bodylimit import MIB, human, parse_size
from catalog.httperrors import Forbidden, Invalid, NotFound, Unavailable
from catalog.i18n import _
from catalog.release.naming import quote

ROWS_MAX = 32000  # CKAN's own default ceiling (ckan.datastore.search.rows_max)
DEFAULT_LIMIT = 100
MAX_VALUE_BYTES = MIB  # any value, row or statement; published cells are a few KB at most
DEFAULT_MAX_ROWS_BYTES = 16 * MIB
INT64 = (-(2**63), 2**63 - 1)  # SQLite's integers
OFF = ("0", "off", "no", "false", "none")
DENIED_FUNCTIONS = frozenset({"load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"})
READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE})
TYPES = DATASTORE_TYPES  # one map for datastore_search and the package dicts
SORT = re.compile(r'^\s*"?([^"]+?)"?(?:\s+(asc|desc))?\s*$', re.I)


def sql_enabled() -> bool:
    """``datastore_search_sql`` is on unless ``CATALOG_API_SQL=off`` (see docs/security.md)."""
    return os.environ.get("CATALOG_API_SQL", "on").strip().lower() not in OFF


def max_rows_bytes() -> int:
    """The most JSON one answer of rows may hold (``CATALOG_API_ROWS_MAX_BYTES``)."""
    try:
        return max(1, parse_size(os.environ.get("CATALOG_API_ROWS_MAX_BYTES") or "16m"))
    except ValueError:
        return DEFAULT_MAX_ROWS_BYTES


def time_limit_ms() -> int:
    try:
        return max(1, int(os.environ.get("CATALOG_API_SQL_TIME_LIMIT_MS", "3000")))
    except ValueError:
        return 3000


def _authorize(action: int, arg1: Any, arg2: Any, _db: Any, _trigger: Any) -> int:
    if action in READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() not in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def connect(catalogue: Catalogue, limit_ms: int | None) -> sqlite3.Connection:
    """A read-only, locked-down connection to the release's database."""
    path = catalogue.database
    if not path.is_file():
        raise Unavailable(
            _("The release database is not available."),
            _("Run catalog build, then try again."),
        )
    conn = sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, check_same_thread=False, factory=TimedConnection
    )
    # SQL can build text that is not UTF-8 (char(55296), CAST(x'ff' AS TEXT)): show it
    # with replacement characters instead of failing the whole answer.
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    conn.execute("PRAGMA query_only = 1")
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.set_authorizer(_authorize)
    if limit_ms is not None:
        conn.stop_after(limit_ms / 1000)
    return conn


class TimedConnection(sqlite3.Connection):
    """A connection that a timer interrupts at its time limit.

    Not a progress handler: that is Python code SQLite calls every few thousand
    steps, and each call takes the GIL from the event loop serving every other
    page (20 queries at their limit stalled the portal for seconds). A timer thread
    calls ``interrupt()`` once; until then SQLite runs without the GIL."""

    _timer: threading.Timer | None = None

    def stop_after(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self._interrupt)
        self._timer.daemon = True
        self._timer.start()

    def _interrupt(self) -> None:
        try:
            self.interrupt()
        except sqlite3.ProgrammingError:  # closed meanwhile: nothing left to stop
            pass

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        super().close()


# ------------------------------------------------------------------ tables


@dataclass
class Table:
    """A published table and what its resource says of its columns."""

    resource_id: str
    name: str
    columns: list[str]
    types: dict[str, str]
    info: dict[str, dict[str, Any]]


def table(catalogue: Catalogue, resource_id: str) -> Table:
    found = catalogue.resource(resource_id)  # reads the search file: call off the loop
    resource = found[1] if found is not None else None
    name = resource["table"] if resource is not None else None
    if resource is None or not name:
        raise NotFound(
            _('Resource "{id}" was not found in the datastore.'),
            _("Use the id of a resource with datastore_active true (see package_show)."),
            id=str(resource_id)[:200],
        )
    fields = [f for f in resource["fields"] if f["name"]]
    return Table(
        resource_id=resource["id"],
        name=name,
        columns=[f["name"] for f in fields],
        types={f["name"]: TYPES.get(f["type"] or "", "text") for f in fields},
        info={
            f["name"]: {"label": f["title"] or "", "notes": f["description"] or ""} for f in fields
        },
    )


@dataclass
class Select:
    """A SELECT over one table, built from validated parameters."""

    table: Table
    fields: list[str]
    where: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    def sql(self, limit: int | None, offset: int) -> tuple[str, list[Any]]:
        cols = ", ".join("rowid AS _id" if f == "_id" else quote(f) for f in self.fields)
        sql = f"SELECT {cols} FROM {quote(self.table.name)}{self._where()}"
        sql += " ORDER BY " + ", ".join([*self.order, "rowid"])
        if limit is not None or offset:
            sql += f" LIMIT {-1 if limit is None else int(limit)} OFFSET {int(offset)}"
        return sql, list(self.args)

    def count_sql(self) -> tuple[str, list[Any]]:
        return f"SELECT count(*) FROM {quote(self.table.name)}{self._where()}", list(self.args)

    def _where(self) -> str:
        return " WHERE " + " AND ".join(self.where) if self.where else ""


def _unknown_column(param: str, column: str, t: Table) -> Invalid:
    return Invalid(
        _('Column "{column}" does not exist in {table}.'),
        _("Columns: {columns}."),
        fields={param: _('Column "{column}" does not exist in {table}.')},
        column=str(column)[:100],
        table=t.resource_id,
        columns=", ".join(["_id", *t.columns]),
    )


def select(
    t: Table,
    fields: list[str] | None,
    filters: dict[str, Any] | None,
    q: str | dict[str, str] | None,
    sort: list[str] | None,
) -> Select:
    """Validate the parameters against the table's columns and build the query."""
    known = ["_id", *t.columns]
    chosen = fields or known
    for name in chosen:
        if name not in known:
            raise _unknown_column("fields", name, t)
    query = Select(t, list(dict.fromkeys(chosen)))
    for column, value in (filters or {}).items():
        if column not in known:
            raise _unknown_column("filters", column, t)
        target = "rowid" if column == "_id" else quote(column)
        values = value if isinstance(value, list) else [value]
        if not values:
            continue
        query.where.append(f"{target} IN ({', '.join('?' for _v in values)})")
        query.args.extend(_scalar(v, "filters") for v in values)
    for column, text in _q_terms(q, t):
        query.where.append(f"instr(lower(CAST({quote(column)} AS TEXT)), lower(?)) > 0")
        query.args.append(text)
    if isinstance(q, str) and q.strip():
        texts = [c for c in t.columns if t.types.get(c) == "text"] or t.columns
        query.where.append(
            "("
            + " OR ".join(f"instr(lower(CAST({quote(c)} AS TEXT)), lower(?)) > 0" for c in texts)
            + ")"
        )
        query.args.extend([q.strip()] * len(texts))
    for clause in sort or []:
        match = SORT.match(clause)
        if not match or match.group(1) not in known:
            raise _unknown_column("sort", match.group(1) if match else clause, t)
        column = "rowid" if match.group(1) == "_id" else quote(match.group(1))
        query.order.append(f"{column} {(match.group(2) or 'asc').upper()}")
    return query


def _q_terms(q: Any, t: Table) -> list[tuple[str, str]]:
    if not isinstance(q, dict):
        return []
    for column in q:
        if column not in t.columns:
            raise _unknown_column("q", column, t)
    return [(c, str(v)) for c, v in q.items() if str(v).strip()]


def _scalar(value: Any, param: str) -> Any:
    """A filter value SQLite can compare: text, a 64-bit integer, a finite number."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _text(value, param)
    if isinstance(value, int) and INT64[0] <= value <= INT64[1]:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, (int, float)):
        raise Invalid(
            _("The number {value} is out of range in {param}."),
            _("Numbers must be finite and between {low} and {high}; send others as text."),
            fields={param: _("The number {value} is out of range in {param}.")},
            value=str(value)[:40],
            param=param,
            low=INT64[0],
            high=INT64[1],
        )
    raise Invalid(
        _("Filter values must be texts or numbers."),
        _('Write filters as {"column": "value"} or {"column": ["a", "b"]}.'),
        fields={param: _("Filter values must be texts or numbers.")},
    )


def _text(value: str, param: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800" from a JSON body
        raise _not_text(param) from None
    return value


def _not_text(param: str) -> Invalid:
    return Invalid(
        _("{param} holds characters that are not valid text (a lone surrogate)."),
        _("Send text in UTF-8; remove escapes such as \\ud800 that stand alone."),
        fields={param: _("{param} holds characters that are not valid text (a lone surrogate).")},
        param=param,
    )


def _run(conn: sqlite3.Connection, sql: str, args: list[Any]) -> sqlite3.Cursor:
    try:
        return conn.execute(sql, args)
    except sqlite3.OperationalError as exc:
        raise _sql_error(exc) from None
    except UnicodeEncodeError:
        raise _not_text("q") from None


def _sql_error(exc: sqlite3.Error) -> Exception:
    text = str(exc)
    if "interrupted" in text:
        return Invalid(
            _("The query took longer than the limit of {ms} ms and was stopped."),
            _("Filter on fewer rows, or download the table and query it locally."),
            fields={"query": _("The query took longer than the limit of {ms} ms and was stopped.")},
            ms=time_limit_ms(),
        )
    if "too big" in text:
        return Invalid(
            _("The query builds a value larger than {size}, the limit of any one value."),
            _(
                "Return shorter values: drop the function that builds them or cut them with substr()."
            ),
            fields={
                "query": _(
                    "The query builds a value larger than {size}, the limit of any one value."
                )
            },
            size=human(MAX_VALUE_BYTES),
        )
    if "not authorized" in text or "readonly" in text or "read-only" in text:
        return Forbidden(
            _("Only reading queries (one SELECT) are allowed."),
            _("This API is read-only: remove statements that write, attach or change settings."),
        )
    return Invalid(
        _("The query failed: {reason}."),
        _("Check the SQL: table names are resource ids, columns as in the resource's fields."),
        fields={"query": _("The query failed: {reason}.")},
        reason=text[:300],
    )


def _blob(value: Any) -> str:
    """orjson's fallback: a BLOB (``x'00ff'``, ``randomblob(10)``) as base64 text."""
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(type(value).__name__)


def dumps(value: Any) -> bytes:
    """JSON of rows and results, BLOBs included."""
    return orjson.dumps(value, default=_blob)


def _too_large(param: str, hint: str) -> Invalid:
    return Invalid(
        _("The answer would be larger than {size}, the limit of one answer."),
        hint,
        fields={param: _("The answer would be larger than {size}, the limit of one answer.")},
        size=human(max_rows_bytes()),
    )


ROWS_HINT = _(
    "Ask for fewer rows (limit) or fewer columns (fields), or download the table from its dataset page."
)
SQL_HINT = _(
    "Add a LIMIT, select fewer columns or shorter values, or download the table and query it locally."
)


def _fetch(
    cursor: sqlite3.Cursor, max_rows: int, names: int, param: str, hint: str
) -> tuple[list[tuple], bool]:
    """At most ``max_rows`` rows and whether there were more, counting their JSON size
    (plus ``names`` bytes of keys per row) one row at a time: over the cap the query
    stops with a clear error before the next row is even built (a batch of a thousand
    rows of 1 MB each would already be a gigabyte)."""
    cap, size = max_rows_bytes(), 0
    rows: list[tuple] = []
    for row in cursor:
        if len(rows) == max_rows:
            return rows, True
        size += len(dumps(row)) + names
        if size > cap:
            raise _too_large(param, hint)
        rows.append(row)
    return rows, False


def _names_size(columns: list[str]) -> int:
    return sum(len(c.encode("utf-8", "replace")) + 4 for c in columns)


def _records(rows: list[tuple], columns: list[str], fmt: str) -> Any:
    if fmt == "lists":
        return rows
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerows(rows)
        return out.getvalue()
    return [dict(zip(columns, r, strict=True)) for r in rows]


def datastore_search(
    catalogue: Catalogue,
    resource_id: str,
    *,
    filters: dict[str, Any] | None = None,
    q: str | dict[str, str] | None = None,
    fields: list[str] | None = None,
    sort: list[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    records_format: str = "objects",
    include_total: bool = True,
) -> bytes:
    """CKAN's datastore_search result, as JSON."""
    t = table(catalogue, resource_id)
    query = select(t, fields, filters, q, sort)
    conn = connect(catalogue, time_limit_ms())
    try:
        sql, args = query.sql(limit, offset)
        names = _names_size(query.fields) if records_format == "objects" else 0
        rows, _more = _fetch(_run(conn, sql, args), limit, names, "limit", ROWS_HINT)
        total = None
        if include_total:
            count_sql, count_args = query.count_sql()
            total = _run(conn, count_sql, count_args).fetchone()[0]
    except sqlite3.Error as exc:
        raise _sql_error(exc) from None
    finally:
        conn.close()
    start = f"/api/3/action/datastore_search?resource_id={t.resource_id}"
    result: dict[str, Any] = {
        "resource_id": t.resource_id,
        "fields": _fields(t, query.fields),
        "records": _records(rows, query.fields, records_format),
        "records_format": records_format,
        "limit": limit,
        "offset": offset,
        "include_total": include_total,
        "_links": {"start": start, "next": f"{start}&offset={offset + limit}"},
    }
    if filters:
        result["filters"] = filters
    if q:
        result["q"] = q
    if sort:
        result["sort"] = ", ".join(sort)
    if include_total:
        result["total"] = total
        result["total_was_estimated"] = False
    return dumps(result)


def _fields(t: Table, columns: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in columns:
        if name == "_id":
            out.append({"id": "_id", "type": "int"})
        else:
            out.append({"id": name, "type": t.types.get(name, "text"), "info": t.info.get(name)})
    return out


def _disabled() -> Forbidden:
    return Forbidden(
        _("datastore_search_sql is turned off on this portal."),
        _(
            "Use datastore_search, or SQL in the browser at /sql/; the administrator turns it on with CATALOG_API_SQL=on."
        ),
    )


def datastore_search_sql(catalogue: Catalogue, sql: str) -> bytes:
    """CKAN's datastore_search_sql, as JSON: one read-only statement, time-limited,
    row-capped and byte-capped."""
    if not sql_enabled():
        raise _disabled()
    if not sql.strip():
        raise Invalid(
            _("The query is empty."),
            _('Give "sql" one SELECT statement.'),
            fields={"sql": _("The query is empty.")},
        )
    conn = connect(catalogue, time_limit_ms())
    try:
        rows, truncated, columns = _select_rows(conn, sql)
    finally:
        conn.close()
    types = _guess_types(rows, len(columns))
    return dumps(
        {
            "sql": sql,
            "records": [dict(zip(columns, r, strict=True)) for r in rows],
            "fields": [{"id": c, "type": t} for c, t in zip(columns, types, strict=True)],
            "records_truncated": truncated,
        }
    )


def _select_rows(conn: sqlite3.Connection, sql: str) -> tuple[list[tuple], bool, list[str]]:
    try:
        cursor = conn.execute(sql)
        if cursor.description is None:
            raise Forbidden(
                _("Only reading queries (one SELECT) are allowed."),
                _(
                    "This API is read-only: remove statements that write, attach or change settings."
                ),
            )
        columns = [str(d[0]) for d in cursor.description]
        rows, truncated = _fetch(cursor, ROWS_MAX, _names_size(columns), "sql", SQL_HINT)
    except sqlite3.ProgrammingError:
        raise Invalid(
            _("Only one statement can be run at a time."),
            _("Remove the semicolon and everything after the first statement."),
            fields={"sql": _("Only one statement can be run at a time.")},
        ) from None
    except sqlite3.Error as exc:
        raise _sql_error(exc) from None
    except UnicodeEncodeError:
        raise _not_text("sql") from None
    return rows, truncated, columns


def _guess_types(rows: list[tuple], width: int) -> list[str]:
    """Each column's type from its first value that is not NULL (SQLite has no column
    types for expressions); BLOBs are ``bytea``, as in CKAN on PostgreSQL."""
    types = ["text"] * width
    for i in range(width):
        for row in rows:
            value = row[i]
            if value is None:
                continue
            if isinstance(value, int):
                types[i] = "int"
            elif isinstance(value, float):
                types[i] = "numeric"
            elif isinstance(value, bytes):
                types[i] = "bytea"
            break
    return types


# ------------------------------------------------------------------ native


def count(catalogue: Catalogue, query: Select) -> int:
    conn = connect(catalogue, time_limit_ms())
    try:
        sql, args = query.count_sql()
        return _run(conn, sql, args).fetchone()[0]
    finally:
        conn.close()


def fetch(catalogue: Catalogue, query: Select, limit: int, offset: int) -> list[tuple]:
    conn = connect(catalogue, time_limit_ms())
    try:
        sql, args = query.sql(limit, offset)
        names = _names_size(query.fields)
        try:
            return _fetch(_run(conn, sql, args), limit, names, "limit", ROWS_HINT)[0]
        except sqlite3.Error as exc:
            raise _sql_error(exc) from None
    finally:
        conn.close()


def stream(
    catalogue: Catalogue, query: Select, offset: int = 0, batch: int = 2000
) -> Iterator[list[tuple]]:
    """Every matching row, a batch at a time (no time limit: a whole table is bounded)."""
    conn = connect(catalogue, None)
    try:
        sql, args = query.sql(None, offset)
        cursor = _run(conn, sql, args)
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        conn.close()
