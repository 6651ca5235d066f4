"""Downloads of each resource and the whole Data Package.

Each table is published as CSV (UTF-8), gzip-compressed CSV, CSV for Excel, Parquet,
JSON (NDJSON for a large table) and XLSX (when it fits a worksheet): the kinds
``catalog.urls.download_kinds`` gives for its row count. Every file is written from
the release database in one pass over the rows, a few thousand rows at a time, so
what a citizen downloads is exactly what Datasette and the API serve and memory does
not grow with the table. The URLs are ``catalog.urls.download`` and
``catalog.urls.package_zip``.

A site holds tens of thousands of small tables, so what each file costs to start
matters as much as what a row costs: each batch of rows is formatted once for the
CSV, its gzip and the ZIP (which takes a small CSV from memory); a small Parquet file
is written through memory; the XLSX is written by ``catalog.site.xlsx`` (openpyxl's
workbook cost 8 ms a table before a row was written).

Spreadsheet formula injection: a text cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return could run as a formula when opened in a
spreadsheet. In the CSV for Excel such a cell gets a leading apostrophe (Excel's
own "this is text" mark); in the XLSX it is written as a text cell with Excel's
quote-prefix style, so it stays text even when edited. Numbers stay numbers: a
negative amount in a numeric column, or a text cell that is just a number, is
left alone. The plain UTF-8 CSV and the JSON keep every value as published.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from catalog import urls
from catalog.release.manifest import Manifest, TablePlan
from catalog.release.naming import quote
from catalog.site.xlsx import SheetWriter

KINDS = tuple(urls.DOWNLOAD_MEDIA_TYPES)
# A worksheet holds 1,048,576 rows, the header included (urls.download_kinds).
MAX_XLSX_ROWS = urls.MAX_XLSX_ROWS
FETCH_ROWS = 5000  # rows read from the database at a time
PARQUET_ROWS = 200_000  # rows per Parquet row group (and per part while writing)
KEEP_CSV_BYTES = 1 << 20  # a CSV up to this size goes into the ZIP from memory
_PARQUET_TYPES: dict[str, pl.DataType] = {
    "integer": pl.Int64(),
    "year": pl.Int64(),
    "number": pl.Float64(),
    "boolean": pl.Boolean(),
}
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)$")


def is_dangerous(text: str) -> bool:
    """Would a spreadsheet read this text cell as a formula?"""
    return text.startswith(DANGEROUS) and not _PLAIN_NUMBER.match(text)


def neutralise(text: str) -> str:
    """The text as a CSV-for-Excel cell: an apostrophe first if it could run as a formula."""
    return "'" + text if is_dangerous(text) else text


def folder_of(publisher: str, name: str) -> str:
    """The downloads folder of a dataset, relative to the site root."""
    return urls.package_zip(publisher, name).lstrip("/").rsplit("/", 1)[0]


def files_of(manifest: Manifest) -> list[str]:
    """Every download of a dataset, as paths relative to the site root."""
    pub, name = manifest["publisher"], manifest["name"]
    paths = [
        urls.download(pub, name, plan["resource"], kind).lstrip("/")
        for plan in manifest["tables"]
        for kind in kinds_of(plan)
    ]
    return paths + [urls.package_zip(pub, name).lstrip("/")]


def kinds_of(plan: TablePlan) -> list[str]:
    """The downloads of one published table (urls.download_kinds of its row count)."""
    return urls.download_kinds(int(plan.get("rows") or 0))


def xlsx_allowed(plan: TablePlan) -> bool:
    return "xlsx" in kinds_of(plan)


# ------------------------------------------------------------------ values


def _text(value: Any, kind: str) -> str:
    """A stored value as CSV text, the way Table Schema writes it."""
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _json(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "boolean":
        return bool(value)
    if kind in ("object", "array") and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _batches(conn: sqlite3.Connection, plan: TablePlan) -> Iterator[list[tuple]]:
    columns = ", ".join(quote(c["name"]) for c in plan["columns"])
    cursor = conn.execute(f"select {columns} from {quote(plan['name'])}")
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield batch


# One encoder for every record: json.dumps with an option builds a new one per call.
_JSON = json.JSONEncoder(ensure_ascii=False).encode


# ----------------------------------------------------------------- writers


class _Parquet:
    """A Parquet file written a row group at a time: each group is written as a part
    file, and the parts are joined by polars' streaming engine, so memory holds one group."""

    def __init__(self, path: Path, names: list[str], kinds: list[str]) -> None:
        self.path = path
        self.names = names
        self.kinds = kinds
        self.parts: list[Path] = []
        self.rows: list[tuple] = []
        self.folder = path.with_name(path.name + ".parts")

    def add(self, rows: list[tuple]) -> None:
        self.rows += rows
        while len(self.rows) >= PARQUET_ROWS:
            self.rows, rest = self.rows[:PARQUET_ROWS], self.rows[PARQUET_ROWS:]
            self._flush()
            self.rows = rest

    def _frame(self) -> pl.DataFrame:
        columns = list(zip(*self.rows, strict=True)) if self.rows else [() for _ in self.names]
        series = []
        for name, kind, values in zip(self.names, self.kinds, columns, strict=True):
            dtype = _PARQUET_TYPES.get(kind, pl.Utf8())
            if kind in ("object", "array"):
                values = tuple(None if v is None else str(v) for v in values)
            column = pl.Series(name, values, dtype=dtype, strict=False)
            if kind == "date":
                column = column.str.to_date("%Y-%m-%d", strict=False)
            elif kind == "datetime":
                column = column.str.to_datetime(strict=False)
            series.append(column)
        return pl.DataFrame(series)

    def _flush(self) -> None:
        if not self.parts:
            shutil.rmtree(self.folder, ignore_errors=True)  # parts an interrupted build left
            self.folder.mkdir()
        part = self.folder / f"{len(self.parts):06d}.parquet"
        self._frame().write_parquet(part)
        self.parts.append(part)
        self.rows = []

    def save(self) -> None:
        if not self.parts:
            # One row group, written as it is: through memory, since polars writes a
            # small frame to a buffer in half the time it takes to a path (same bytes).
            buffer = io.BytesIO()
            self._frame().write_parquet(buffer)
            self.path.write_bytes(buffer.getbuffer())
            return
        if self.rows:
            self._flush()
        pl.scan_parquet(self.parts).sink_parquet(self.path, row_group_size=PARQUET_ROWS)
        shutil.rmtree(self.folder, ignore_errors=True)


class _Texts:
    """The CSV, gzip CSV, CSV for Excel and JSON (or NDJSON) of a table, a batch of rows
    at a time: each batch is formatted in memory and written to every file at once. The
    CSV's bytes are kept while the table is one batch (the ZIP reuses them)."""

    def __init__(self, paths: dict[str, Path], names: list[str], kinds: list[str]) -> None:
        self.names = names
        self.kinds = kinds
        self.numeric = [k in ("integer", "number", "year") for k in kinds]
        self.lines = "ndjson" in paths  # one object a line, no enclosing list
        self.plain_fh = paths["csv"].open("wb")
        self.gz_fh = gzip.GzipFile(paths["csv.gz"], "wb", mtime=0)
        self.excel_fh = paths["excel.csv"].open("wb")
        self.json_fh = paths["ndjson" if self.lines else "json"].open("wb")
        self.plain_buf, self.excel_buf = io.StringIO(newline=""), io.StringIO(newline="")
        self.plain = csv.writer(self.plain_buf, lineterminator="\n")
        self.excel = csv.writer(self.excel_buf, lineterminator="\r\n")
        self.first = True
        self.csv: bytes | None = b""  # the whole CSV, while it is small
        self.excel_fh.write(codecs.BOM_UTF8)
        self.plain.writerow(names)
        self.excel.writerow(names)
        self._flush([])

    def add(self, rows: list[tuple]) -> None:
        kinds, names, numeric = self.kinds, self.names, self.numeric
        records = []
        for values in rows:
            texts = [_text(v, k) for v, k in zip(values, kinds, strict=True)]
            self.plain.writerow(texts)
            self.excel.writerow(
                [t if num else neutralise(t) for t, num in zip(texts, numeric, strict=True)]
            )
            records.append(
                _JSON({n: _json(v, k) for n, v, k in zip(names, values, kinds, strict=True)})
            )
        self._flush(records)

    def _flush(self, records: list[str]) -> None:
        plain = _take(self.plain_buf)
        self.plain_fh.write(plain)
        self.gz_fh.write(plain)
        self.excel_fh.write(_take(self.excel_buf))
        if self.csv is not None:
            self.csv += plain
            if len(self.csv) > KEEP_CSV_BYTES:
                self.csv = None  # the ZIP reads the file
        if self.lines:
            text = "".join(record + "\n" for record in records)
        elif records:
            head = "[\n" if self.first else ",\n"
            text = head + ",\n".join(records)
            self.first = False
        else:
            text = ""
        self.json_fh.write(text.encode("utf-8"))

    def close(self) -> None:
        if not self.lines:
            self.json_fh.write(b"[\n]\n" if self.first else b"\n]\n")
        for fh in (self.plain_fh, self.gz_fh, self.excel_fh, self.json_fh):
            fh.close()


def _take(buffer: io.StringIO) -> bytes:
    """What ``buffer`` holds, as UTF-8, and the buffer emptied."""
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def write_table(folder: Path, plan: TablePlan, conn: sqlite3.Connection) -> list[Path]:
    """Every download of one table (kinds_of), in one pass over its rows."""
    return _write_table(folder, plan, conn)[0]


def _write_table(
    folder: Path, plan: TablePlan, conn: sqlite3.Connection
) -> tuple[list[Path], bytes | None]:
    """The downloads of one table and, when it is small, the bytes of its CSV."""
    resource = plan["resource"]
    names = [c["name"] for c in plan["columns"]]
    kinds = [c["type"] for c in plan["columns"]]
    paths = {kind: folder / f"{resource}.{kind}" for kind in kinds_of(plan)}
    xlsx = SheetWriter(paths["xlsx"], resource, kinds, is_dangerous) if "xlsx" in paths else None
    parquet = _Parquet(paths["parquet"], names, kinds)
    texts = _Texts(paths, names, kinds)
    try:
        if xlsx:
            xlsx.header(names)
        for batch in _batches(conn, plan):
            texts.add(batch)
            parquet.add(batch)
            if xlsx:
                for values in batch:
                    xlsx.row(values)
    finally:
        texts.close()
    parquet.save()
    if xlsx:
        xlsx.close()
    return list(paths.values()), texts.csv


# --------------------------------------------------------------- the package


def published_descriptor(manifest: Manifest) -> dict[str, Any]:
    """The Data Package as published: each table a UTF-8 CSV with ISO dates and
    ``.`` decimals, so the descriptor describes the files in the ZIP exactly. What it
    does not change it shares with the manifest: read it, do not change it."""
    package = dict(manifest["package"])
    plans = {plan["resource"]: plan for plan in manifest["tables"]}
    resources = []
    for found in package.get("resources") or []:
        if not isinstance(found, dict) or found.get("name") not in plans:
            continue  # only the published tables are in the ZIP
        # Copies of what changes below (the resource, its schema and fields): the
        # manifest is left as it is, without copying all of it.
        resource = dict(found)
        schema = resource["schema"] = dict(resource["schema"])
        if schema.get("fields"):
            schema["fields"] = [dict(f) if isinstance(f, dict) else f for f in schema["fields"]]
        for key in ("dialect", "encoding", "bytes", "hash", "sheet", "layout"):
            resource.pop(key, None)
        resource.update(
            path=f"data/{resource['name']}.csv",
            format="csv",
            mediatype="text/csv",
            encoding="utf-8",
        )
        for field in resource["schema"].get("fields") or []:
            for key in ("decimalChar", "groupChar", "bareNumber", "trueValues", "falseValues"):
                field.pop(key, None)
            if field.get("type") in ("date", "time", "datetime", "number", "integer"):
                field.pop("format", None)
        resources.append(resource)
    package["resources"] = resources
    return package


def _stamp(manifest: Manifest) -> tuple[int, int, int, int, int, int]:
    try:
        day = date.fromisoformat(str(manifest["package"].get("modified"))[:10])
    except ValueError:
        day = date(1980, 1, 1)
    return (max(day.year, 1980), day.month, day.day, 0, 0, 0)


def write_zip(
    path: Path, manifest: Manifest, folder: Path, csvs: dict[str, bytes] | None = None
) -> Path:
    """The whole Data Package: ``datapackage.json``, ``README.md`` and ``data/*.csv``
    (each CSV from ``csvs``, by resource, or else from its file in ``folder``)."""
    csvs = csvs or {}
    stamp = _stamp(manifest)

    def add(archive: zipfile.ZipFile, name: str, data: bytes | Path) -> None:
        info = zipfile.ZipInfo(name, stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        if isinstance(data, Path):
            with data.open("rb") as src, archive.open(info, "w") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        else:
            archive.writestr(info, data)

    descriptor = published_descriptor(manifest)
    with zipfile.ZipFile(path, "w") as archive:
        text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
        add(archive, "datapackage.json", text.encode("utf-8"))
        readme = manifest["readme"]
        if readme:
            add(archive, "README.md", readme.encode("utf-8"))
        for resource in descriptor["resources"]:
            name = resource["name"]
            add(archive, resource["path"], csvs[name] if name in csvs else folder / f"{name}.csv")
    return path


def write_downloads(site: Path, manifest: Manifest, conn: sqlite3.Connection) -> list[Path]:
    """Every download of one dataset into ``site``; returns the files written."""
    folder = site / folder_of(manifest["publisher"], manifest["name"])
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    csvs = {}
    for plan in manifest["tables"]:
        paths, csv_bytes = _write_table(folder, plan, conn)
        written += paths
        if csv_bytes is not None:
            csvs[plan["resource"]] = csv_bytes
    zip_path = site / urls.package_zip(manifest["publisher"], manifest["name"]).lstrip("/")
    written.append(write_zip(zip_path, manifest, folder, csvs))
    return written
