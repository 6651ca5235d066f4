"""What a table that came without a schema holds: its text encoding and its columns' types.

For the tables people hand over without a Data Package: a harvested download
(catalog/harvest/) and a steward's upload (catalog/transparency/stewards_files.py).

- The encoding is judged over the whole file, read in blocks: UTF-16 with its BOM,
  UTF-8 (with or without BOM), else Windows-1252 (what a Latin American office's
  export almost always is), else Latin-1, which decodes anything.
- A column's type comes from every non-empty cell, not a sample, so that the schema
  never refuses rows of its own table: ``integer``, ``number``, ``date`` or
  ``boolean`` when every cell is one as Table Schema writes them, else ``string``. A
  column of codes with leading zeros (INE codes ``01``, ``0101``) stays text, as the
  catalogue keeps codes.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl

BLOCK = 1 << 20
PATTERNS = (  # Table Schema's default formats, in order of preference
    ("integer", r"^[+-]?\d{1,18}$"),
    ("number", r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"),
    ("date", r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
    ("boolean", r"^(true|false|True|False|TRUE|FALSE)$"),
)
LEADING_ZERO = r"^0\d+$"


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(BLOCK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def encoding_of(path: Path) -> str:
    """The Python codec that reads the whole file: ``utf-16``, ``utf-8-sig``, ``utf-8``,
    ``cp1252`` or ``latin-1``."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(path, "utf-8"):
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    return "cp1252" if _decodes(path, "cp1252") else "latin-1"


def type_of(column: pl.Series) -> str:
    """The Table Schema type every non-empty cell of a text column has."""
    values = column.cast(pl.Utf8).drop_nulls()
    values = values.filter(values != "")
    if values.is_empty() or values.str.contains(LEADING_ZERO).any():
        return "string"
    for kind, pattern in PATTERNS:
        if values.str.contains(pattern).all():
            if kind == "date" and values.str.to_date("%Y-%m-%d", strict=False).null_count():
                continue  # 2024-02-30 is no date
            return kind
    return "string"


def fields_of(frame: pl.DataFrame, labels: list[str]) -> list[dict[str, str]]:
    """A field per column of a frame of text cells, named by ``labels``, typed."""
    return [
        {"name": label, "type": type_of(frame.get_column(column))}
        for label, column in zip(labels, frame.columns, strict=True)
    ]


def csv_fields(path: Path, labels: list[str]) -> list[dict[str, str]]:
    """The typed fields of a clean UTF-8 CSV (comma, header on line 1)."""
    frame = pl.read_csv(path, infer_schema_length=0)
    if len(frame.columns) != len(labels):
        raise ValueError("header")
    return fields_of(frame, labels)
