"""Generated content: the Data Packages that programs write for the build to publish.

The workspace's exports (the request log, the active-transparency declarations, the
CIO ratings) and the build's derived tables (the compliance table, the IT dashboard)
are catalogue datasets like any other, written by code rather than by a person. They
share one shape of descriptor (licence, contact point, dates, CSV resources with a
Table Schema) and one writer: each file is written atomically and only when its text
changed, so unchanged content keeps its hash and costs the build nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from catalog.content import DESCRIPTOR

CC_BY = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
NO_EMAIL = "transparencia@localhost.localdomain"  # a publisher file without an e-mail
# A column: name, Table Schema type, title, description (Spanish: the language of record).
Column = tuple[str, str, str, str]


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` only when it changed, atomically (a temporary file renamed into
    place). Returns whether it wrote."""
    if path.exists() and path.read_text("utf-8") == text:
        return False
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return True


def schema(
    columns: Sequence[Column],
    primary_key: Sequence[str] = (),
    constraints: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A Table Schema from columns, with per-column constraints and a primary key."""
    constraints = constraints or {}
    fields = [
        {
            "name": name,
            "type": kind,
            "title": title,
            "description": description,
            **({"constraints": constraints[name]} if name in constraints else {}),
        }
        for name, kind, title, description in columns
    ]
    return {"fields": fields, **({"primaryKey": list(primary_key)} if primary_key else {})}


def csv_resource(
    name: str, title: str, table_schema: dict[str, Any], description: str | None = None
) -> dict[str, Any]:
    """A CSV resource at ``data/<name>.csv``."""
    return {
        "name": name,
        "title": title,
        **({"description": description} if description else {}),
        "path": f"data/{name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": table_schema,
    }


def descriptor(
    *,
    name: str,
    title: str,
    description: str,
    publisher: str,
    info: dict[str, Any],
    keywords: Sequence[str],
    themes: Sequence[str],
    today: str,
    issued: str | None,
    resources: Sequence[dict[str, Any]],
    temporal: tuple[str, str] | None = None,
    frequency: str = "daily",
) -> dict[str, Any]:
    """The descriptor of a generated dataset of ``publisher`` (``info``: its YAML), under
    CC BY 4.0, versioned by the day it was generated."""
    found: dict[str, Any] = {
        "name": name,
        "title": title,
        "description": description,
        "publisher": publisher,
        "keywords": list(keywords),
        "themes": list(themes),
        "licenses": [dict(CC_BY)],
        "frequency": frequency,
        "contactPoint": {
            "name": info.get("name") or publisher,
            "email": info.get("email") or NO_EMAIL,
        },
        "version": today,
        "issued": issued or today,
        "modified": today,
        "resources": list(resources),
    }
    if temporal is not None:
        found["temporal"] = {"start": temporal[0], "end": temporal[1]}
    return found


def write_package(
    folder: Path, package: dict[str, Any], tables: dict[str, str], readme: str
) -> None:
    """Write a generated dataset: ``data/<name>.csv`` for each table, its descriptor and
    README, each only when it changed."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        write_if_changed(folder / "data" / f"{name}.csv", text)
    text = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
    write_if_changed(folder / DESCRIPTOR, text)
    write_if_changed(folder / "README.md", readme)
