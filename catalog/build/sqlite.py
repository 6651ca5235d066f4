"""Loading one dataset's tabular resources into its own SQLite file.

Each valid dataset gets a small SQLite file in its snapshot (``data.db``): one
table per resource, typed from the Table Schema, with its primary and foreign
keys. It is the dataset's last good copy: the release database is composed
from these files (compose.py), so a dataset that later breaks is republished
without reading its source again.

Types: integer, year and boolean (0/1) are INTEGER; number is REAL; dates and
times are ISO 8601 TEXT (they sort and compare correctly as text); everything
else is TEXT (objects and arrays as JSON). Rows go in with ``executemany`` in
batches, straight from the typed polars frame, into a fresh file with the
journal and fsync off: a half-written file is thrown away anyway.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import polars as pl

from catalog.release.manifest import Column, ForeignKey, TablePlan
from catalog.release.naming import quote

BATCH_ROWS = 100_000
# A column with at most this many distinct values (and repeated values) gets an
# index: it is what facets and filters group by.
LOW_CARDINALITY = 1000
SQL_TYPES = {"integer": "INTEGER", "year": "INTEGER", "boolean": "INTEGER", "number": "REAL"}
# Low-cardinality columns of these types are what facets group by; an index costs
# load time (a sort of the whole column), so numbers and dates do not get one.
_FACET_TYPES = {"string", "year", "boolean"}


def as_list(value: Any) -> list[str]:
    """Table Schema allows a field name or a list of them."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def table_plan(
    resource: dict[str, Any], table: str, tables_by_resource: dict[str, str]
) -> TablePlan:
    """What the table of a resource looks like: columns, keys (indexes come with the data)."""
    schema = resource.get("schema") or {}
    fields = schema.get("fields") or []
    columns = [
        Column(
            name=f["name"],
            type=f.get("type", "string"),
            sqltype=SQL_TYPES.get(f.get("type", "string"), "TEXT"),
            title=f.get("title"),
            description=f.get("description"),
            format=f.get("format"),
            territory=f.get("territory"),
            enum=bool((f.get("constraints") or {}).get("enum")),
            pattern=bool((f.get("constraints") or {}).get("pattern")),
            required=bool((f.get("constraints") or {}).get("required")),
            unique=bool((f.get("constraints") or {}).get("unique")),
        )
        for f in fields
    ]
    foreign_keys: list[ForeignKey] = []
    for fk in schema.get("foreignKeys") or []:
        reference = fk.get("reference") or {}
        target = tables_by_resource.get(reference.get("resource") or resource.get("name", ""))
        if target:
            foreign_keys.append(
                ForeignKey(
                    fields=as_list(fk.get("fields")),
                    table=target,
                    columns=as_list(reference.get("fields")),
                )
            )
    return TablePlan(
        name=table,
        resource=resource.get("name", ""),
        title=resource.get("title"),
        description=resource.get("description"),
        path=resource.get("path"),
        format=resource.get("format"),
        columns=columns,
        primaryKey=as_list(schema.get("primaryKey")),
        foreignKeys=foreign_keys,
        indexes=[],
        fts=[],
        rows=0,
    )


def create_sql(plan: TablePlan) -> str:
    """``CREATE TABLE`` with types, NOT NULL/UNIQUE constraints and keys."""
    pk = plan["primaryKey"]
    rowid_pk = len(pk) == 1 and any(
        c["name"] == pk[0] and c["sqltype"] == "INTEGER" for c in plan["columns"]
    )
    lines = []
    for column in plan["columns"]:
        line = f"{quote(column['name'])} {column['sqltype']}"
        if rowid_pk and column["name"] == pk[0]:
            line += " PRIMARY KEY"  # an alias of the rowid: the fastest key SQLite has
        elif column["required"] or column["name"] in pk:
            line += " NOT NULL"
        if column["unique"] and column["name"] not in pk:
            line += " UNIQUE"
        lines.append(line)
    if pk and not rowid_pk:
        lines.append(f"PRIMARY KEY ({', '.join(quote(c) for c in pk)})")
    for fk in plan["foreignKeys"]:
        lines.append(
            f"FOREIGN KEY ({', '.join(quote(c) for c in fk['fields'])}) "
            f"REFERENCES {quote(fk['table'])}({', '.join(quote(c) for c in fk['columns'])})"
        )
    return f"CREATE TABLE {quote(plan['name'])} (\n  " + ",\n  ".join(lines) + "\n)"


def sqlite_ready(frame: pl.DataFrame, plan: TablePlan) -> pl.DataFrame:
    """The frame's columns in schema order, as values sqlite3 stores natively."""
    exprs = []
    for column in plan["columns"]:
        name = column["name"]
        dtype = frame.schema[name]
        col = pl.col(name)
        if dtype == pl.Boolean:
            col = col.cast(pl.Int8)
        elif isinstance(dtype, pl.Datetime):
            col = col.dt.to_string("%Y-%m-%dT%H:%M:%S%.f")
        elif dtype in (pl.Date, pl.Time) or isinstance(dtype, (pl.Categorical, pl.Enum)):
            col = col.cast(pl.Utf8)
        elif isinstance(dtype, pl.Decimal):
            col = col.cast(pl.Float64)
        elif isinstance(dtype, pl.Duration):
            col = col.cast(pl.Int64)
        elif isinstance(dtype, (pl.List, pl.Array, pl.Struct, pl.Object)):
            col = col.map_elements(_to_json, return_dtype=pl.Utf8)
        exprs.append(col.alias(name))
    return frame.select(exprs)


def _to_json(value: Any) -> str:
    if isinstance(value, pl.Series):
        value = value.to_list()
    return json.dumps(value, ensure_ascii=False, default=str)


def insert_frame(conn: sqlite3.Connection, table: str, frame: pl.DataFrame) -> int:
    """Insert every row, in batches: column lists zipped in C are faster than row iteration."""
    marks = ", ".join("?" * frame.width)
    sql = f"INSERT INTO {quote(table)} VALUES ({marks})"
    for start in range(0, frame.height, BATCH_ROWS):
        chunk = frame.slice(start, BATCH_ROWS)
        conn.executemany(sql, zip(*(s.to_list() for s in chunk.iter_columns()), strict=True))
    return frame.height


class Distinct:
    """Distinct values per column, counted over the batches of a table up to
    LOW_CARDINALITY + 1 (past that a column is not a facet, and its values are dropped)."""

    def __init__(self, plan: TablePlan) -> None:
        self.seen: dict[str, set[Any] | None] = {c["name"]: set() for c in plan["columns"]}
        self.rows = 0

    def add(self, frame: pl.DataFrame) -> None:
        self.rows += frame.height
        for name, seen in self.seen.items():
            if seen is None:
                continue
            values = frame[name].unique()
            if len(values) > LOW_CARDINALITY:
                self.seen[name] = None
                continue
            seen.update(values.to_list())
            if len(seen) > LOW_CARDINALITY:
                self.seen[name] = None

    def count(self, name: str) -> int:
        seen = self.seen.get(name)
        return LOW_CARDINALITY + 1 if seen is None else len(seen)


def choose_indexes(plan: TablePlan, frame: pl.DataFrame | Distinct) -> None:
    """Index what filters and facets use; full-text index free text. Fills the plan."""
    if isinstance(frame, pl.DataFrame):
        counted = Distinct(plan)
        counted.add(frame)
        frame = counted
    pk = set(plan["primaryKey"])
    fk_columns = {fk["fields"][0] for fk in plan["foreignKeys"] if fk["fields"]}
    rows = frame.rows
    for column in plan["columns"]:
        name = column["name"]
        if name in pk and len(pk) == 1:
            continue  # the primary key is indexed already
        distinct = frame.count(name) if rows else 0
        low = distinct <= LOW_CARDINALITY and distinct * 2 <= rows
        declared = column["enum"] or column["territory"] or name in fk_columns
        if declared or (low and column["type"] in _FACET_TYPES):
            plan["indexes"].append([name])
        elif _free_text(column, name, pk | fk_columns):
            plan["fts"].append(name)


def _free_text(column: Column, name: str, keys: set[str]) -> bool:
    """A string column of words people search (not codes, enums, keys or formats)."""
    return (
        column["type"] == "string"
        and column["format"] in (None, "default")
        and not column["pattern"]
        and name not in keys
    )


def open_new(path: Path) -> sqlite3.Connection:
    """A connection to a brand-new file, tuned for one bulk write (no journal, no fsync)."""
    if path.exists():
        path.unlink()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")  # 200 MB of page cache while loading
    return conn


class Reload(Exception):
    """Raised by a table's batches when they must be read again from the start (the
    file was not what its first look proved): the rows loaded so far are dropped."""


Frames = pl.DataFrame | Iterable[pl.DataFrame]


def load_tables(path: Path, plans: list[TablePlan], frames: Callable[[TablePlan], Frames]) -> None:
    """Write the dataset's file: every table, then its rows; the plans get counts and indexes.

    ``frames(plan)`` gives one resource's typed rows, as one frame or as batches of
    rows (a large file is read in blocks), so memory holds one batch of one table.
    """
    conn = open_new(path)
    try:
        conn.execute("BEGIN")
        for plan in plans:
            conn.execute(create_sql(plan))
            try:
                counted = _load(conn, plan, frames(plan))
            except Reload:
                conn.execute(f"DELETE FROM {quote(plan['name'])}")
                counted = _load(conn, plan, frames(plan))
            plan["rows"] = counted.rows
            choose_indexes(plan, counted)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _load(conn: sqlite3.Connection, plan: TablePlan, frames: Frames) -> Distinct:
    counted = Distinct(plan)
    for frame in [frames] if isinstance(frames, pl.DataFrame) else frames:
        insert_frame(conn, plan["name"], sqlite_ready(frame, plan))
        counted.add(frame)
    return counted
