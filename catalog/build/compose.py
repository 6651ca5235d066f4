"""Composing the release database (``sql/catalogo.db``) from the datasets' own files.

One database holds every published table, so journalists can join across
publishers. Composing is incremental: when the previous release's database
is available and at most half of the datasets changed, it is copied (a file copy,
far cheaper than reloading) and only the datasets whose published version changed
are dropped and copied in again from their snapshot files. Otherwise the database
is composed from scratch.
Either way the result is a new file in the new release folder: the published
one is never modified.

Per table: the ``CREATE TABLE`` of the snapshot file is replayed, rows are
copied inside SQLite (``INSERT ... SELECT`` from an attached file), then the
indexes and the full-text index (sqlite-utils ``enable_fts``, FTS5) are built,
after the rows, which is the fast order; the query planner's statistics last.

Schema changes are what a large catalogue pays for: SQLite reads its whole schema
again on every ``CREATE`` and ``DROP`` (and its statistics on every ``ANALYZE``),
so composing N tables costs N² small reads; hence the choices below.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from catalog.release.manifest import TablePlan
from catalog.release.naming import fts_table, index_name, quote
from catalog.textnorm import SQLITE_TOKENIZE as TOKENIZE  # the search text rule, in FTS5

VACUUM_RATIO = 0.25  # rewrite the file when a quarter of it is free pages after drops
# Up to this many tables copied in are analyzed one by one; past it, the whole file at
# once. Each ANALYZE reloads the statistics of every table in the file, so one per table
# made a build from scratch quadratic (2,000 tables: 9.6 s of ANALYZE; a whole-file
# ANALYZE of them costs what five single-table ones do).
ANALYZE_ONE_BY_ONE = 10


@dataclass
class Version:
    """One dataset's published version: its hash, snapshot file and table plans."""

    hash: str
    db: Path
    tables: list[TablePlan]


def compose_database(
    target: Path,
    versions: dict[str, Version],
    previous: Path | None,
    previous_loaded: dict[str, str],
) -> dict[str, int]:
    """Write ``target`` holding exactly ``versions``; returns how many tables were copied/kept."""
    if previous is not None and previous.is_file() and _worth_reusing(versions, previous_loaded):
        shutil.copyfile(previous, target)
    else:
        previous_loaded = {}
    conn = sqlite3.connect(str(target), isolation_level=None, uri=True)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        stale = {
            d for d, h in previous_loaded.items() if d not in versions or versions[d].hash != h
        }
        _drop_stale(conn, stale)
        fresh = [d for d in sorted(versions) if previous_loaded.get(d) != versions[d].hash]
        for dataset in fresh:
            _copy_in(conn, versions[dataset])
        _analyze(conn, [plan["name"] for d in fresh for plan in versions[d].tables])
        _vacuum_if_sparse(conn)
    finally:
        conn.close()
    return {"copied": len(fresh), "kept": len(versions) - len(fresh)}


def _worth_reusing(versions: dict[str, Version], previous_loaded: dict[str, str]) -> bool:
    """Whether copying the previous database beats composing anew: at most half of the
    datasets changed. Every table dropped or created reads the whole schema once more
    (SQLite's DDL), so replacing most tables of a copy (a new validation code republishes
    every dataset) costs more than creating them all in an empty file."""
    changed = {d for d, h in previous_loaded.items() if d not in versions or versions[d].hash != h}
    changed |= {d for d, v in versions.items() if previous_loaded.get(d) != v.hash}
    return 2 * len(changed) <= max(len(versions), len(previous_loaded))


def _drop_stale(conn: sqlite3.Connection, stale: set[str]) -> None:
    """Drop the tables of datasets removed or changed since the previous release."""
    if not stale:
        return
    owned = _tables_by_dataset(conn)
    conn.execute("BEGIN")
    for dataset in stale:
        for table in owned.get(dataset, []):
            conn.execute(f"DROP TABLE IF EXISTS main.{quote(fts_table(table))}")
            conn.execute(f"DROP TABLE IF EXISTS main.{quote(table)}")
    conn.execute("COMMIT")


def _tables_by_dataset(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Which tables of the copied database belong to which dataset (its ``resources`` table)."""
    owned: dict[str, list[str]] = {}
    try:
        rows = conn.execute(
            "SELECT dataset, table_name FROM resources WHERE table_name IS NOT NULL"
        )
    except sqlite3.Error:
        return owned
    for dataset, table in rows:
        owned.setdefault(dataset, []).append(table)
    return owned


def _copy_in(conn: sqlite3.Connection, version: Version) -> None:
    """Copy a dataset's tables from its snapshot file, then index them."""
    # Read-only: the snapshot is the dataset's last good copy and must never change.
    conn.execute("ATTACH DATABASE ? AS src", (f"{version.db.resolve().as_uri()}?mode=ro",))
    try:
        ddl = dict(conn.execute("SELECT name, sql FROM src.sqlite_master WHERE type = 'table'"))
        conn.execute("BEGIN")
        for plan in version.tables:
            name = plan["name"]
            conn.execute(f"DROP TABLE IF EXISTS main.{quote(fts_table(name))}")
            conn.execute(f"DROP TABLE IF EXISTS main.{quote(name)}")
            conn.execute(ddl[name])  # unqualified CREATE TABLE goes to main
            conn.execute(f"INSERT INTO main.{quote(name)} SELECT * FROM src.{quote(name)}")
        conn.execute("COMMIT")
    finally:
        conn.execute("DETACH DATABASE src")
    for plan in version.tables:
        _index(conn, plan)


def _index(conn: sqlite3.Connection, plan: TablePlan) -> None:
    name = plan["name"]
    for columns in plan["indexes"]:
        cols = ", ".join(quote(c) for c in columns)
        conn.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(index_name(name, columns[0]))} "
            f"ON {quote(name)} ({cols})"
        )
    if plan["fts"]:
        db = sqlite_utils.Database(conn)
        db.table(name).enable_fts(plan["fts"], tokenize=TOKENIZE, replace=True)


def _analyze(conn: sqlite3.Connection, tables: list[str]) -> None:
    """Statistics for the query planner of the tables copied in, sampled so a big table
    costs little: table by table when they are few, else the whole file in one pass."""
    conn.execute("PRAGMA analysis_limit = 1000")
    if len(tables) > ANALYZE_ONE_BY_ONE:
        conn.execute("ANALYZE")
        return
    for name in tables:
        conn.execute(f"ANALYZE {quote(name)}")


def _vacuum_if_sparse(conn: sqlite3.Connection) -> None:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    if pages and free / pages > VACUUM_RATIO:
        conn.execute("VACUUM")
