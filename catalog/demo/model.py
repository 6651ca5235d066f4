"""The shapes the demo is described in, and how they become files.

A ``Dataset`` holds its catalogue metadata and its ``Table``\\ s; each table knows its
fields and rows and is written as CSV (any delimiter, encoding or decimal comma),
XLSX or JSON. Everything written is byte-for-byte reproducible: no clocks, fixed
ordering, fixed zip timestamps.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SAMPLE = "datos de ejemplo"
NOTICE = (
    "**Datos de ejemplo.** Este conjunto de datos fue generado por `catalog/demo` para "
    "mostrar el portal; las cifras son ficticias aunque los nombres y códigos de "
    "instituciones, departamentos y municipios son reales. No las use para decidir nada."
)
MEDIATYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
ZIP_TIME = (2025, 1, 1, 0, 0, 0)
CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)")

Row = list[Any]


@dataclass
class Column:
    """A Table Schema field plus how its values are written (``decimals`` for numbers)."""

    name: str
    type: str
    description: str
    title: str | None = None
    constraints: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # territory, decimalChar, format...
    decimals: int = 2

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.title:
            out["title"] = self.title
        out["description"] = self.description
        out.update(self.extra)
        if self.constraints:
            out["constraints"] = self.constraints
        return out


@dataclass
class Table:
    """One resource: a table of rows with its schema and file format."""

    name: str
    title: str
    description: str
    columns: list[Column]
    rows: list[Row]
    format: str = "csv"
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)
    privacy: dict[str, Any] | None = None
    delimiter: str = ","
    encoding: str = "utf-8"
    decimal_comma: bool = False

    @property
    def path(self) -> str:
        return f"data/{self.name}.{self.format}"

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "path": self.path,
            "format": self.format,
            "mediatype": MEDIATYPES[self.format],
        }
        if self.format == "csv":
            out["encoding"] = self.encoding
            if self.delimiter != ",":
                out["dialect"] = {"delimiter": self.delimiter}
        out["schema"] = self.schema()
        if self.privacy:
            out["privacy"] = self.privacy
        return out

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"fields": [c.schema() for c in self.columns]}
        if self.primary_key:
            schema["primaryKey"] = self.primary_key
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return schema


@dataclass
class Dataset:
    """One demo dataset: its catalogue metadata, tables, README sections and queries."""

    publisher: str
    name: str
    title: str
    description: str
    keywords: list[str]
    themes: list[str]
    frequency: str
    tables: list[Table]
    methodology: str
    caveats: str
    sources: list[dict[str, str]]
    temporal: dict[str, str] | None = None
    spatial: dict[str, Any] | None = None
    obligations: list[str] = field(default_factory=list)
    queries: dict[str, dict[str, str]] = field(default_factory=dict)
    license: str = "CC-BY-4.0"
    version: str = "1.0.0"
    issued: str = "2024-02-15"
    modified: str = "2025-06-30"
    conforms_to: str | None = None  # a standard it follows ("it-portfolio")


# ---------------------------------------------------------------- values


def cell(column: Column, value: Any, decimal_comma: bool = False) -> str:
    """How one value is written in a text file."""
    if value is None:
        return ""
    if column.type == "number":
        text = f"{value:.{column.decimals}f}"
        return text.replace(".", ",") if decimal_comma else text
    return str(value)


def json_value(column: Column, value: Any) -> Any:
    if value is None or column.type != "number":
        return value
    return round(float(value), column.decimals)


# ---------------------------------------------------------------- writers


def write_table(folder: Path, table: Table) -> None:
    path = folder / table.path
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = {"csv": _csv_bytes, "xlsx": _xlsx_bytes, "json": _json_bytes}[table.format]
    path.write_bytes(writer(table))


def _csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=table.delimiter, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    for row in table.rows:
        pairs = zip(table.columns, row, strict=True)
        writer.writerow([cell(c, v, table.decimal_comma) for c, v in pairs])
    return out.getvalue().encode(table.encoding)


def _json_bytes(table: Table) -> bytes:
    records = [
        {c.name: json_value(c, v) for c, v in zip(table.columns, row, strict=True)}
        for row in table.rows
    ]
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _xlsx_bytes(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on its one worksheet
    sheet.title = table.name[:31]
    sheet.append([c.name for c in table.columns])
    for row in table.rows:
        sheet.append([json_value(c, v) for c, v in zip(table.columns, row, strict=True)])
    raw = io.BytesIO()
    book.save(raw)
    return _reproducible_zip(raw.getvalue())


def _reproducible_zip(data: bytes) -> bytes:
    """openpyxl stamps the clock into the zip entries and docProps/core.xml: pin both."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = CORE_DATES.sub(rb"\g<1>2025-01-01T00:00:00Z\g<3>", content)
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_yaml(path: Path, data: Any, comment: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(comment + text, encoding="utf-8")
