"""The static search index: one JSON file per language, read by ``assets/search.js``.

Each dataset is one compact record (title, description, keywords, column names
and its facet values); the facet labels of the language come with it. No
server is needed: the client filters, counts facets and sorts in the browser.
"""

from __future__ import annotations

from typing import Any

from catalog import territories
from catalog.metadata import label
from catalog.site.render import page_url

FACETS = ("publisher", "theme", "keyword", "format", "license", "territory", "frequency")


def record(item: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        "id": item["id"],
        "url": page_url(item["path"], lang),
        "title": item["title"],
        "description": item["description"],
        "keywords": item["keywords"],
        "columns": item["columns"],
        "modified": item["modified"],
        "quality": item["quality"],
        "publisher": [item["publisher"]],
        "theme": item["themes"],
        "keyword": item["keywords"],
        "format": item["formats"],
        "license": [item["license"]] if item["license"] else [],
        "territory": item["territories"],
        "frequency": [item["frequency"]] if item["frequency"] else [],
    }


def index(items: list[dict[str, Any]], publishers: dict[str, dict], lang: str) -> dict[str, Any]:
    """The whole index of one language: records and the labels of every facet value."""
    records = [record(item, lang) for item in items]
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
    return {"facets": list(FACETS), "labels": labels, "datasets": records}
