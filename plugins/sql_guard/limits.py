"""Caps that keep one ``/sql/`` request, or many, from taking the whole server.

- Memory: SQLite builds no string or blob longer than ``MAX_VALUE_BYTES``
  (``SQLITE_LIMIT_LENGTH``), and a result stops being fetched once its values
  pass ``MAX_RESULT_BYTES`` (a row factory counts them as rows arrive, so the
  cap holds before anything is rendered). Without them one query of 100 values
  of 9 MB took the server from 0.2 to 3.7 GB. The largest value in the demo
  catalogue is 4 KB; the caps are thousands of times that.

CPU and concurrency are limited outside Datasette: it runs in a process of its
own at a lower priority, behind a proxy that admits a few requests per client
(catalog.sqlproc).
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from typing import Any

from .problems import ResultTooLarge

MB = 2**20
MAX_VALUE_BYTES = 16 * MB
MAX_RESULT_BYTES = 16 * MB
_fetching = threading.local()  # per SQL thread: the cursor being fetched and its bytes


def _row_bytes(values: tuple) -> int:
    size = 8 * len(values)
    for value in values:
        if value.__class__ is str or value.__class__ is bytes:
            size += len(value)
    return size


def capped_row(cursor: sqlite3.Cursor, values: tuple) -> sqlite3.Row:
    """Datasette's ``sqlite3.Row``, counting the bytes of the cursor's result so far."""
    current = getattr(_fetching, "cursor", None)
    if current is not None and current() is cursor:
        _fetching.total += _row_bytes(values)
    else:
        _fetching.cursor, _fetching.total = weakref.ref(cursor), _row_bytes(values)
    if _fetching.total > MAX_RESULT_BYTES:
        raise ResultTooLarge(f"result over {MAX_RESULT_BYTES} bytes")
    return sqlite3.Row(cursor, values)


def cap_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.row_factory = capped_row


def limits_for(datasette: Any) -> dict[str, Any]:
    """The figures messages quote."""
    return {
        "seconds": f"{datasette.setting('sql_time_limit_ms') / 1000:g}",
        "mb": MAX_RESULT_BYTES // MB,
        "value_mb": MAX_VALUE_BYTES // MB,
    }
