"""Tables that describe the catalogue itself, so it can be queried like the data.

``publishers``, ``datasets``, ``resources`` (one row per resource, with its table
name) and ``fields`` (one row per column), linked by foreign keys, plus a
full-text index on the datasets' titles, descriptions and keywords. They are
small, so each release rewrites them whole.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import sqlite_utils

from catalog import urls
from catalog.build.compose import TOKENIZE
from catalog.release.manifest import Manifest, license_of
from catalog.release.naming import CATALOGUE_TABLES, fts_table, quote

SCHEMAS: dict[str, dict[str, Any]] = {
    "publishers": {
        "columns": {
            "slug": str,
            "name": str,
            "acronym": str,
            "kind": str,
            "jurisdiction": str,
            "website": str,
            "email": str,
            "parent": str,
            "description": str,
            "datasets": int,
        },
        "pk": "slug",
    },
    "datasets": {
        "columns": {
            "id": str,
            "publisher": str,
            "name": str,
            "title": str,
            "description": str,
            "keywords": str,
            "themes": str,
            "license": str,
            "license_url": str,
            "frequency": str,
            "version": str,
            "issued": str,
            "modified": str,
            "temporal_start": str,
            "temporal_end": str,
            "spatial": str,
            "obligations": str,
            "contact_name": str,
            "contact_email": str,
            "url": str,
            "status": str,
        },
        "pk": "id",
        "foreign_keys": [("publisher", "publishers", "slug")],
    },
    "resources": {
        "columns": {
            "dataset": str,
            "name": str,
            "table_name": str,
            "title": str,
            "description": str,
            "format": str,
            "path": str,
            "rows": int,
        },
        "pk": ("dataset", "name"),
        "foreign_keys": [("dataset", "datasets", "id")],
    },
    "fields": {
        "columns": {
            "table_name": str,
            "position": int,
            "name": str,
            "type": str,
            "format": str,
            "title": str,
            "description": str,
            "territory": str,
            "primary_key": int,
        },
        "pk": ("table_name", "name"),
        "foreign_keys": [("table_name", "resources", "table_name")],
    },
}


def _json(value: Any) -> str | None:
    return (
        json.dumps(value, ensure_ascii=False, default=str)
        if value not in (None, "", [], {})
        else None
    )


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return _json(value)


def dataset_row(manifest: Manifest, status: str) -> dict[str, Any]:
    package = manifest["package"]
    license_name, license_url = license_of(package)
    temporal = package.get("temporal") or {}
    contact = package.get("contactPoint") or {}
    return {
        "id": manifest["dataset"],
        "publisher": manifest["publisher"],
        "name": manifest["name"],
        "title": package.get("title"),
        "description": package.get("description"),
        "keywords": _json(package.get("keywords")),
        "themes": _json(package.get("themes")),
        "license": license_name,
        "license_url": license_url,
        "frequency": _text(package.get("frequency")),
        "version": _text(package.get("version")),
        "issued": _text(package.get("issued")),
        "modified": _text(package.get("modified")),
        "temporal_start": _text(temporal.get("start")) if isinstance(temporal, dict) else None,
        "temporal_end": _text(temporal.get("end")) if isinstance(temporal, dict) else None,
        "spatial": _json(package.get("spatial")),
        "obligations": _json(package.get("obligations")),
        "contact_name": _text(contact.get("name")) if isinstance(contact, dict) else None,
        "contact_email": _text(contact.get("email")) if isinstance(contact, dict) else None,
        "url": urls.dataset(manifest["publisher"], manifest["name"]),
        "status": status,
    }


def _resource_rows(manifest: Manifest) -> list[dict[str, Any]]:
    tables = {t["resource"]: t for t in manifest["tables"]}
    rows = []
    for resource in manifest["package"].get("resources") or []:
        if not isinstance(resource, dict):
            continue
        table = tables.get(str(resource.get("name")))
        rows.append(
            {
                "dataset": manifest["dataset"],
                "name": resource.get("name"),
                "table_name": table["name"] if table else None,
                "title": resource.get("title"),
                "description": resource.get("description"),
                "format": resource.get("format"),
                "path": _text(resource.get("path")),
                "rows": table["rows"] if table else None,
            }
        )
    return rows


def _field_rows(manifest: Manifest) -> list[dict[str, Any]]:
    rows = []
    for table in manifest["tables"]:
        for position, column in enumerate(table["columns"], start=1):
            rows.append(
                {
                    "table_name": table["name"],
                    "position": position,
                    "name": column["name"],
                    "type": column["type"],
                    "format": column["format"],
                    "title": column["title"],
                    "description": column["description"],
                    "territory": column["territory"],
                    "primary_key": int(column["name"] in table["primaryKey"]),
                }
            )
    return rows


def _publisher_row(slug: str, data: dict[str, Any], count: int) -> dict[str, Any]:
    row: dict[str, Any] = {key: _text(data.get(key)) for key in SCHEMAS["publishers"]["columns"]}
    row.update(slug=slug, datasets=count)
    return row


def write_catalogue(
    conn: sqlite3.Connection,
    publishers: dict[str, dict[str, Any]],
    manifests: list[tuple[Manifest, str]],
) -> None:
    """Replace the catalogue tables with the published datasets (manifest, status)."""
    db = sqlite_utils.Database(conn)
    for name in reversed(CATALOGUE_TABLES):
        conn.execute(f"DROP TABLE IF EXISTS {quote(fts_table(name))}")
        conn.execute(f"DROP TABLE IF EXISTS {quote(name)}")
    for name in CATALOGUE_TABLES:
        spec = SCHEMAS[name]
        db.table(name).create(spec["columns"], pk=spec["pk"], foreign_keys=spec.get("foreign_keys"))
    counts: dict[str, int] = {}
    for manifest, _status in manifests:
        counts[manifest["publisher"]] = counts.get(manifest["publisher"], 0) + 1
    slugs = sorted(set(publishers) | set(counts))
    db.table("publishers").insert_all(
        _publisher_row(s, publishers.get(s) or {}, counts.get(s, 0)) for s in slugs
    )
    db.table("datasets").insert_all(dataset_row(m, status) for m, status in manifests)
    db.table("resources").insert_all(r for m, _s in manifests for r in _resource_rows(m))
    db.table("fields").insert_all(r for m, _s in manifests for r in _field_rows(m))
    db.table("resources").create_index(["table_name"], unique=True, if_not_exists=True)
    db.table("datasets").create_index(["publisher"], if_not_exists=True)
    # What the SQL explorer's pages count by (catalog/build/datasette.py, facets).
    for table, column in (
        ("datasets", "license"),
        ("datasets", "frequency"),
        ("resources", "format"),
        ("fields", "type"),
        ("publishers", "kind"),
    ):
        db.table(table).create_index([column], if_not_exists=True)
    db.table("datasets").enable_fts(["title", "description", "keywords"], tokenize=TOKENIZE)
