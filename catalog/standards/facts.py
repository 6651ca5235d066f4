"""What every open-metadata standard says about a dataset, read once from its manifest.

DCAT-AP, DCAT-US, schema.org, the feeds and the sitemap describe the same facts in
different vocabularies: the dataset's identifier and page, its downloads and their
media types, its licence, update frequency, dates, temporal and spatial coverage.
This module reads those facts from a build manifest (see docs/architecture.md,
"Content model") so each standard only maps them to its own terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.core import get_global

from catalog import territories, urls
from catalog.i18n import _, translate
from catalog.jurisdictions import DEFAULT_JURISDICTION, jurisdiction
from catalog.release.manifest import Manifest
from catalog.vocabularies import entry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
DEFAULT_COUNTRY = DEFAULT_JURISDICTION

# Characters XML 1.0 forbids (control characters other than tab and line breaks, lone
# surrogates, U+FFFE/U+FFFF): a title carrying one would make a feed or sitemap unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Download:
    """One downloadable file of a dataset."""

    url: str  # absolute
    media_type: str  # IANA media type
    file_type: str  # EU file-type code (CSV, JSON, XLSX, ZIP)
    title: str
    resource: str | None  # None for the whole Data Package


# (kind of urls.download, media type, EU file type, label; format names need no translation)
# Which of them a table has depends on its size (urls.download_kinds).
KINDS = (
    ("csv", "text/csv", "CSV", _("CSV, UTF-8")),
    ("csv.gz", "application/gzip", "GZIP", _("CSV, UTF-8, gzip-compressed")),
    ("excel.csv", "text/csv", "CSV", _("CSV for Excel")),
    ("parquet", "application/vnd.apache.parquet", "PARQUET", "Parquet"),
    ("json", "application/json", "JSON", "JSON"),
    ("ndjson", "application/x-ndjson", "JSON", "NDJSON"),
    ("xlsx", XLSX, "XLSX", "XLSX"),
)


def clean(text: object) -> str:
    """Text safe for every output format: no characters XML cannot carry, trimmed."""
    return _NOT_XML.sub("", str(text or "")).strip()


def page(manifest: Manifest, lang: str | None = None) -> str:
    """The absolute address of the dataset's page in ``lang``."""
    return urls.absolute(urls.dataset(manifest["publisher"], manifest["name"], lang))


def title(manifest: Manifest) -> str:
    return clean(manifest["package"].get("title")) or manifest["dataset"]


def description(manifest: Manifest) -> str:
    return clean(manifest["package"].get("description"))


def keywords(manifest: Manifest) -> list[str]:
    words = manifest["package"].get("keywords") or []
    return [clean(w) for w in words if isinstance(w, str) and clean(w)]


def themes(manifest: Manifest) -> list[dict[str, Any]]:
    """The dataset's theme entries of catalog/vocabularies/themes.yaml, in its order."""
    found = (entry("themes", code) for code in manifest["package"].get("themes") or [])
    return [theme for theme in found if theme]


def downloads(manifest: Manifest, lang: str | None = None) -> list[Download]:
    """Every published download: those of each published table, then the whole package."""
    pub, name = manifest["publisher"], manifest["name"]
    resources = {
        r.get("name"): r for r in manifest["package"].get("resources") or [] if isinstance(r, dict)
    }
    files = []
    for table in manifest.get("tables") or []:
        resource = table["resource"]
        label = clean(table.get("title") or resources.get(resource, {}).get("title")) or resource
        offered = urls.download_kinds(int(table.get("rows") or 0))
        for kind, media_type, file_type, kind_label in KINDS:
            if kind not in offered:
                continue
            files.append(
                Download(
                    url=urls.absolute(urls.download(pub, name, resource, kind)),
                    media_type=media_type,
                    file_type=file_type,
                    title=translate(
                        _("{title} ({format})"),
                        lang,
                        title=label,
                        format=translate(kind_label, lang),
                    ),
                    resource=resource,
                )
            )
    files.append(
        Download(
            url=urls.absolute(urls.package_zip(pub, name)),
            media_type="application/zip",
            file_type="ZIP",
            title=translate(_("Whole Data Package (ZIP)"), lang),
            resource=None,
        )
    )
    return files


def license_url(manifest: Manifest) -> str | None:
    """The address of the dataset's (first) licence, from the package or the vocabulary."""
    licenses = manifest["package"].get("licenses") or []
    first = licenses[0] if licenses and isinstance(licenses[0], dict) else {}
    known = entry("licenses", first["name"]) if isinstance(first.get("name"), str) else None
    found = first.get("path") or (known or {}).get("url")
    return found if isinstance(found, str) and found.startswith(("http://", "https://")) else None


def license_title(manifest: Manifest, lang: str | None = None) -> str | None:
    licenses = manifest["package"].get("licenses") or []
    first = licenses[0] if licenses and isinstance(licenses[0], dict) else {}
    known = entry("licenses", first["name"]) if isinstance(first.get("name"), str) else None
    if known:
        return known["label"].get(lang or "es", known["label"]["es"])
    return clean(first.get("title") or first.get("name")) or None


def frequency(manifest: Manifest) -> dict[str, Any] | None:
    """The entry of catalog/vocabularies/frequencies.yaml (uri, period, label)."""
    code = manifest["package"].get("frequency")
    return entry("frequencies", code) if isinstance(code, str) else None


def day(value: object) -> date | None:
    """The calendar day of an ISO date or date-time (None when it is not one)."""
    try:
        return _day(value)  # the same few days, asked for hundreds of thousands of times
    except TypeError:  # unhashable: not a date anyway
        return _parse_day(value)


@lru_cache(maxsize=4096)
def _day(value: object) -> date | None:
    return _parse_day(value)


def _parse_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def moment(value: date) -> datetime:
    """Midnight UTC of a day: feeds need a time, the catalogue only knows days."""
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def modified(manifest: Manifest) -> date | None:
    package = manifest["package"]
    return day(package.get("modified")) or day(package.get("issued"))


def issued(manifest: Manifest) -> date | None:
    return day(manifest["package"].get("issued"))


def period(manifest: Manifest) -> tuple[date | None, date | None]:
    temporal = manifest["package"].get("temporal")
    if not isinstance(temporal, dict):
        return None, None
    return day(temporal.get("start")), day(temporal.get("end"))


def country(manifest: Manifest, publisher: dict[str, Any] | None = None) -> str:
    """The country of the data: its ``spatial.country``, else its publisher's
    ``jurisdiction.country`` (``publisher``: the publisher's YAML), else the portal's."""
    return territories.dataset_country(manifest["package"], publisher)


@lru_cache(maxsize=64)
def country_uri(code: str) -> str:
    """The EU country authority URI (ISO 3166-1 alpha-3), e.g. .../country/GTM."""
    alpha3 = next(
        (k for k, v in get_global("territory_aliases").items() if v == [code] and k.isalpha()),
        code,
    )
    return COUNTRY + alpha3


@lru_cache(maxsize=64)
def country_name(code: str, lang: str | None = None) -> str:
    try:
        return Locale(lang or "es").territories.get(code) or code
    except ValueError:
        return code


def declared_territories(manifest: Manifest, publisher: dict[str, Any] | None = None) -> list[str]:
    """The territory keys the dataset declares in ``spatial``: departments, then
    municipalities, codes of its country (``country``)."""
    spatial = manifest["package"].get("spatial")
    where = country(manifest, publisher)
    if not isinstance(spatial, dict) or where not in territories.countries():
        return []
    codes = [
        territories.key(c, where)
        for prop, level in (("departments", "department"), ("municipalities", "municipality"))
        for c in spatial.get(prop) or []
        if territories.level(c, where) == level
    ]
    return list(dict.fromkeys(codes))


def territory_codes(manifest: Manifest) -> list[str]:
    """Every territory whose feed lists the dataset: the departments and municipalities it
    declares, plus the department of each municipality (data about Cobán is news for Alta
    Verapaz). Sorted by INE code."""
    codes = set(declared_territories(manifest))
    departments = (territories.department_of(c) for c in codes)
    codes |= {d for d in departments if d}
    return sorted(c for c in codes if c)


def covered(manifest: Manifest, coverage: dict[str, list[str]] | None = None) -> list[str]:
    """The territories of ``manifest``: from ``coverage`` (dataset id -> INE codes, e.g. what
    the site build found in the data's territory columns) when it knows the dataset,
    else from its declared ``spatial`` (``territory_codes``)."""
    if coverage is not None and manifest["dataset"] in coverage:
        return sorted(coverage[manifest["dataset"]])
    return territory_codes(manifest)


def place_name(code: str) -> str:
    """``Cobán, Alta Verapaz`` for a municipality, ``Alta Verapaz`` for a department."""
    name = territories.name(code) or code
    department = territories.department_of(code)
    return f"{name}, {territories.name(department)}" if department else name


def publisher_name(slug: str, publisher: dict[str, Any] | None) -> str:
    return clean((publisher or {}).get("name")) or slug


def publisher_email(publisher: dict[str, Any] | None) -> str | None:
    email = (publisher or {}).get("email")
    return clean(email) if isinstance(email, str) and "@" in email else None


def publisher_website(publisher: dict[str, Any] | None) -> str | None:
    site = (publisher or {}).get("website")
    return site if isinstance(site, str) and site.startswith(("http://", "https://")) else None


def contact(manifest: Manifest) -> tuple[str | None, str | None]:
    point = manifest["package"].get("contactPoint")
    if not isinstance(point, dict):
        return None, None
    email = point.get("email")
    email = clean(email) if isinstance(email, str) and "@" in email else None
    return clean(point.get("name")) or None, email


@lru_cache(maxsize=8)
def portal_name(lang: str | None = None) -> str:
    """The catalogue's name, e.g. "Catálogo de datos abiertos de Guatemala"."""
    profile = jurisdiction()
    country = profile.get("name", {}).get(lang or "es") or profile.get("code", "")
    return translate(_("Open data catalogue of {country}"), lang, country=country)


@lru_cache(maxsize=8)
def portal_publisher(lang: str | None = None) -> str:
    """Who publishes the catalogue as a whole: the government of the default jurisdiction."""
    profile = jurisdiction()
    country = profile.get("name", {}).get(lang or "es") or profile.get("code", "")
    return translate(_("Government of {country}"), lang, country=country)


def newest(manifests: list[Manifest]) -> date | None:
    days = [d for d in (modified(m) for m in manifests) if d]
    return max(days) if days else None


def by_recency(manifests: list[Manifest]) -> list[Manifest]:
    """Newest modification first; ties by dataset id, so the order never depends on input."""
    ordered = sorted(manifests, key=lambda m: m["dataset"])
    return sorted(ordered, key=lambda m: modified(m) or date.min, reverse=True)
