"""Writing the release's catalogue index (``index.json``, typed in catalog/release/index.py).

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
from catalog.release.index import (
    DatasetEntry,
    FieldEntry,
    Publishers,
    ReleaseIndex,
    ResourceEntry,
    TableEntry,
)
from catalog.release.manifest import Manifest
from catalog.release.naming import table_name
from catalog.release.versions import VersionEntry

DOWNLOAD_KINDS = tuple(urls.DOWNLOAD_MEDIA_TYPES)  # a table has those its size allows
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download_size(site: Path | None, url: str) -> int | None:
    """Bytes of a download the site wrote (None when it is not there)."""
    if site is None:
        return None
    try:
        return (site / url.lstrip("/")).stat().st_size
    except OSError:
        return None


def _schema(resource: dict[str, Any]) -> dict[str, Any]:
    schema = resource.get("schema")
    return schema if isinstance(schema, dict) else {}


def _fields(resource: dict[str, Any]) -> list[FieldEntry]:
    fields = [
        f
        for f in _schema(resource).get("fields") or []
        if isinstance(f, dict) and isinstance(f.get("name"), str)
    ]
    return [
        FieldEntry(
            name=f["name"],
            type=f.get("type"),
            format=f.get("format"),
            title=f.get("title"),
            description=f.get("description"),
            territory=f.get("territory"),
        )
        for f in fields
    ]


def _primary_key(resource: dict[str, Any]) -> list[str]:
    key = _schema(resource).get("primaryKey") or []
    return [key] if isinstance(key, str) else [k for k in key if isinstance(k, str)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def resource_entry(
    manifest: Manifest, resource: dict[str, Any], position: int, site: Path | None
) -> ResourceEntry:
    """One resource: its description, schema, table and downloads."""
    publisher, name = manifest["publisher"], manifest["name"]
    tables = {t["resource"]: t for t in manifest["tables"]}
    res_name = str(resource.get("name") or f"resource-{position}")
    table = tables.get(res_name)
    downloads = (
        {
            kind: urls.download(publisher, name, res_name, kind)
            for kind in urls.download_kinds(int(table.get("rows") or 0))
        }
        if table
        else {}
    )
    fmt = str(resource.get("format") or "").lower() or None
    csv_size = _download_size(site, downloads["csv"]) if table else None
    return ResourceEntry(
        id=table["name"] if table else table_name(publisher, name, res_name),
        name=res_name,
        position=position,
        title=resource.get("title"),
        description=resource.get("description"),
        format=fmt,
        mediatype=resource.get("mediatype") or MEDIA_TYPES.get(fmt or ""),
        bytes=csv_size if csv_size is not None else resource.get("bytes"),
        hash=_text(resource.get("hash")),
        path=_text(resource.get("path")),
        table=table["name"] if table else None,
        rows=table["rows"] if table else None,
        fields=_fields(resource),
        primary_key=_primary_key(resource),
        downloads=downloads,
    )


def _decoded(row: dict[str, Any], key: str) -> Any:
    """A list or object column of the catalogue row, as the JSON value it holds."""
    return json.loads(row[key]) if row[key] else None


def dataset_entry(
    manifest: Manifest,
    status: str,
    site: Path | None,
    published_at: str | None,
    versions: list[VersionEntry] | None = None,
) -> DatasetEntry:
    """One dataset: the catalogue row (lists decoded) plus readme, licence code and resources."""
    package = manifest["package"]
    row = dataset_row(manifest, status)
    licenses = package.get("licenses") or []
    first = licenses[0] if licenses and isinstance(licenses[0], dict) else {}
    resources = [r for r in package.get("resources") or [] if isinstance(r, dict)]
    return DatasetEntry(
        id=row["id"],
        publisher=row["publisher"],
        name=row["name"],
        title=row["title"],
        description=row["description"],
        keywords=_decoded(row, "keywords"),
        themes=_decoded(row, "themes"),
        license=row["license"],
        license_url=row["license_url"],
        license_id=_text(first.get("name")),
        frequency=row["frequency"],
        version=row["version"],
        issued=row["issued"],
        modified=row["modified"],
        temporal_start=row["temporal_start"],
        temporal_end=row["temporal_end"],
        spatial=_decoded(row, "spatial"),
        obligations=_decoded(row, "obligations"),
        contact_name=row["contact_name"],
        contact_email=row["contact_email"],
        url=row["url"],
        status=row["status"],
        tables=[
            TableEntry(name=t["name"], resource=t["resource"], title=t["title"], rows=t["rows"])
            for t in manifest["tables"]
        ],
        readme=manifest["readme"],
        sources=[s for s in package.get("sources") or [] if isinstance(s, dict)],
        published_at=published_at,
        zip=urls.package_zip(manifest["publisher"], manifest["name"]),
        resources=[resource_entry(manifest, r, i, site) for i, r in enumerate(resources)],
        versions=versions or [],
    )


def build_index(
    manifests: list[Manifest],
    statuses: dict[str, str],
    publishers: Publishers,
    generated: str,
    site: Path | None = None,
    published_at: dict[str, str] | None = None,
    versions: dict[str, list[VersionEntry]] | None = None,
) -> ReleaseIndex:
    """The whole index; ``site`` is the release's site folder (for download sizes),
    ``published_at`` when each dataset's current version was published, ``versions``
    every version of each dataset, newest first (catalog/build/versions.py)."""
    published_at = published_at or {}
    versions = versions or {}
    datasets = [
        dataset_entry(
            m,
            statuses.get(m["dataset"], "published"),
            site,
            published_at.get(m["dataset"]),
            versions.get(m["dataset"]),
        )
        for m in manifests
    ]
    return ReleaseIndex(generated=generated, datasets=datasets, publishers=publishers)
