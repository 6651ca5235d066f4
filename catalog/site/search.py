"""The static search index: one JSON file per language, read by ``assets/search.js``.

Each dataset is one compact record: what a result shows (title, short description,
date, quality), its facet values, and ``terms``, the stems search matches and their
weights, made from its title, keywords, description, publisher, resources and columns
by ``catalog.textnorm``, the rule the API's search uses. The index also carries the
stop words; ``search.js`` normalises and stems the query by the same rule. No server
is needed: the client matches, counts facets and sorts in the browser.
"""

from __future__ import annotations

from typing import Any

from catalog import territories, textnorm
from catalog.release.manifest import Manifest
from catalog.site.render import page_url
from catalog.vocabularies import label

FACETS = ("publisher", "theme", "keyword", "format", "license", "territory", "frequency")


def search_texts(manifest: Manifest, publisher: dict[str, Any] | None) -> dict[str, str]:
    """What search reads of a published dataset (``textnorm.dataset_texts``)."""
    package = manifest["package"]
    resources = [r for r in package.get("resources") or [] if isinstance(r, dict)]
    return textnorm.dataset_texts(
        title=str(package.get("title") or ""),
        keywords=package.get("keywords") or [],
        description=str(package.get("description") or ""),
        publisher=publisher,
        resources=[
            {
                "title": r.get("title"),
                "description": r.get("description"),
                "fields": r["schema"].get("fields") if isinstance(r.get("schema"), dict) else None,
            }
            for r in resources
        ],
    )


def record(item: dict[str, Any], texts: dict[str, str], lang: str) -> dict[str, Any]:
    weighted = textnorm.weighted_terms(texts)
    return {
        "id": item["id"],
        "url": page_url(item["path"], lang),
        "title": item["title"],
        "description": item["description"],
        "modified": item["modified"],
        "quality": item["quality"],
        "terms": {t: int(w) if w.is_integer() else w for t, w in sorted(weighted.items())},
        "publisher": [item["publisher"]],
        "theme": item["themes"],
        "keyword": item["keywords"],
        "format": item["formats"],
        "license": [item["license"]] if item["license"] else [],
        "territory": item["territories"],
        "frequency": [item["frequency"]] if item["frequency"] else [],
    }


def index(
    items: list[dict[str, Any]],
    manifests: dict[str, Manifest],
    publishers: dict[str, dict],
    lang: str,
) -> dict[str, Any]:
    """The whole index of one language: records, the labels of every facet value and the
    stop words; ``manifests`` maps each item's id to its build manifest."""
    records = [
        record(
            item,
            search_texts(manifests[item["id"]], publishers.get(item["publisher"])),
            lang,
        )
        for item in items
    ]
    values: dict[str, set[str]] = {facet: set() for facet in FACETS}
    for rec in records:
        for facet in FACETS:
            values[facet].update(rec[facet])
    labels = {
        "publisher": {
            s: str((publishers.get(s) or {}).get("name") or s) for s in values["publisher"]
        },
        "theme": {c: label("themes", c, lang) for c in values["theme"]},
        "license": {c: label("licenses", c, lang) for c in values["license"]},
        "frequency": {c: label("frequencies", c, lang) for c in values["frequency"]},
        "territory": {c: territories.name(c) or c for c in values["territory"]},
        "format": {c: c.upper() for c in values["format"]},
    }
    return {
        "facets": list(FACETS),
        "labels": labels,
        "stopwords": sorted(textnorm.STOPWORDS),
        "datasets": records,
    }
