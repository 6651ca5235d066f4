"""The catalogue as ``/data.json``: DCAT-US 1.1, the Project Open Data metadata schema.

Harvesters built for data.gov (CKAN's ckanext-datajson, many US and Latin American
portals) read this file. Field names and formats follow
https://resources.data.gov/resources/dcat-us/ (schema v1.1): dates as ISO 8601,
``temporal`` as ``start/end``, ``accrualPeriodicity`` as an ISO 8601 repeating
duration (``R/P1Y``), e-mails as ``mailto:`` addresses.
"""

from __future__ import annotations

from typing import Any

from catalog import urls
from catalog.release.manifest import Manifest
from catalog.standards import facts

CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"
CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
FORMATS = {
    "CSV": "CSV",
    "GZIP": "CSV (gzip)",
    "JSON": "JSON",
    "PARQUET": "Parquet",
    "XLSX": "XLSX",
    "ZIP": "ZIP",
}


def document(manifests: list[Manifest], publishers: dict[str, dict], lang: str) -> dict[str, Any]:
    """The whole ``data.json`` catalogue, datasets sorted by identifier."""
    ordered = sorted(manifests, key=lambda m: m["dataset"])
    return {
        "@context": CONTEXT,
        "@id": urls.absolute(urls.DCAT_US),
        "@type": "dcat:Catalog",
        "conformsTo": CONFORMS_TO,
        "describedBy": DESCRIBED_BY,
        "dataset": [dataset(m, publishers, lang) for m in ordered],
    }


def dataset(manifest: Manifest, publishers: dict[str, dict], lang: str) -> dict[str, Any]:
    """One DCAT-US dataset: the required fields always, the others when the data has them."""
    publisher = publishers.get(manifest["publisher"])
    modified = facts.modified(manifest)
    name, email = facts.contact(manifest)
    email = email or facts.publisher_email(publisher)
    record: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "title": facts.title(manifest),
        "description": facts.description(manifest) or facts.title(manifest),
        "keyword": facts.keywords(manifest) or [facts.title(manifest)],
        "modified": modified.isoformat() if modified else None,
        "publisher": _organization(manifest["publisher"], publishers),
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": name or facts.publisher_name(manifest["publisher"], publisher),
            "hasEmail": f"mailto:{email}" if email else None,
        },
        "identifier": urls.ckan_id(manifest["dataset"]),
        "accessLevel": "public",
        "license": facts.license_url(manifest),
        "spatial": _spatial(manifest, publisher),
        "temporal": _temporal(manifest),
        "accrualPeriodicity": _periodicity(manifest),
        "issued": _iso(facts.issued(manifest)),
        "language": ["es"],
        "landingPage": facts.page(manifest, lang),
        "theme": [t["label"].get(lang, t["label"]["es"]) for t in facts.themes(manifest)],
        "distribution": [_distribution(d) for d in facts.downloads(manifest, lang)],
    }
    return _without_empty(record)


def _organization(slug: str, publishers: dict[str, dict], depth: int = 0) -> dict[str, Any]:
    """The publisher and, as ``subOrganizationOf``, its parent body (a few levels up)."""
    publisher = publishers.get(slug)
    organization: dict[str, Any] = {
        "@type": "org:Organization",
        "name": facts.publisher_name(slug, publisher),
    }
    parent = (publisher or {}).get("parent")
    if isinstance(parent, str) and parent and parent != slug and depth < 3:
        organization["subOrganizationOf"] = _organization(parent, publishers, depth + 1)
    return organization


def _distribution(download: facts.Download) -> dict[str, Any]:
    return {
        "@type": "dcat:Distribution",
        "title": download.title,
        "downloadURL": download.url,
        "mediaType": download.media_type,
        "format": FORMATS[download.file_type],
    }


def _spatial(manifest: Manifest, publisher: dict | None) -> str:
    """Place names, most specific first, or the country when the data is national."""
    names = [facts.place_name(code) for code in facts.declared_territories(manifest, publisher)]
    country = facts.country_name(facts.country(manifest, publisher), "es")
    return "; ".join(f"{name}, {country}" for name in names) if names else country


def _temporal(manifest: Manifest) -> str | None:
    start, end = facts.period(manifest)
    if not start:
        return None
    return f"{start.isoformat()}/{(end or start).isoformat()}"


def _periodicity(manifest: Manifest) -> str | None:
    """``R/P1Y`` for a regular frequency, ``irregular`` otherwise; none for data that is
    never updated (DCAT-US has no term for it)."""
    found = facts.frequency(manifest)
    if not found or found["code"] == "never":
        return None
    return f"R/{found['period']}" if found.get("period") else "irregular"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    """DCAT-US leaves out a field it has no value for rather than writing null."""
    cleaned = {}
    for key, value in record.items():
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if v not in (None, "", [])}
        if value not in (None, "", [], {}):
            cleaned[key] = value
    return cleaned
