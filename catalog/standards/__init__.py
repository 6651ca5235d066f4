"""Open-metadata standards of the catalogue: what harvesters, feed readers and search
engines read.

``write_documents`` writes the catalogue-wide documents into the site folder
(DCAT-AP 3 as ``/catalog.ttl`` and ``/catalog.jsonld``, DCAT-US 1.1 as
``/data.json``, the Atom feeds under ``/feeds/``, ``/sitemap.xml`` and
``/robots.txt``); ``schema_org`` gives the schema.org JSON-LD of one dataset page.
All are pure functions of the build manifests, the publishers and the base URL
(``CATALOG_BASE_URL``): the same catalogue always gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalog import urls
from catalog.i18n import normalize_lang
from catalog.release.manifest import Manifest
from catalog.standards import datajson, dcat, feeds, robots, schemaorg, sitemap
from catalog.standards.facts import territory_codes
from catalog.standards.schemaorg import script as jsonld_script

__all__ = ["jsonld_script", "schema_org", "territory_codes", "write_documents"]


def write_documents(
    site_dir: Path,
    manifests: list[Manifest],
    publishers: dict[str, dict],
    lang: str,
    *,
    coverage: dict[str, list[str]] | None = None,
    indicators: list[str] | None = None,
) -> list[Path]:
    """Write every catalogue-wide document into ``site_dir``; returns the paths written.

    ``lang`` is the language of the documents' own texts (feed titles, distribution
    titles) and of the page links in the feeds; dataset metadata stays as published.
    ``coverage`` optionally maps a dataset id to the INE codes of the territories it
    covers (as its territory pages show them); without it, a dataset covers what its
    ``spatial`` declares. Territory feeds and the sitemap's dates follow it.
    ``indicators`` are the ids of the indicators the site has pages for (the sitemap
    lists them; by default every valid one the datasets declare).
    """
    lang = normalize_lang(lang)
    site_dir.mkdir(parents=True, exist_ok=True)
    written = _dcat(site_dir, manifests, publishers, lang)
    written.append(
        _write(site_dir, urls.DCAT_US, _json(datajson.document(manifests, publishers, lang)))
    )
    written += feeds.write_feeds(site_dir, manifests, publishers, lang, coverage)
    written += sitemap.write_sitemaps(site_dir, manifests, publishers, coverage, indicators)
    written.append(_write(site_dir, urls.ROBOTS, robots.robots()))
    return written


def _dcat(
    site_dir: Path, manifests: list[Manifest], publishers: dict[str, dict], lang: str
) -> list[Path]:
    """DCAT-AP as Turtle and JSON-LD: the whole catalogue up to ``dcat.PAGE_SIZE``
    datasets; beyond, Hydra pages (``/catalog/page-N.ttl``), ``/catalog.ttl`` being
    the first (docs/api.md, "Paged DCAT")."""
    pages = dcat.page_count(len(manifests))
    if pages == 1:
        graph = dcat.graph(manifests, publishers, lang)
        return [
            _write(site_dir, urls.DCAT_TURTLE, dcat.turtle(graph)),
            _write(site_dir, urls.DCAT_JSONLD, dcat.jsonld(graph)),
        ]
    written = []
    for ext, path, serialise in (
        ("ttl", urls.DCAT_TURTLE, dcat.turtle),
        ("jsonld", urls.DCAT_JSONLD, dcat.jsonld),
    ):
        for page in range(1, pages + 1):
            text = serialise(dcat.paged_graph(manifests, publishers, lang, page, ext))
            written.append(_write(site_dir, dcat.page_path(page, ext), text))
            if page == 1:
                written.append(_write(site_dir, path, text))
    return written


def schema_org(manifest: Manifest, publisher: dict, lang: str) -> dict[str, Any]:
    """The schema.org ``Dataset`` JSON-LD of a dataset page in ``lang``; embed it with
    ``jsonld_script(...)`` so nothing in it can close the ``<script>`` element."""
    return schemaorg.dataset(manifest, publisher, normalize_lang(lang))


def _write(site_dir: Path, path: str, text: str) -> Path:
    target = site_dir / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
