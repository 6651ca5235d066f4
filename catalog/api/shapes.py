"""The shapes the API returns, built from one index entry: CKAN dicts and native dicts.

CKAN dicts carry CKAN's field names, so CKAN clients and harvesters read them
unchanged; a dataset's CKAN ``name`` and ``id`` are ``<publisher>--<dataset>``,
a resource's ``id`` is the name of its SQLite table (also the ``resource_id`` of
``datastore_search``). Native dicts are plainer and bilingual where labels are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalog import territories, textnorm, urls
from catalog.api.search import Document, normalize_date
from catalog.release.index import DatasetEntry, Publishers, ResourceEntry
from catalog.vocabularies import entry, label

CKAN_FORMATS = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX", "xls": "XLS", "ods": "ODS"}
Absolute = Callable[[str], str]  # a site path -> its URL (urls.absolute)
DATASTORE_TYPES = {
    "integer": "int",
    "number": "numeric",
    "string": "text",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "year": "int",
}


def _ckan_time(value: str | None) -> str | None:
    found = normalize_date(value)
    return f"{found}.000000" if found else None


def dates(d: DatasetEntry) -> tuple[str, str]:
    """(metadata_created, metadata_modified) in CKAN's format: created is the day the
    dataset was issued; modified is when its current version was published."""
    modified = _ckan_time(d["published_at"]) or _ckan_time(d["modified"]) or ""
    created = _ckan_time(d["issued"]) or modified
    return min(created, modified) if modified else created, modified


def organization(slug: str, data: dict[str, Any], count: int | None = None) -> dict[str, Any]:
    """A publisher as a CKAN organization."""
    title = data.get("name") or slug
    org = {
        "id": slug,
        "name": slug,
        "title": title,
        "display_name": title,
        "description": data.get("description") or "",
        "image_url": "",
        "image_display_url": "",
        "created": None,
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "type": "organization",
        "extras": [
            {"key": key, "value": str(data[key])}
            for key in ("acronym", "kind", "website", "email", "parent")
            if data.get(key)
        ],
    }
    if count is not None:
        org["package_count"] = count
    return org


def group(code: str, count: int | None = None, lang: str = "es") -> dict[str, Any]:
    """A DCAT-AP theme as a CKAN group (name: the code in lower case)."""
    known = entry("themes", code) or {}
    title = label("themes", code, lang)
    found = {
        "id": code.lower(),
        "name": code.lower(),
        "title": title,
        "display_name": title,
        "description": known.get("uri") or "",
        "image_url": "",
        "image_display_url": "",
        "created": None,
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
        "type": "group",
    }
    if count is not None:
        found["package_count"] = count
    return found


def tag(name: str) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def resource(
    d: DatasetEntry, r: ResourceEntry, absolute: Absolute = urls.absolute
) -> dict[str, Any]:
    """One resource as CKAN's resource dict; ``url`` is its CSV download."""
    created, modified = dates(d)
    downloads = {kind: absolute(path) for kind, path in r["downloads"].items()}
    fmt = r["format"] or ""
    return {
        "id": r["id"],
        "package_id": urls.ckan_id(d["id"]),
        "name": r["title"] or r["name"],
        "description": r["description"] or "",
        "url": downloads.get("csv") or absolute(d["zip"]),
        "format": CKAN_FORMATS.get(fmt, fmt.upper()),
        "mimetype": r["mediatype"],
        "mimetype_inner": None,
        "size": r["bytes"],
        "hash": r["hash"] or "",
        "position": r["position"],
        "created": created,
        "last_modified": modified,
        "metadata_modified": modified,
        "datastore_active": bool(r["table"]),
        "url_type": None,
        "resource_type": "file",
        "cache_url": None,
        "state": "active",
        "resource_name": r["name"],
        "rows": r["rows"],
        "downloads": downloads,
        "distributions": [
            {"format": kind, "url": url, "mimetype": urls.DOWNLOAD_MEDIA_TYPES.get(kind)}
            for kind, url in downloads.items()
        ],
        "schema": {"fields": r["fields"], "primaryKey": r["primary_key"]},
    }


def _extras(d: DatasetEntry, absolute: Absolute) -> list[dict[str, str]]:
    import json

    values: dict[str, str | None] = {
        "frequency": d["frequency"],
        "issued": d["issued"],
        "modified": d["modified"],
        "temporal_start": d["temporal_start"],
        "temporal_end": d["temporal_end"],
        "contact_name": d["contact_name"],
        "contact_email": d["contact_email"],
        "status": d["status"],
    }
    extras = [{"key": k, "value": str(v)} for k, v in values.items() if v]
    structured: dict[str, object] = {"spatial": d["spatial"], "obligations": d["obligations"]}
    for key, value in structured.items():
        if value:
            extras.append({"key": key, "value": json.dumps(value, ensure_ascii=False)})
    for theme in d["themes"] or []:
        uri = (entry("themes", theme) or {}).get("uri")
        if uri:
            extras.append({"key": "theme", "value": uri})
    versions = [  # CKAN has no versions: an extra lists them, newest first
        {"id": v["id"], "version": v["version"], "published_at": v["published_at"]}
        | {"note": v["note"], "downloads": {k: absolute(u) for k, u in v["downloads"].items()}}
        for v in d.get("versions") or []
    ]
    if versions:
        extras.append({"key": "versions", "value": json.dumps(versions, ensure_ascii=False)})
    extras.append({"key": "language", "value": "es"})
    extras.append({"key": "identifier", "value": absolute(d["url"])})
    return sorted(extras, key=lambda e: (e["key"], e["value"]))


def package(
    d: DatasetEntry, publishers: Publishers, absolute: Absolute = urls.absolute
) -> dict[str, Any]:
    """One dataset as CKAN's package dict (``absolute`` makes its links)."""
    created, modified = dates(d)
    publisher = publishers.get(d["publisher"]) or {}
    licence = entry("licenses", d["license_id"] or "") or {}
    tags = [tag(k) for k in d["keywords"] or [] if isinstance(k, str)]
    groups = [group(code) for code in d["themes"] or [] if isinstance(code, str)]
    resources = [resource(d, r, absolute) for r in d["resources"]]
    return {
        "id": urls.ckan_id(d["id"]),
        "name": urls.ckan_id(d["id"]),
        "title": d["title"] or d["name"],
        "notes": d["readme"] or d["description"] or "",
        "url": absolute(d["url"]),
        "version": d["version"],
        "license_id": d["license_id"],
        "license_title": d["license"],
        "license_url": d["license_url"],
        "isopen": bool(licence.get("open")),
        "author": publisher.get("name") or d["publisher"],
        "author_email": publisher.get("email"),
        "maintainer": d["contact_name"],
        "maintainer_email": d["contact_email"],
        "organization": organization(d["publisher"], publisher),
        "owner_org": d["publisher"],
        "tags": tags,
        "num_tags": len(tags),
        "groups": groups,
        "resources": resources,
        "num_resources": len(resources),
        "metadata_created": created,
        "metadata_modified": modified,
        "extras": _extras(d, absolute),
        "state": "active",
        "type": "dataset",
        "private": False,
        "creator_user_id": None,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def _levels(d: DatasetEntry) -> set[str]:
    return {
        territory
        for r in d["resources"]
        for f in r["fields"]
        if (territory := f["territory"]) in ("department", "municipality")
    }


def _coverage(d: DatasetEntry) -> list[str]:
    spatial = d["spatial"] if isinstance(d["spatial"], dict) else {}
    codes = [c for c in (spatial.get("departments") or []) if isinstance(c, str)]
    for code in spatial.get("municipalities") or []:
        if isinstance(code, str):
            codes += [code, territories.department_of(code) or ""]
    return sorted({c for c in codes if c})


def document(d: DatasetEntry, pkg: dict[str, Any], publisher: dict[str, Any]) -> Document:
    """What the search index keeps of a dataset."""
    resources = d["resources"]
    return Document(
        keywords={
            "name": [pkg["name"]],
            "dataset": [d["id"]],
            "organization": [d["publisher"]],
            "tags": [t["name"] for t in pkg["tags"]],
            "groups": [g["name"] for g in pkg["groups"]],
            "license_id": [d["license_id"]] if d["license_id"] else [],
            "res_format": sorted({r["format"] for r in pkg["resources"] if r["format"]}),
            "res_name": [r["name"] for r in resources],
            "frequency": [d["frequency"]] if d["frequency"] else [],
            "version": [str(d["version"])] if d["version"] else [],
            "status": [d["status"] or "published"],
            "obligations": [o for o in d["obligations"] or [] if isinstance(o, str)],
            "state": ["active"],
            "type": ["dataset"],
            "capacity": ["public"],
            "territory": _coverage(d),
        },
        texts=textnorm.dataset_texts(
            title=d["title"] or "",
            keywords=d["keywords"] or [],
            description=d["description"] or "",
            publisher=publisher,
            resources=resources,
        ),
        dates={
            "metadata_modified": normalize_date(pkg["metadata_modified"]),
            "metadata_created": normalize_date(pkg["metadata_created"]),
            "modified": normalize_date(d["modified"]),
            "issued": normalize_date(d["issued"]),
        },
        numbers={"num_resources": pkg["num_resources"], "num_tags": pkg["num_tags"]},
        levels=_levels(d),
    )


# ---------------------------------------------------------------- native


def theme_ref(code: str, lang: str) -> dict[str, Any]:
    return {
        "code": code,
        "label": label("themes", code, lang),
        "url": urls.absolute(urls.theme(code, lang)),
    }


def native_resource(d: DatasetEntry, r: ResourceEntry) -> dict[str, Any]:
    publisher, name = d["publisher"], d["name"]
    rows_url = (
        f"/api/v1/datasets/{publisher}/{name}/resources/{r['name']}/rows" if r["table"] else None
    )
    return {
        "name": r["name"],
        "id": r["id"],
        "title": r["title"],
        "description": r["description"],
        "format": r["format"],
        "mediatype": r["mediatype"],
        "bytes": r["bytes"],
        "hash": r["hash"],
        "rows": r["rows"],
        "table": r["table"],
        "fields": r["fields"],
        "primary_key": r["primary_key"],
        "downloads": {k: urls.absolute(v) for k, v in r["downloads"].items()},
        "api": {"rows": urls.absolute(rows_url) if rows_url else None},
        "sql": urls.absolute(urls.sql_table(r["table"])) if r["table"] else None,
    }


def native_versions(d: DatasetEntry) -> list[dict[str, Any]]:
    """A dataset's versions in the native API, newest first; downloads as absolute URLs."""
    return [
        {
            "id": v["id"],
            "version": v["version"] or None,
            "published_at": v["published_at"],
            "note": v["note"] or None,
            "current": v["current"],
            "rows": v["rows"],
            "downloads": {k: urls.absolute(u) for k, u in v["downloads"].items()},
            "diff": v["diff"],
        }
        for v in d.get("versions") or []
    ]


def native_dataset(
    d: DatasetEntry, publishers: Publishers, lang: str, full: bool
) -> dict[str, Any]:
    """A dataset in the native API: a summary in lists, everything in ``full``."""
    created, modified = dates(d)
    publisher = publishers.get(d["publisher"]) or {}
    found = {
        "id": d["id"],
        "ckan_id": urls.ckan_id(d["id"]),
        "publisher": {
            "slug": d["publisher"],
            "name": publisher.get("name") or d["publisher"],
            "acronym": publisher.get("acronym"),
        },
        "name": d["name"],
        "title": d["title"],
        "description": d["description"],
        "keywords": d["keywords"] or [],
        "themes": [theme_ref(c, lang) for c in d["themes"] or []],
        "license": {
            "id": d["license_id"],
            "title": d["license"],
            "url": d["license_url"],
        },
        "frequency": {
            "code": d["frequency"],
            "label": label("frequencies", d["frequency"], lang),
        }
        if d["frequency"]
        else None,
        "issued": d["issued"],
        "modified": d["modified"],
        "metadata_modified": modified,
        "page": urls.absolute(urls.dataset(d["publisher"], d["name"], lang)),
        "formats": sorted({r["format"] for r in d["resources"] if r["format"]}),
    }
    if full:
        found.update(
            {
                "metadata_created": created,
                "version": d["version"],
                "temporal": {"start": d["temporal_start"], "end": d["temporal_end"]},
                "spatial": d["spatial"],
                "obligations": d["obligations"] or [],
                "contact": {"name": d["contact_name"], "email": d["contact_email"]},
                "sources": d["sources"] or [],
                "readme": d["readme"],
                "status": d["status"],
                "download": urls.absolute(d["zip"]),
                "resources": [native_resource(d, r) for r in d["resources"]],
            }
        )
    return found
