"""The release's ``metadata.json``, given to Datasette without a copy of it per table.

Datasette 0.65.5 decides whether a table may be seen (``view-table``: asked twice for
each table its home and database pages list, and on every table page) in
``Datasette._table_permission_allows``, which deep-copies every metadata source (the
metadata it was constructed with and each ``get_metadata`` answer) and rebuilds the
entry of every table in it, to read one table's ``allow``. With the release's table
metadata in the source (titles, descriptions, licences, columns and the ``catalog``
block: 200 KB for the demo's 52 tables, 2.3 MB for 1,000) that is a copy of the whole
file per check: a second of CPU per view of ``/sql/``, growing with tables × file
size, so with the square of the tables.

So ``catalog.sqlproc`` constructs Datasette with no metadata of its own and ``hold``s
the release's for this plugin's ``get_metadata`` hook (``lookup``), which answers
every lookup without copying:

- a lookup of ``"tables"`` (the permission check's, and the facets' for
  ``facet_size``) gets only what those two read of a table, ``allow`` and
  ``facet_size``, for the tables that set either; nothing at all when none does
  (the catalogue's builds set neither), so the check copies nothing;
- any other lookup gets the whole metadata, in new dicts down to each database's
  (Datasette's ``metadata()`` merges its sources into the first one's dicts) around
  the tables and queries held. Datasette returns parts of what a source gave without
  copying them, as it did with the metadata it was constructed with, and fills in a
  table's inherited ``source``/``license``/``about`` in place, as it did there too.

Pages, permissions and hidden tables thus read the same metadata as before.
"""

from __future__ import annotations

import weakref
from typing import Any

# What Datasette 0.65.5 reads of a table from a lookup of "tables": the permission
# check (app.py, ``_table_permission_allows``) and the facets (facets.py).
READ_FROM_TABLES = ("allow", "facet_size")


class Held:
    """One Datasette's metadata: whole, and the part lookups of "tables" read."""

    def __init__(self, metadata: dict[str, Any]) -> None:
        self.metadata = metadata
        databases = metadata.get("databases")
        self.databases: dict[str, Any] = databases if isinstance(databases, dict) else {}
        read = {
            name: _read_from_tables(database.get("tables"))
            for name, database in self.databases.items()
            if isinstance(database, dict)
        }
        read = {name: tables for name, tables in read.items() if tables}
        self.for_tables: dict[str, Any] | None = None
        if read:
            self.for_tables = {
                "databases": {name: {"tables": tables} for name, tables in read.items()}
            }

    def answer(self, key: str | None) -> dict[str, Any] | None:
        if key == "tables":
            return self.for_tables
        if not self.databases:
            return dict(self.metadata)
        databases = {
            name: dict(database) if isinstance(database, dict) else database
            for name, database in self.databases.items()
        }
        return {**self.metadata, "databases": databases}


def _read_from_tables(tables: Any) -> dict[str, Any]:
    if not isinstance(tables, dict):
        return {}
    read = {}
    for name, table in tables.items():
        if isinstance(table, dict) and any(key in table for key in READ_FROM_TABLES):
            read[name] = {key: table[key] for key in READ_FROM_TABLES if key in table}
    return read


# Per Datasette (a test process makes several), what its lookups are answered from.
_HELD: weakref.WeakKeyDictionary[Any, Held] = weakref.WeakKeyDictionary()


def hold(datasette: Any, metadata: dict[str, Any]) -> None:
    """Answer ``datasette``'s metadata lookups from ``metadata`` (a ``metadata.json``);
    ``datasette`` itself was constructed without it."""
    _HELD[datasette] = Held(metadata)


def lookup(datasette: Any, key: str | None) -> dict[str, Any] | None:
    """The ``get_metadata`` answer: None (nothing to add) for a Datasette not held."""
    held = _HELD.get(datasette)
    return held.answer(key) if held is not None else None
