"""The shapes the API returns, built from one index entry: CKAN dicts and native dicts.

CKAN dicts carry CKAN's field names, so CKAN clients and harvesters read them
unchanged; a dataset's CKAN ``name`` and ``id`` are ``<publisher>--<dataset>``,
a resource's ``id`` is the name of its SQLite table (also the ``resource_id`` of
``datastore_search``). Native dicts are plainer and bilingual where labels are.
"""

from __future__ import annotations

from typing import Any

from catalog import territories, textnorm, urls
from catalog.api.search import Document, normalize_date
from catalog.vocabularies import entry, label

CKAN_FORMATS = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX", "xls": "XLS", "ods": "ODS"}
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
EXTRA_KEYS = (
    "frequency",
    "issued",
    "modified",
    "temporal_start",
    "temporal_end",
    "contact_name",
    "contact_email",
    "status",
)


def _ckan_time(value: str | None) -> str | None:
    found = normalize_date(value)
    return f"{found}.000000" if found else None


def dates(d: dict[str, Any]) -> tuple[str, str]:
    """(metadata_created, metadata_modified) in CKAN's format: created is the day the
    dataset was issued; modified is when its current version was published."""
    modified = _ckan_time(d.get("published_at")) or _ckan_time(d.get("modified")) or ""
    created = _ckan_time(d.get("issued")) or modified
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


def resource(d: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    """One resource as CKAN's resource dict; ``url`` is its CSV download."""
    created, modified = dates(d)
    downloads = {kind: urls.absolute(path) for kind, path in (r.get("downloads") or {}).items()}
    fmt = r.get("format") or ""
    return {
        "id": r["id"],
        "package_id": urls.ckan_id(d["id"]),
        "name": r.get("title") or r["name"],
        "description": r.get("description") or "",
        "url": downloads.get("csv") or urls.absolute(d["zip"]),
        "format": CKAN_FORMATS.get(fmt, fmt.upper()),
        "mimetype": r.get("mediatype"),
        "mimetype_inner": None,
        "size": r.get("bytes"),
        "hash": r.get("hash") or "",
        "position": r["position"],
        "created": created,
        "last_modified": modified,
        "metadata_modified": modified,
        "datastore_active": bool(r.get("table")),
        "url_type": None,
        "resource_type": "file",
        "cache_url": None,
        "state": "active",
        "resource_name": r["name"],
        "rows": r.get("rows"),
        "downloads": downloads,
        "schema": {"fields": r.get("fields") or [], "primaryKey": r.get("primary_key") or []},
    }


def _extras(d: dict[str, Any]) -> list[dict[str, str]]:
    import json

    extras = [{"key": k, "value": str(d[k])} for k in EXTRA_KEYS if d.get(k)]
    for key in ("spatial", "obligations"):
        if d.get(key):
            extras.append({"key": key, "value": json.dumps(d[key], ensure_ascii=False)})
    for theme in d.get("themes") or []:
        uri = (entry("themes", theme) or {}).get("uri")
        if uri:
            extras.append({"key": "theme", "value": uri})
    extras.append({"key": "language", "value": "es"})
    extras.append({"key": "identifier", "value": urls.absolute(d["url"])})
    return sorted(extras, key=lambda e: (e["key"], e["value"]))


def package(d: dict[str, Any], publishers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One dataset as CKAN's package dict."""
    created, modified = dates(d)
    publisher = publishers.get(d["publisher"]) or {}
    licence = entry("licenses", d.get("license_id") or "") or {}
    tags = [tag(k) for k in d.get("keywords") or [] if isinstance(k, str)]
    groups = [group(code) for code in d.get("themes") or [] if isinstance(code, str)]
    resources = [resource(d, r) for r in d.get("resources") or []]
    return {
        "id": urls.ckan_id(d["id"]),
        "name": urls.ckan_id(d["id"]),
        "title": d.get("title") or d["name"],
        "notes": d.get("readme") or d.get("description") or "",
        "url": urls.absolute(d["url"]),
        "version": d.get("version"),
        "license_id": d.get("license_id"),
        "license_title": d.get("license"),
        "license_url": d.get("license_url"),
        "isopen": bool(licence.get("open")),
        "author": publisher.get("name") or d["publisher"],
        "author_email": publisher.get("email"),
        "maintainer": d.get("contact_name"),
        "maintainer_email": d.get("contact_email"),
        "organization": organization(d["publisher"], publisher),
        "owner_org": d["publisher"],
        "tags": tags,
        "num_tags": len(tags),
        "groups": groups,
        "resources": resources,
        "num_resources": len(resources),
        "metadata_created": created,
        "metadata_modified": modified,
        "extras": _extras(d),
        "state": "active",
        "type": "dataset",
        "private": False,
        "creator_user_id": None,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def _levels(d: dict[str, Any]) -> set[str]:
    return {
        f["territory"]
        for r in d.get("resources") or []
        for f in r.get("fields") or []
        if f.get("territory") in ("department", "municipality")
    }


def _coverage(d: dict[str, Any]) -> list[str]:
    spatial = d.get("spatial") if isinstance(d.get("spatial"), dict) else {}
    codes = [c for c in (spatial.get("departments") or []) if isinstance(c, str)]
    for code in spatial.get("municipalities") or []:
        if isinstance(code, str):
            codes += [code, territories.department_of(code) or ""]
    return sorted({c for c in codes if c})


def document(d: dict[str, Any], pkg: dict[str, Any], publisher: dict[str, Any]) -> Document:
    """What the search index keeps of a dataset."""
    resources = d.get("resources") or []
    return Document(
        keywords={
            "name": [pkg["name"]],
            "dataset": [d["id"]],
            "organization": [d["publisher"]],
            "tags": [t["name"] for t in pkg["tags"]],
            "groups": [g["name"] for g in pkg["groups"]],
            "license_id": [d["license_id"]] if d.get("license_id") else [],
            "res_format": sorted({r["format"] for r in pkg["resources"] if r["format"]}),
            "res_name": [r["name"] for r in resources],
            "frequency": [d["frequency"]] if d.get("frequency") else [],
            "version": [str(d["version"])] if d.get("version") else [],
            "status": [d.get("status") or "published"],
            "obligations": [o for o in d.get("obligations") or [] if isinstance(o, str)],
            "state": ["active"],
            "type": ["dataset"],
            "capacity": ["public"],
            "territory": _coverage(d),
        },
        texts=textnorm.dataset_texts(
            title=d.get("title") or "",
            keywords=d.get("keywords") or [],
            description=d.get("description") or "",
            publisher=publisher,
            resources=resources,
        ),
        dates={
            "metadata_modified": normalize_date(pkg["metadata_modified"]),
            "metadata_created": normalize_date(pkg["metadata_created"]),
            "modified": normalize_date(d.get("modified")),
            "issued": normalize_date(d.get("issued")),
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


def native_resource(d: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    publisher, name = d["publisher"], d["name"]
    rows_url = (
        f"/api/v1/datasets/{publisher}/{name}/resources/{r['name']}/rows"
        if r.get("table")
        else None
    )
    return {
        "name": r["name"],
        "id": r["id"],
        "title": r.get("title"),
        "description": r.get("description"),
        "format": r.get("format"),
        "mediatype": r.get("mediatype"),
        "bytes": r.get("bytes"),
        "hash": r.get("hash"),
        "rows": r.get("rows"),
        "table": r.get("table"),
        "fields": r.get("fields") or [],
        "primary_key": r.get("primary_key") or [],
        "downloads": {k: urls.absolute(v) for k, v in (r.get("downloads") or {}).items()},
        "api": {"rows": urls.absolute(rows_url) if rows_url else None},
        "sql": urls.absolute(urls.sql_table(r["table"])) if r.get("table") else None,
    }


def native_dataset(
    d: dict[str, Any], publishers: dict[str, dict[str, Any]], lang: str, full: bool
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
        "title": d.get("title"),
        "description": d.get("description"),
        "keywords": d.get("keywords") or [],
        "themes": [theme_ref(c, lang) for c in d.get("themes") or []],
        "license": {
            "id": d.get("license_id"),
            "title": d.get("license"),
            "url": d.get("license_url"),
        },
        "frequency": {
            "code": d.get("frequency"),
            "label": label("frequencies", d["frequency"], lang),
        }
        if d.get("frequency")
        else None,
        "issued": d.get("issued"),
        "modified": d.get("modified"),
        "metadata_modified": modified,
        "page": urls.absolute(urls.dataset(d["publisher"], d["name"], lang)),
        "formats": sorted({r.get("format") for r in d.get("resources") or [] if r.get("format")}),
    }
    if full:
        found.update(
            {
                "metadata_created": created,
                "version": d.get("version"),
                "temporal": {"start": d.get("temporal_start"), "end": d.get("temporal_end")},
                "spatial": d.get("spatial"),
                "obligations": d.get("obligations") or [],
                "contact": {"name": d.get("contact_name"), "email": d.get("contact_email")},
                "sources": d.get("sources") or [],
                "readme": d.get("readme"),
                "status": d.get("status"),
                "download": urls.absolute(d["zip"]),
                "resources": [native_resource(d, r) for r in d.get("resources") or []],
            }
        )
    return found
