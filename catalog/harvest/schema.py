"""A Table Schema for a downloaded table that came without one.

A CSV is read the way ``catalog validate`` reads it (``catalog.tables``) and typed by
the rules of ``catalog.infer`` (every cell, codes keep their leading zeros); workbooks
(XLSX), whose cells carry their own types, are described by Frictionless.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from catalog.errors import ContentError
from catalog.infer import encoding_of, fields_of

SAMPLE_ROWS = 10_000  # what Frictionless reads of a workbook to describe it


def to_utf8(path: Path) -> str | None:
    """Rewrite a CSV as UTF-8 when it is not (a UTF-16 file with its BOM, else
    Windows-1252, what a Latin American office's export almost always is, else Latin-1);
    the encoding it had, or None when it was UTF-8 already. Streamed, chunk by chunk."""
    encoding = encoding_of(path)
    if encoding in ("utf-8", "utf-8-sig"):
        return None
    temporary = path.with_suffix(path.suffix + ".utf8")
    with (
        path.open("r", encoding=encoding, newline="") as source,
        temporary.open("w", encoding="utf-8", newline="") as target,
    ):
        while chunk := source.read(1 << 20):
            target.write(chunk)
    os.replace(temporary, path)
    return encoding


def _csv_schema(folder: Path, relative: str) -> dict[str, Any]:
    from catalog.tables import read_resource

    table = read_resource(folder, {"name": "harvested", "path": relative, "format": "csv"})
    if not table.labels or len(table.labels) != len(table.frame.columns):
        raise ValueError("header")
    return {"fields": fields_of(table.frame, table.labels)}


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
