"""``make bench``, national-scale part: Datasette over the tables of 50,000 datasets.

A release like ``catalog.bench.api.make_release``'s (the catalogue tables of ``count``
datasets), whose ``catalogo.db`` also holds each dataset's table, as a build of that
many datasets would: ``count`` tables of 20 rows. Then ``catalog serve`` over it:

- ``sql_ready_s``: from the server's start until ``/sql/`` answers (the SQL explorer's
  process reads the schema of every table before its first answer);
- ``sql_home_p95_ms``, ``sql_database_p95_ms``: ``/sql/`` and ``/sql/catalogo``;
- ``sql_table_p95_ms``: the ``datasets`` table's page (``count`` rows, its facets);
- ``sql_data_table_p95_ms``: one dataset's table page;
- ``sql_query_p95_ms``: a join of the catalogue tables across publishers.

Each table also gets the metadata a build writes for it (``metadata.json``: title,
description, licence, column descriptions, the ``catalog`` block), since Datasette
reads that file on every page too (plugins/catalog_links/metadata.py).

Creating the tables is SQLite's slowest schema work (each ``CREATE TABLE`` reads the
whole schema once more: time grows with the square of the tables), so it is measured
too (``tables_created_s``): the same cost a build from scratch pays in its database.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx

from catalog.bench import api
from catalog.build import datasette as datasette_files
from catalog.release.layout import DB_FILE, INSPECT, METADATA, SQL
from catalog.release.manifest import Column, Manifest, TablePlan
from catalog.release.naming import quote, table_name

ROWS = 20
REQUESTS = 50
COLUMNS = (
    ("departamento", "string", "TEXT", "Código INE del departamento (dos dígitos, 01 a 22)."),
    ("anio", "integer", "INTEGER", "Año al que corresponde el dato."),
    ("valor", "number", "REAL", "Valor observado en el año y el departamento."),
    ("nota", "string", "TEXT", "Aclaraciones sobre el valor, si las hay."),
)
QUERY = (
    "select p.name, count(*) as datasets, sum(r.rows) as rows from datasets d "
    "join publishers p on p.slug = d.publisher join resources r on r.dataset = d.id "
    "group by p.name order by datasets desc limit 20"
)


def add_tables(sql_folder: Path) -> tuple[int, float]:
    """A table per dataset in the release's database, and the counts Datasette reads."""
    conn = sqlite3.connect(sql_folder / DB_FILE, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        datasets = conn.execute("SELECT id, publisher, name FROM datasets ORDER BY id").fetchall()
        started = time.perf_counter()
        conn.execute("BEGIN")
        for _id, publisher, name in datasets:
            table = quote(table_name(publisher, name, "datos"))
            columns = ", ".join(f"{column} {sqltype}" for column, _t, sqltype, _d in COLUMNS)
            conn.execute(f"CREATE TABLE {table} ({columns})")
            conn.executemany(
                f"INSERT INTO {table} VALUES (?, ?, ?, ?)",
                [(f"{1 + r % 22:02d}", 2015 + r % 10, r * 1.5, "sintético") for r in range(ROWS)],
            )
        conn.execute(
            "UPDATE resources SET table_name = "
            "(SELECT publisher || '__' || name FROM datasets WHERE id = dataset) || '__datos', "
            f"rows = {ROWS}"
        )
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        write_metadata(sql_folder, conn)
    finally:
        conn.close()
    inspect = json.loads((sql_folder / INSPECT).read_text("utf-8"))
    tables = inspect["catalogo"]["tables"]
    for _id, publisher, name in datasets:
        tables[table_name(publisher, name, "datos")] = {"count": ROWS}
    inspect["catalogo"]["size"] = (sql_folder / DB_FILE).stat().st_size
    (sql_folder / INSPECT).write_text(json.dumps(inspect), "utf-8")
    return len(datasets), seconds


def _plan(publisher: str, name: str) -> TablePlan:
    return TablePlan(
        name=table_name(publisher, name, "datos"),
        resource="datos",
        title=None,
        description=None,
        path="data/datos.csv",
        format="csv",
        columns=[
            Column(
                name=column,
                type=kind,
                sqltype=sqltype,
                title=column.capitalize(),
                description=description,
                format=None,
                territory=None,
                enum=False,
                pattern=False,
                required=False,
                unique=False,
            )
            for column, kind, sqltype, description in COLUMNS
        ],
        primaryKey=[],
        foreignKeys=[],
        indexes=[],
        fts=[],
        rows=ROWS,
    )


def write_metadata(sql_folder: Path, conn: sqlite3.Connection) -> None:
    """``metadata.json`` as ``catalog build`` writes it for these datasets and tables."""
    publishers = {
        slug: {"name": name, "acronym": acronym, "website": website}
        for slug, name, acronym, website in conn.execute(
            "SELECT slug, name, acronym, website FROM publishers"
        )
    }
    manifests = [
        Manifest(
            dataset=dataset,
            publisher=publisher,
            name=name,
            package={
                "title": title,
                "description": description,
                "licenses": [{"name": "CC-BY-4.0"}],
            },
            readme=None,
            queries={},
            tables=[_plan(publisher, name)],
        )
        for dataset, publisher, name, title, description in conn.execute(
            "SELECT id, publisher, name, title, description FROM datasets ORDER BY id"
        )
    ]
    meta, _notices = datasette_files.metadata(manifests, publishers, conn, "es")
    datasette_files.write_json(sql_folder / METADATA, meta)


def _until_ready(client: httpx.Client, path: str, timeout_s: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        try:
            if client.get(path).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{path} did not answer in {timeout_s} s")


def run(work: Path, count: int) -> dict[str, Any]:
    build = work / "sql-build"
    shutil.rmtree(build, ignore_errors=True)
    api.make_release(build, count)
    tables, seconds = add_tables(build / "current" / SQL)
    figures: dict[str, Any] = {"datasets": count, "tables": tables, "tables_created_s": seconds}
    first = table_name("pub-07", "conjunto-00007", "datos")
    port = api._free_port()
    started = time.perf_counter()
    process = api._serve(build, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            _until_ready(client, "/sql/")
            figures["sql_ready_s"] = time.perf_counter() - started
            pages = {
                "home": "/sql/",
                "database": "/sql/catalogo",
                "table": "/sql/catalogo/datasets",
                "data_table": f"/sql/catalogo/{first}",
                "query": f"/sql/catalogo?sql={QUERY}",
            }
            for name, path in pages.items():
                client.get(path).raise_for_status()
                _p50, figures[f"sql_{name}_p95_ms"] = api._latency(client, [path] * REQUESTS)
    finally:
        process.terminate()
        process.wait(timeout=30)
    shutil.rmtree(build, ignore_errors=True)
    return figures
