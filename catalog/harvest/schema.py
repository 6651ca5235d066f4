"""A Table Schema for a downloaded table that came without one, inferred by Frictionless.

The whole sample that Frictionless reads must agree on a type (confidence 1, not its
default 0.9), so that the inferred schema does not refuse rows of its own table; a column
of codes with leading zeros (INE codes ``01``, ``0101``) stays text, as the catalogue
keeps codes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

SAMPLE_ROWS = 10_000


def _leading_zero_columns(path: Path, encoding: str | None) -> set[str]:
    """Columns of a CSV in which some value is a number written with a leading zero."""
    found: set[str] = set()
    try:
        with path.open("r", encoding=encoding or "utf-8-sig", errors="replace", newline="") as fh:
            sample = fh.read(1 << 20)
    except OSError:
        return found
    try:
        dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0] + "\n", ",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(sample), dialect=dialect)
    for index, row in enumerate(reader):
        if index >= SAMPLE_ROWS:
            break
        for key, value in row.items():
            if isinstance(key, str) and isinstance(value, str):
                text = value.strip()
                if len(text) > 1 and text.startswith("0") and text.isdigit():
                    found.add(key)
    return found


def infer_schema(folder: Path, relative: str) -> dict[str, Any]:
    """The Table Schema of ``folder/relative`` (CSV or XLSX); ValueError if unreadable."""
    from frictionless import Detector, FrictionlessException, Resource

    detector = Detector(sample_size=SAMPLE_ROWS, field_confidence=1.0)
    try:
        resource = Resource(path=relative, basepath=str(folder), detector=detector)
        resource.infer()
    except FrictionlessException as exc:
        raise ValueError(str(exc)) from None
    schema = resource.schema.to_descriptor() if resource.schema else {}
    fields = schema.get("fields") or []
    if not fields:
        raise ValueError("empty")
    if relative.endswith(".csv"):
        zeros = _leading_zero_columns(folder / relative, resource.encoding)
        for item in fields:
            if item.get("name") in zeros and item.get("type") in ("integer", "number", "year"):
                item["type"] = "string"
    return {"fields": fields}
