"""The release's catalogue index (``index.json``): everything the API serves about datasets.

One entry per published dataset with its catalogue metadata (the columns of the
``datasets`` catalogue table), its long description, and its resources in full:
format, media type, size of the CSV download, Table Schema fields, download
URLs (catalog/urls.py) and the SQLite table holding the rows. The API builds its
CKAN and native shapes from this file alone, once per release.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalog import urls
from catalog.build.catalogue import dataset_row
from catalog.build.naming import table_name

DOWNLOAD_KINDS = ("csv", "excel.csv", "json", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FIELD_KEYS = ("name", "type", "format", "title", "description", "territory")


def _download_size(site: Path | None, url: str) -> int | None:
    """Bytes of a download the site wrote (None when it is not there)."""
    if site is None:
        return None
    try:
        return (site / url.lstrip("/")).stat().st_size
    except OSError:
        return None


def _fields(resource: dict[str, Any]) -> list[dict[str, Any]]:
    schema = resource.get("schema") if isinstance(resource.get("schema"), dict) else {}
    fields = [f for f in schema.get("fields") or [] if isinstance(f, dict)]
    return [{key: f.get(key) for key in FIELD_KEYS} for f in fields]


def _primary_key(resource: dict[str, Any]) -> list[str]:
    schema = resource.get("schema") if isinstance(resource.get("schema"), dict) else {}
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else [k for k in key if isinstance(k, str)]


def resource_entry(
    manifest: dict[str, Any], resource: dict[str, Any], position: int, site: Path | None
) -> dict[str, Any]:
    """One resource: its description, schema, table and downloads."""
    publisher, name = manifest["publisher"], manifest["name"]
    tables = {t["resource"]: t for t in manifest["tables"]}
    res_name = str(resource.get("name") or f"resource-{position}")
    table = tables.get(res_name)
    downloads = (
        {kind: urls.download(publisher, name, res_name, kind) for kind in DOWNLOAD_KINDS}
        if table
        else {}
    )
    fmt = str(resource.get("format") or "").lower() or None
    csv_size = _download_size(site, downloads["csv"]) if table else None
    return {
        "id": table["name"] if table else table_name(publisher, name, res_name),
        "name": res_name,
        "position": position,
        "title": resource.get("title"),
        "description": resource.get("description"),
        "format": fmt,
        "mediatype": resource.get("mediatype") or MEDIA_TYPES.get(fmt or ""),
        "bytes": csv_size if csv_size is not None else resource.get("bytes"),
        "hash": resource.get("hash") if isinstance(resource.get("hash"), str) else None,
        "path": resource.get("path") if isinstance(resource.get("path"), str) else None,
        "table": table["name"] if table else None,
        "rows": table["rows"] if table else None,
        "fields": _fields(resource),
        "primary_key": _primary_key(resource),
        "downloads": downloads,
    }


def dataset_entry(
    manifest: dict[str, Any], status: str, site: Path | None, published_at: str | None
) -> dict[str, Any]:
    """One dataset: the catalogue row (lists decoded) plus readme, licence code and resources."""
    package = manifest["package"]
    row = dataset_row(manifest, status)
    for key in ("keywords", "themes", "spatial", "obligations"):
        row[key] = json.loads(row[key]) if row[key] else None
    row["tables"] = [
        {k: t[k] for k in ("name", "resource", "title", "rows")} for t in manifest["tables"]
    ]
    licenses = package.get("licenses") or []
    first = licenses[0] if licenses and isinstance(licenses[0], dict) else {}
    row["license_id"] = first.get("name") if isinstance(first.get("name"), str) else None
    row["readme"] = manifest.get("readme")
    row["sources"] = [s for s in package.get("sources") or [] if isinstance(s, dict)]
    row["published_at"] = published_at
    row["zip"] = urls.package_zip(manifest["publisher"], manifest["name"])
    resources = [r for r in package.get("resources") or [] if isinstance(r, dict)]
    row["resources"] = [resource_entry(manifest, r, i, site) for i, r in enumerate(resources)]
    return row


def build_index(
    manifests: list[dict[str, Any]],
    statuses: dict[str, str],
    publishers: dict[str, dict[str, Any]],
    generated: str,
    site: Path | None = None,
    published_at: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The whole index; ``site`` is the release's site folder (for download sizes),
    ``published_at`` when each dataset's current version was published."""
    published_at = published_at or {}
    datasets = [
        dataset_entry(
            m,
            statuses.get(m["dataset"], "published"),
            site,
            published_at.get(m["dataset"]),
        )
        for m in manifests
    ]
    return {"generated": generated, "datasets": datasets, "publishers": publishers}
