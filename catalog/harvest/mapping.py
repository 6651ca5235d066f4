"""From another portal's description of a dataset to this catalogue's content.

Every source (CKAN, DCAT-US ``data.json``, DCAT-AP) is first read into ``Record``s, plain
and source-neutral; this module turns a record into a publisher file and a Data Package
descriptor in the catalogue's vocabularies: licences (CKAN ``license_id``, licence URLs),
themes (CKAN groups, DCAT theme URIs, theme labels), update frequencies (codes, EU
frequency URIs, ISO 8601 periods), keywords from tags. What cannot be mapped is said in
words, so the harvest log tells the operator what to add to the mapping file.

The mapping file (``--map FILE``, YAML) renames and fills in::

    publishers:            # source organisation (name or title) -> publisher slug, or more
      ministerio-de-salud: mspas
      otra-org: {slug: otra, kind: ministry, email: datos@otra.gob.gt}
    licenses:              # source licence id, title or URL -> licence code
      other-at: CC-BY-4.0
    themes:                # source group / theme (name, title or URI) -> theme code
      salud: HEAL
    defaults:              # used when the source says nothing
      theme: GOVE
      frequency: irregular
      license: CC-BY-4.0
      kind: other
      country: GT
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from catalog.content import SLUG, is_slug, read_yaml
from catalog.errors import CatalogError
from catalog.i18n import _
from catalog.jurisdictions import jurisdictions
from catalog.metadata import check_publisher
from catalog.vocabularies import codes, vocabulary

TABULAR = ("csv", "xlsx")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")

# CKAN's licence ids (ckan/model/license.py) and common variants -> licence codes.
CKAN_LICENSES = {
    "cc-by": "CC-BY-4.0",
    "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa": "CC-BY-SA-4.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "cc-zero": "CC0-1.0",
    "cc0": "CC0-1.0",
    "cc0-1.0": "CC0-1.0",
    "odc-odbl": "ODbL-1.0",
    "odbl": "ODbL-1.0",
    "odc-pddl": "PDDL-1.0",
    "pddl": "PDDL-1.0",
    "odc-by": "ODC-By-1.0",
}

# EU frequency authority table and ISO 8601 repeating periods -> frequency codes.
FREQUENCIES = {
    "annual": "annual",
    "semiannual": "semiannual",
    "annual_2": "semiannual",
    "quarterly": "quarterly",
    "monthly": "monthly",
    "weekly": "weekly",
    "daily": "daily",
    "irreg": "irregular",
    "irregular": "irregular",
    "never": "never",
    "r/p1y": "annual",
    "r/p6m": "semiannual",
    "r/p3m": "quarterly",
    "r/p1m": "monthly",
    "r/p1w": "weekly",
    "r/p1d": "daily",
    "anual": "annual",
    "semestral": "semiannual",
    "trimestral": "quarterly",
    "mensual": "monthly",
    "semanal": "weekly",
    "diaria": "daily",
}


@dataclass
class PublisherRecord:
    """An organisation as a source describes it."""

    key: str  # its name in the source (CKAN organisation name, DCAT acronym or name)
    title: str
    email: str = ""
    description: str = ""
    website: str = ""
    kind: str = ""


@dataclass
class ResourceRecord:
    title: str
    url: str
    format: str = ""
    mediatype: str = ""
    description: str = ""
    schema: dict[str, Any] | None = None


@dataclass
class Record:
    """One dataset as a source describes it, before mapping."""

    source_id: str
    name: str
    title: str
    publisher: PublisherRecord
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)  # group names, titles or theme URIs
    licenses: list[str] = field(default_factory=list)  # ids, titles or URLs
    frequency: str = ""
    contact_name: str = ""
    contact_email: str = ""
    version: str = ""
    issued: str = ""
    modified: str = ""
    landing_page: str = ""
    source_modified: str = ""  # CKAN metadata_modified: what incremental runs compare
    resources: list[ResourceRecord] = field(default_factory=list)

    def fingerprint(self) -> str:
        """Changes whenever anything the source says of the dataset changes."""
        text = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Refusal(Exception):
    """A dataset that is not harvested: ``code`` for the log, ``text`` (msgid) in words."""

    def __init__(self, code: str, text: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.text = text
        self.params = params


class MappingError(CatalogError):
    """The mapping file cannot be used (a usage error)."""


# ---------------------------------------------------------------- text helpers


def fold(text: str) -> str:
    """Lower case without accents, for comparing labels."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def slugify(text: str, limit: int = 80) -> str:
    """A slug (lowercase letters, digits, '-') made from any text; '' when nothing is left."""
    slug = re.sub(r"[^a-z0-9_]+", "-", fold(text)).strip("-_")
    slug = slug[:limit].strip("-_")
    return slug if SLUG.match(slug) else ""


def date_of(value: str) -> str:
    """The YYYY-MM-DD part of an ISO date or timestamp, or ''."""
    found = re.match(r"^\s*(\d{4}-\d{2}-\d{2})", value or "")
    return found.group(1) if found else ""


# ---------------------------------------------------------------- the mapping file


@dataclass
class Mapping:
    publishers: dict[str, dict[str, Any]] = field(default_factory=dict)
    licenses: dict[str, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)


def load_mapping(path: Path | None) -> Mapping:
    """The operator's mapping file, checked; an empty mapping without one."""
    if path is None:
        return Mapping()
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise MappingError(
            _("The mapping file {path} must be a YAML mapping."),
            _("See docs/harvesting.md, 'Mapping'."),
            path=str(path),
        )
    mapping = Mapping()
    for key, value in (data.get("publishers") or {}).items():
        entry = {"slug": value} if isinstance(value, str) else value
        if not isinstance(entry, dict) or not is_slug(entry.get("slug")):
            raise MappingError(
                _('The publisher "{key}" of the mapping file needs a valid "slug".'),
                _('Use lowercase letters, digits, "-" and "_", e.g. mides.'),
                key=str(key),
            )
        mapping.publishers[fold(str(key))] = entry
    for section, vocab in (("licenses", "licenses"), ("themes", "themes")):
        for key, value in (data.get(section) or {}).items():
            if value not in codes(vocab):
                raise MappingError(
                    _('"{value}" in the section {section} of the mapping file is not a code.'),
                    _("Use codes from catalog/vocabularies/{vocabulary}.yaml."),
                    value=str(value),
                    section=section,
                    vocabulary=vocab,
                )
            getattr(mapping, section)[fold(str(key))] = value
    defaults = data.get("defaults") or {}
    checks = {
        "theme": codes("themes"),
        "frequency": codes("frequencies"),
        "license": codes("licenses"),
        "kind": codes("publisher_kinds"),
        "country": jurisdictions(),
    }
    for key, value in defaults.items():
        if key not in checks or value not in checks[key]:
            raise MappingError(
                _('The default "{key}: {value}" of the mapping file is not known.'),
                _(
                    "Defaults: theme, frequency, license, kind, country, with codes of the catalogue."
                ),
                key=str(key),
                value=str(value),
            )
        mapping.defaults[key] = str(value)
    return mapping


# ---------------------------------------------------------------- vocabularies


def map_license(values: list[str], mapping: Mapping) -> str | None:
    """The licence code for what the source says (id, title or URL), or None."""
    entries = vocabulary("licenses")
    for raw in values:
        key = fold(raw)
        if not key:
            continue
        if key in mapping.licenses:
            return mapping.licenses[key]
        if key in CKAN_LICENSES:
            return CKAN_LICENSES[key]
        for item in entries:
            url = str(item.get("url", "")).rstrip("/")
            if key in (fold(item["code"]), fold(str(item.get("title", "")))) or (
                url and key.rstrip("/").replace("http://", "https://") == fold(url)
            ):
                return str(item["code"])
    return mapping.defaults.get("license")


def map_themes(values: list[str], mapping: Mapping) -> list[str]:
    """Theme codes for the source's groups or themes that match the vocabulary."""
    found: list[str] = []
    entries = vocabulary("themes")
    for raw in values:
        key = fold(raw)
        code = mapping.themes.get(key)
        for item in entries if code is None else []:
            labels = {fold(v) for v in item.get("label", {}).values()}
            if key in (fold(item["code"]), fold(str(item.get("uri", "")))) or key in labels:
                code = str(item["code"])
                break
        if code and code not in found:
            found.append(code)
    if not found and mapping.defaults.get("theme"):
        found.append(mapping.defaults["theme"])
    return found


def map_frequency(value: str, mapping: Mapping) -> str:
    key = fold(value).rsplit("/", 1)[-1] if "://" in value else fold(value)
    return FREQUENCIES.get(key) or mapping.defaults.get("frequency") or "irregular"


def tabular_format(resource: ResourceRecord) -> str | None:
    """``csv`` or ``xlsx`` when the resource is one, from its format, media type or URL."""
    fmt = fold(resource.format).rsplit("/", 1)[-1]
    media = fold(resource.mediatype)
    path = fold(resource.url.split("?", 1)[0].split("#", 1)[0])
    if fmt in ("csv", "text/csv") or "csv" in media or (not fmt and path.endswith(".csv")):
        return "csv"
    if fmt in ("xlsx", "excel", "ms excel") or "spreadsheetml" in media:
        return "xlsx"
    if not fmt and path.endswith(".xlsx"):
        return "xlsx"
    return None


# ---------------------------------------------------------------- publishers


def publisher_slug(record: PublisherRecord, mapping: Mapping) -> str:
    for key in (record.key, record.title):
        entry = mapping.publishers.get(fold(key))
        if entry:
            return str(entry["slug"])
    return slugify(record.key) or slugify(record.title)


def publisher_file(record: PublisherRecord, slug: str, email: str, mapping: Mapping) -> dict:
    """The content of ``publishers/<slug>.yaml`` for an organisation seen for the first time."""
    extra = mapping.publishers.get(fold(record.key)) or mapping.publishers.get(fold(record.title))
    extra = dict(extra or {})
    kind = extra.get("kind") or record.kind
    if kind not in codes("publisher_kinds"):
        kind = mapping.defaults.get("kind", "other")
    data: dict[str, Any] = {
        "name": extra.get("name") or record.title or slug,
        "kind": kind,
        "jurisdiction": {"country": mapping.defaults.get("country", "GT")},
        "email": extra.get("email") or email,
    }
    if record.description:
        data["description"] = record.description
    if record.website.startswith(("http://", "https://")):
        data["website"] = record.website
    if check_publisher(data, slug):  # e.g. a municipality without its INE codes
        data["kind"] = mapping.defaults.get("kind", "other")
    if check_publisher(data, slug):
        data["kind"] = "other"
    problems = check_publisher(data, slug)
    if problems:  # the finding's own words, translated when the log is written
        raise Refusal("publisher", problems[0].text, **problems[0].params)
    return data


# ---------------------------------------------------------------- descriptors


def descriptor(
    record: Record, publisher: str, name: str, resources: list[dict[str, Any]], mapping: Mapping
) -> dict[str, Any]:
    """The ``datapackage.json`` of a harvested dataset (resources already downloaded).
    Raises Refusal when the catalogue's required metadata cannot be filled in."""
    licence = map_license(record.licenses, mapping)
    if licence is None:
        raise Refusal(
            "license",
            _('The licence "{value}" is not one of the catalogue\'s licences.'),
            value=", ".join(record.licenses) or "-",
        )
    themes = map_themes(record.themes, mapping)
    if not themes:
        raise Refusal(
            "themes",
            _("None of its groups or themes ({value}) is a theme of the catalogue."),
            value=", ".join(record.themes) or "-",
        )
    emails = (record.contact_email.strip(), record.publisher.email.strip())
    email = next((e for e in emails if EMAIL.match(e)), "")
    if not email:
        raise Refusal("contact", _("It has no contact e-mail address."))
    modified = date_of(record.modified) or date_of(record.source_modified)
    issued = date_of(record.issued) or modified
    if not modified:
        raise Refusal("dates", _("It gives no date of last modification."))
    if issued > modified:
        issued = modified
    entry = next(e for e in vocabulary("licenses") if e["code"] == licence)
    keywords = [k.strip() for k in record.keywords if isinstance(k, str) and k.strip()]
    package: dict[str, Any] = {
        "name": name,
        "title": record.title.strip() or name,
        "description": record.description.strip() or record.title.strip(),
        "publisher": publisher,
        "keywords": list(dict.fromkeys(keywords)) or [record.title.strip() or name],
        "themes": themes,
        "licenses": [{"name": licence, "title": entry.get("title"), "path": entry.get("url")}],
        "frequency": map_frequency(record.frequency, mapping),
        "contactPoint": {
            "name": record.contact_name.strip() or record.publisher.title or publisher,
            "email": email,
        },
        "version": record.version.strip() or modified,
        "issued": issued,
        "modified": modified,
        "resources": resources,
    }
    if record.landing_page.startswith(("http://", "https://")):
        package["sources"] = [{"title": record.title.strip() or name, "path": record.landing_page}]
    return package
