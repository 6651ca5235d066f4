"""A Table Schema for a downloaded table that came without one.

A CSV is read the way ``catalog validate`` reads it (``catalog.tables``) and every
column is typed from all of its cells, not a sample, so that the schema never refuses
rows of its own table: ``integer``, ``number``, ``date`` or ``boolean`` when every
non-empty cell is one (as Table Schema writes them), else ``string``. A column of codes
with leading zeros (INE codes ``01``, ``0101``) stays text, as the catalogue keeps codes.
Workbooks (XLSX), whose cells carry their own types, are described by Frictionless.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import Any

import polars as pl

from catalog.errors import ContentError

SAMPLE_ROWS = 10_000  # what Frictionless reads of a workbook to describe it
PATTERNS = (  # Table Schema's default formats, in order of preference
    ("integer", r"^[+-]?\d{1,18}$"),
    ("number", r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"),
    ("date", r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
    ("boolean", r"^(true|false|True|False|TRUE|FALSE)$"),
)


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def to_utf8(path: Path) -> str | None:
    """Rewrite a CSV as UTF-8 when it is not (a UTF-16 file with its BOM, else
    Windows-1252, what a Latin American office's export almost always is, else Latin-1);
    the encoding it had, or None when it was UTF-8 already. Streamed, chunk by chunk."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _decodes(path, "utf-8"):
        return None
    else:
        encoding = "cp1252" if _decodes(path, "cp1252") else "latin-1"
    temporary = path.with_suffix(path.suffix + ".utf8")
    with (
        path.open("r", encoding=encoding, newline="") as source,
        temporary.open("w", encoding="utf-8", newline="") as target,
    ):
        while chunk := source.read(1 << 20):
            target.write(chunk)
    os.replace(temporary, path)
    return encoding


def _type_of(column: pl.Series) -> str:
    values = column.drop_nulls()
    values = values.filter(values != "")
    if values.is_empty():
        return "string"
    if values.str.contains(r"^0\d+$").any():  # codes keep their leading zeros
        return "string"
    for kind, pattern in PATTERNS:
        if values.str.contains(pattern).all():
            if kind == "date" and values.str.to_date("%Y-%m-%d", strict=False).null_count():
                continue  # 2024-02-30 is no date
            return kind
    return "string"


def _csv_schema(folder: Path, relative: str) -> dict[str, Any]:
    from catalog.tables import read_resource

    table = read_resource(folder, {"name": "harvested", "path": relative, "format": "csv"})
    if not table.labels or len(table.labels) != len(table.frame.columns):
        raise ValueError("header")
    fields = [
        {"name": label, "type": _type_of(table.frame.get_column(column))}
        for label, column in zip(table.labels, table.frame.columns, strict=True)
    ]
    return {"fields": fields}


def _described(folder: Path, relative: str) -> dict[str, Any]:
    from frictionless import Detector, FrictionlessException, Resource

    detector = Detector(sample_size=SAMPLE_ROWS, field_confidence=1.0)
    try:
        resource = Resource(path=relative, basepath=str(folder), detector=detector)
        resource.infer()
    except FrictionlessException as exc:
        raise ValueError(str(exc)) from None
    schema = resource.schema.to_descriptor() if resource.schema else {}
    if not schema.get("fields"):
        raise ValueError("empty")
    return {"fields": schema["fields"]}


def infer_schema(folder: Path, relative: str) -> dict[str, Any]:
    """The Table Schema of ``folder/relative`` (CSV or XLSX); ValueError if unreadable."""
    if relative.endswith(".csv"):
        try:
            return _csv_schema(folder, relative)
        except ContentError as exc:
            raise ValueError(exc.text) from None
    return _described(folder, relative)
