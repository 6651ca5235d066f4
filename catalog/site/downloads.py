"""Downloads of each resource and the whole Data Package.

Each table is published as CSV (UTF-8), gzip-compressed CSV, CSV for Excel, Parquet,
JSON (NDJSON for a large table) and XLSX (when it fits a worksheet): the kinds
``catalog.urls.download_kinds`` gives for its row count. Every file is written from
the release database in one pass over the rows, a few thousand rows at a time, so
what a citizen downloads is exactly what Datasette and the API serve and memory does
not grow with the table. The URLs are ``catalog.urls.download`` and
``catalog.urls.package_zip``.

Spreadsheet formula injection: a text cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return could run as a formula when opened in a
spreadsheet. In the CSV for Excel such a cell gets a leading apostrophe (Excel's
own "this is text" mark); in the XLSX it is written as a text cell with Excel's
quote-prefix style, so it stays text even when edited. Numbers stay numbers: a
negative amount in a numeric column, or a text cell that is just a number, is
left alone. The plain UTF-8 CSV and the JSON keep every value as published.
"""

from __future__ import annotations

import copy
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
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from catalog import urls
from catalog.release.manifest import Manifest, TablePlan
from catalog.release.naming import quote

KINDS = tuple(urls.DOWNLOAD_MEDIA_TYPES)
# A worksheet holds 1,048,576 rows, the header included (urls.download_kinds).
MAX_XLSX_ROWS = urls.MAX_XLSX_ROWS
FETCH_ROWS = 5000  # rows read from the database at a time
PARQUET_ROWS = 200_000  # rows per Parquet row group (and per part while writing)
_PARQUET_TYPES: dict[str, pl.DataType] = {
    "integer": pl.Int64(),
    "year": pl.Int64(),
    "number": pl.Float64(),
    "boolean": pl.Boolean(),
}
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)$")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


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


def _rows(conn: sqlite3.Connection, plan: TablePlan) -> Iterator[tuple]:
    columns = ", ".join(quote(c["name"]) for c in plan["columns"])
    cursor = conn.execute(f"select {columns} from {quote(plan['name'])}")
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from batch


# ----------------------------------------------------------------- writers


class _Xlsx:
    """A write-only workbook: numbers as numbers, risky text quote-prefixed."""

    def __init__(self, sheet: str) -> None:
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(_SHEET_UNSAFE.sub("_", sheet)[:31] or "datos")

    def header(self, names: list[str]) -> None:
        cells = []
        for name in names:
            cell = WriteOnlyCell(self.sheet, value=_XLSX_ILLEGAL.sub("", name))
            cell.font = Font(bold=True)
            cells.append(cell)
        self.sheet.append(cells)

    def row(self, values: tuple, kinds: list[str]) -> None:
        cells: list[Any] = []
        for value, kind in zip(values, kinds, strict=True):
            if value is None or isinstance(value, int | float):
                cells.append(bool(value) if kind == "boolean" and value is not None else value)
                continue
            text = _XLSX_ILLEGAL.sub("", str(value))
            if is_dangerous(text):
                cell = WriteOnlyCell(self.sheet, value=text)
                cell.data_type = "s"  # never a formula, whatever it starts with
                cell.quotePrefix = True
                cells.append(cell)
            else:
                cells.append(text)
        self.sheet.append(cells)

    def save(self, path: Path) -> None:
        self.book.save(path)


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
        shutil.rmtree(self.folder, ignore_errors=True)

    def row(self, values: tuple) -> None:
        self.rows.append(values)
        if len(self.rows) >= PARQUET_ROWS:
            self._flush()

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
        self.folder.mkdir(exist_ok=True)
        part = self.folder / f"{len(self.parts):06d}.parquet"
        self._frame().write_parquet(part)
        self.parts.append(part)
        self.rows = []

    def save(self) -> None:
        if not self.parts:  # one row group: written as it is, no part files
            self._frame().write_parquet(self.path)
            return
        if self.rows:
            self._flush()
        pl.scan_parquet(self.parts).sink_parquet(self.path, row_group_size=PARQUET_ROWS)
        shutil.rmtree(self.folder, ignore_errors=True)


def write_table(folder: Path, plan: TablePlan, conn: sqlite3.Connection) -> list[Path]:
    """Every download of one table (kinds_of), in one pass over its rows."""
    resource = plan["resource"]
    names = [c["name"] for c in plan["columns"]]
    kinds = [c["type"] for c in plan["columns"]]
    numeric = [k in ("integer", "number", "year") for k in kinds]
    wanted = kinds_of(plan)
    paths = {kind: folder / f"{resource}.{kind}" for kind in wanted}
    json_kind = "json" if "json" in paths else "ndjson"
    xlsx = _Xlsx(resource) if "xlsx" in paths else None
    parquet = _Parquet(paths["parquet"], names, kinds)
    with (
        paths["csv"].open("w", encoding="utf-8", newline="") as plain_fh,
        gzip.GzipFile(paths["csv.gz"], "wb", mtime=0) as gz_raw,
        io.TextIOWrapper(gz_raw, encoding="utf-8", newline="") as gz_fh,
        paths["excel.csv"].open("w", encoding="utf-8-sig", newline="") as excel_fh,
        paths[json_kind].open("w", encoding="utf-8") as json_fh,
    ):
        plain = csv.writer(plain_fh, lineterminator="\n")
        compressed = csv.writer(gz_fh, lineterminator="\n")
        excel = csv.writer(excel_fh, lineterminator="\r\n")
        plain.writerow(names)
        compressed.writerow(names)
        excel.writerow(names)
        if xlsx:
            xlsx.header(names)
        lines = json_kind == "ndjson"  # one object a line, no enclosing list
        if not lines:
            json_fh.write("[")
        first = True
        for values in _rows(conn, plan):
            texts = [_text(v, k) for v, k in zip(values, kinds, strict=True)]
            plain.writerow(texts)
            compressed.writerow(texts)
            excel.writerow(
                [t if num else neutralise(t) for t, num in zip(texts, numeric, strict=True)]
            )
            record = {n: _json(v, k) for n, v, k in zip(names, values, kinds, strict=True)}
            text = json.dumps(record, ensure_ascii=False)
            if lines:
                json_fh.write(text + "\n")
            else:
                json_fh.write(("\n" if first else ",\n") + text)
            first = False
            parquet.row(values)
            if xlsx:
                xlsx.row(values, kinds)
        if not lines:
            json_fh.write("\n]\n")
    parquet.save()
    if xlsx:
        xlsx.save(paths["xlsx"])
    return list(paths.values())


# --------------------------------------------------------------- the package


def published_descriptor(manifest: Manifest) -> dict[str, Any]:
    """The Data Package as published: each table a UTF-8 CSV with ISO dates and
    ``.`` decimals, so the descriptor describes the files in the ZIP exactly."""
    package = copy.deepcopy(manifest["package"])
    plans = {plan["resource"]: plan for plan in manifest["tables"]}
    resources = []
    for resource in package.get("resources") or []:
        if not isinstance(resource, dict) or resource.get("name") not in plans:
            continue  # only the published tables are in the ZIP
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


def write_zip(path: Path, manifest: Manifest, folder: Path) -> Path:
    """The whole Data Package: ``datapackage.json``, ``README.md`` and ``data/*.csv``."""
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
            add(archive, resource["path"], folder / f"{resource['name']}.csv")
    return path


def write_downloads(site: Path, manifest: Manifest, conn: sqlite3.Connection) -> list[Path]:
    """Every download of one dataset into ``site``; returns the files written."""
    folder = site / folder_of(manifest["publisher"], manifest["name"])
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for plan in manifest["tables"]:
        written += write_table(folder, plan, conn)
    zip_path = site / urls.package_zip(manifest["publisher"], manifest["name"]).lstrip("/")
    written.append(write_zip(zip_path, manifest, folder))
    return written
