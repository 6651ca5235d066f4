"""Every published version of a dataset: its history, and what changed between versions.

A dataset's state (state.py) keeps, besides its last good version, a history: one
``VersionRecord`` per version published, oldest first, each with its snapshot folder
(kept by the build's garbage collector), its date, the descriptor's ``version`` and
``changeNote``, its tables (row counts, columns and types, primary key) and the diff
from the version before it (catalog/release/versions.py, ``VersionDiff``).

A new version is recorded when the data change (rows, columns, tables) or the
descriptor's ``version`` or ``changeNote`` do. Content that validates again with the
same data and the same version (a new release of the validating code, a corrected
description) replaces the snapshot of the latest version instead, keeping its id and date.

The diff is computed once, when a version is published, by SQLite over the two snapshot
files (both attached read-only to one connection; temporary tables on disk): rows are
matched by the primary key when both versions have the same one (``changed`` = same key,
other values), else by a 64-bit hash of the whole row (counted per hash, so duplicates
count). Memory does not grow with the table; a table of more than ``MAX_DIFF_ROWS`` rows
(both versions together) is not compared row by row, only counted.

``CATALOG_KEEP_VERSIONS`` (docs/publishing.md) limits how many versions of each dataset
are kept: the newest ones, the current included; empty or 0 keeps all.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from catalog import urls
from catalog.release.manifest import Manifest
from catalog.release.naming import quote
from catalog.release.versions import (
    ColumnChange,
    SourceTable,
    TableDiff,
    VersionDiff,
    VersionEntry,
    VersionSource,
    empty_diff,
)

KEEP_SETTING = "CATALOG_KEEP_VERSIONS"
MAX_DIFF_ROWS = 50_000_000  # both versions of one table together
ID_LENGTH = 12
CHANGE_NOTE = "changeNote"  # the descriptor's key (catalog/metadata.py checks it)


@dataclass
class TableRecord:
    """One table of a version: enough to compare it with another version, and to export it."""

    resource: str
    table: str
    rows: int = 0
    key: list[str] = field(default_factory=list)
    columns: list[list[str]] = field(default_factory=list)  # [name, Table Schema type]


@dataclass
class VersionRecord:
    """One published version of a dataset, as the build state keeps it."""

    id: str
    hash: str
    snapshot: str  # folder relative to the snapshots folder
    when: str
    version: str = ""
    note: str = ""
    tables: list[TableRecord] = field(default_factory=list)
    diff: dict[str, Any] | None = None  # a VersionDiff

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VersionRecord:
        tables = [TableRecord(**t) for t in data.get("tables") or []]
        return cls(**{**data, "tables": tables})


def keep_setting(environ: dict[str, str] | None = None) -> int | None:
    """How many versions of each dataset to keep (None: all), from ``CATALOG_KEEP_VERSIONS``."""
    raw = (os.environ.get(KEEP_SETTING) if environ is None else environ.get(KEEP_SETTING)) or ""
    try:
        keep = int(raw.strip())
    except ValueError:
        return None
    return keep if keep > 0 else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def record_of(digest: str, snapshot: str, when: str, manifest: Manifest) -> VersionRecord:
    """A version as published: its tables and the descriptor's version and change note."""
    package = manifest["package"]
    return VersionRecord(
        id=digest[:ID_LENGTH],
        hash=digest,
        snapshot=snapshot,
        when=when,
        version=_text(package.get("version")),
        note=_text(package.get(CHANGE_NOTE)),
        tables=[
            TableRecord(
                resource=plan["resource"],
                table=plan["name"],
                rows=int(plan.get("rows") or 0),
                key=list(plan["primaryKey"]),
                columns=[[c["name"], c["type"]] for c in plan["columns"]],
            )
            for plan in manifest["tables"]
        ],
    )


def add_version(
    history: list[VersionRecord],
    new: VersionRecord,
    snapshots: Path,
    database: str,
    keep: int | None = None,
) -> list[VersionRecord]:
    """The history once ``new`` is published (``database``: a snapshot's SQLite file name)."""
    history = list(history)
    if not history:
        return [new]
    last = history[-1]
    if last.snapshot == new.snapshot:
        history[-1] = VersionRecord(**{**vars(new), "id": last.id, "when": last.when})
        history[-1].diff = last.diff
        return history
    old_db = snapshots / last.snapshot / database
    diff = (
        compare(old_db, snapshots / new.snapshot / database, last, new, last.id)
        if old_db.is_file()
        else None
    )
    same = diff is not None and empty_diff(diff)
    if same and (last.version, last.note) == (new.version, new.note):
        # The same data again: the latest version, in its new snapshot.
        history[-1] = VersionRecord(**{**vars(new), "id": last.id, "when": last.when})
        history[-1].diff = last.diff
        return history
    new.diff = cast(dict[str, Any], diff)
    if any(v.id == new.id for v in history):  # an earlier content published again
        new.id = new.hash[: ID_LENGTH + 4]
    history.append(new)
    return history[-keep:] if keep else history


# ------------------------------------------------------------------ the diff


def _row_hash(*values: Any) -> int:
    """A 64-bit signed hash of a row's values (type-aware: 1 and '1' differ)."""
    digest = hashlib.blake2b(repr(values).encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


def _connect(old: Path, new: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA temp_store = FILE")  # temporary tables on disk, not in memory
    conn.execute("ATTACH DATABASE ? AS prev", (old.resolve().as_uri() + "?mode=ro",))
    conn.execute("ATTACH DATABASE ? AS curr", (new.resolve().as_uri() + "?mode=ro",))
    conn.create_function("row_hash", -1, _row_hash, deterministic=True)
    return conn


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0] or 0)


def _by_key(
    conn: sqlite3.Connection, old: TableRecord, new: TableRecord, common: list[str]
) -> tuple[int, int, int]:
    a, b = f"prev.{quote(old.table)}", f"curr.{quote(new.table)}"
    match = " and ".join(f"o.{quote(k)} = n.{quote(k)}" for k in new.key)
    added = _count(
        conn, f"select count(*) from {b} n where not exists (select 1 from {a} o where {match})"
    )
    removed = _count(
        conn, f"select count(*) from {a} o where not exists (select 1 from {b} n where {match})"
    )
    values = [c for c in common if c not in new.key]
    changed = 0
    if values:
        differ = " or ".join(f"o.{quote(c)} is not n.{quote(c)}" for c in values)
        changed = _count(conn, f"select count(*) from {b} n join {a} o on {match} where {differ}")
    return added, removed, changed


def _by_row(
    conn: sqlite3.Connection, old: TableRecord, new: TableRecord, common: list[str]
) -> tuple[int, int]:
    columns = ", ".join(quote(c) for c in common) or "null"
    for name, schema, table in (("ha", "prev", old.table), ("hb", "curr", new.table)):
        conn.execute(f"drop table if exists temp.{name}")
        conn.execute(
            f"create temp table {name} as select row_hash({columns}) as h, count(*) as n "
            f"from {schema}.{quote(table)} group by 1"
        )
        conn.execute(f"create index temp.{name}_h on {name}(h)")
    added = _count(
        conn, "select sum(max(hb.n - coalesce(ha.n, 0), 0)) from hb left join ha on ha.h = hb.h"
    )
    removed = _count(
        conn, "select sum(max(ha.n - coalesce(hb.n, 0), 0)) from ha left join hb on hb.h = ha.h"
    )
    conn.execute("drop table temp.ha")
    conn.execute("drop table temp.hb")
    return added, removed


def _table_diff(
    conn: sqlite3.Connection, old: TableRecord | None, new: TableRecord | None, limit: int
) -> TableDiff:
    if old is None or new is None:
        only = cast(TableRecord, new or old)
        return TableDiff(
            resource=only.resource,
            status="added" if new else "removed",
            by="row",
            compared=True,
            rows_added=only.rows if new else 0,
            rows_removed=only.rows if old else 0,
            rows_changed=0,
            columns_added=[c[0] for c in only.columns] if new else [],
            columns_removed=[c[0] for c in only.columns] if old else [],
            columns_retyped=[],
        )
    before = {c[0]: c[1] for c in old.columns}
    after = {c[0]: c[1] for c in new.columns}
    common = [name for name in after if name in before]
    retyped = [
        ColumnChange(name=n, old=before[n], new=after[n]) for n in common if before[n] != after[n]
    ]
    keyed = bool(new.key) and new.key == old.key and all(k in common for k in new.key)
    compared = old.rows + new.rows <= limit
    changed = 0
    if not compared:
        added, removed = max(new.rows - old.rows, 0), max(old.rows - new.rows, 0)
    elif keyed:
        added, removed, changed = _by_key(conn, old, new, common)
    else:
        added, removed = _by_row(conn, old, new, common)
    columns_added = [n for n in after if n not in before]
    columns_removed = [n for n in before if n not in after]
    touched = added or removed or changed or columns_added or columns_removed or retyped
    return TableDiff(
        resource=new.resource,
        status="changed" if touched or not compared else "unchanged",
        by="key" if keyed else "row",
        compared=compared,
        rows_added=added,
        rows_removed=removed,
        rows_changed=changed,
        columns_added=columns_added,
        columns_removed=columns_removed,
        columns_retyped=retyped,
    )


def compare(
    old_db: Path,
    new_db: Path,
    old: VersionRecord,
    new: VersionRecord,
    previous: str,
    limit: int = MAX_DIFF_ROWS,
) -> VersionDiff:
    """What changed from ``old`` (its snapshot file ``old_db``) to ``new`` (``new_db``)."""
    before = {t.resource: t for t in old.tables}
    after = {t.resource: t for t in new.tables}
    names = list(after) + [r for r in before if r not in after]
    conn = _connect(old_db, new_db)
    try:
        tables = [_table_diff(conn, before.get(n), after.get(n), limit) for n in names]
    finally:
        conn.close()
    changed = [t for t in tables if t["status"] != "added" and t["status"] != "removed"]
    return VersionDiff(
        previous=previous,
        rows_added=sum(t["rows_added"] for t in tables),
        rows_removed=sum(t["rows_removed"] for t in tables),
        rows_changed=sum(t["rows_changed"] for t in tables),
        columns_added=sum(len(t["columns_added"]) for t in changed),
        columns_removed=sum(len(t["columns_removed"]) for t in changed),
        columns_retyped=sum(len(t["columns_retyped"]) for t in tables),
        complete=all(t["compared"] for t in tables),
        tables=tables,
    )


# ------------------------------------------------------------------ what readers see


def entries(publisher: str, name: str, history: list[VersionRecord]) -> list[VersionEntry]:
    """The versions of a dataset for its index entry and page, newest first."""
    found = []
    for position, v in enumerate(history):
        current = position == len(history) - 1
        found.append(
            VersionEntry(
                id=v.id,
                version=v.version,
                published_at=v.when,
                note=v.note,
                current=current,
                rows={t.resource: t.rows for t in v.tables},
                downloads={
                    t.resource: (
                        urls.download(publisher, name, t.resource, "csv")
                        if current
                        else urls.version_download(publisher, name, v.id, t.resource)
                    )
                    for t in v.tables
                },
                diff=cast(VersionDiff | None, v.diff),
            )
        )
    return found[::-1]


def sources(history: list[VersionRecord], snapshots: Path, database: str) -> list[VersionSource]:
    """The versions before the current one whose snapshot is still there: what the site
    exports as each old version's CSV downloads."""
    found = []
    for v in history[:-1]:
        path = snapshots / v.snapshot / database
        if path.is_file():
            found.append(
                VersionSource(
                    id=v.id,
                    hash=v.hash,
                    database=str(path),
                    tables=[
                        SourceTable(resource=t.resource, table=t.table, columns=t.columns)
                        for t in v.tables
                    ],
                )
            )
    return found
