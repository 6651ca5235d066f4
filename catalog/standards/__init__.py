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

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from catalog import urls
from catalog.i18n import normalize_lang
from catalog.release.manifest import Manifest
from catalog.standards import datajson, dcat, facts, feeds, robots, schemaorg, sitemap
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
    previous: Path | None = None,
    version: str = "",
) -> list[Path]:
    """Write every catalogue-wide document into ``site_dir``; returns the paths written.

    ``lang`` is the language of the documents' own texts (feed titles, distribution
    titles) and of the page links in the feeds; dataset metadata stays as published.
    ``coverage`` optionally maps a dataset id to the INE codes of the territories it
    covers (as its territory pages show them); without it, a dataset covers what its
    ``spatial`` declares. Territory feeds and the sitemap's dates follow it.
    ``indicators`` are the ids of the indicators the site has pages for (the sitemap
    lists them; by default every valid one the datasets declare).
    ``previous`` is the previous release's site folder and ``version`` the code's: the
    DCAT pages of a paged catalogue that did not change are linked from there.
    """
    lang = normalize_lang(lang)
    site_dir.mkdir(parents=True, exist_ok=True)
    written = _dcat(site_dir, manifests, publishers, lang, previous, version)
    written.append(
        _write(site_dir, urls.DCAT_US, _json(datajson.document(manifests, publishers, lang)))
    )
    written += feeds.write_feeds(site_dir, manifests, publishers, lang, coverage)
    written += sitemap.write_sitemaps(site_dir, manifests, publishers, coverage, indicators)
    written.append(_write(site_dir, urls.ROBOTS, robots.robots()))
    return written


def _dcat(
    site_dir: Path,
    manifests: list[Manifest],
    publishers: dict[str, dict],
    lang: str,
    previous: Path | None,
    version: str,
) -> list[Path]:
    """DCAT-AP as Turtle and JSON-LD: the whole catalogue up to ``dcat.PAGE_SIZE``
    datasets; beyond, Hydra pages (``/catalog/page-N.ttl``), ``/catalog.ttl`` being
    the first (docs/api.md, "Paged DCAT"). A page whose key (its datasets, their
    publishers, what the catalogue node says, ``version``: the code's) is the same in
    the ``previous`` site folder is linked from there, not described again."""
    pages = dcat.page_count(len(manifests))
    if pages == 1:
        graph = dcat.graph(manifests, publishers, lang)
        return [
            _write(site_dir, urls.DCAT_TURTLE, dcat.turtle(graph)),
            _write(site_dir, urls.DCAT_JSONLD, dcat.jsonld(graph)),
        ]
    ordered = sorted(manifests, key=lambda m: m["dataset"])
    issued = min((d for d in map(facts.issued, manifests) if d), default=None)
    common = [version, urls.base_url(), lang, len(ordered), facts.newest(manifests), issued]
    common += [facts.portal_name(code) for code in ("es", "en")] + [facts.portal_publisher(lang)]
    old = _state(previous) if previous and version else {}
    state: dict[str, str] = {}
    written = []
    size = dcat.PAGE_SIZE
    for page in range(1, pages + 1):
        chunk = ordered[(page - 1) * size : page * size]
        slugs = sorted({m["publisher"] for m in chunk})
        data = [common, chunk, [publishers.get(s) for s in slugs]]
        key = hashlib.sha256(
            json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()
        paths = {ext: dcat.page_path(page, ext) for ext in ("ttl", "jsonld")}
        reuse = previous is not None and all(
            old.get(p) == key and (previous / p.lstrip("/")).is_file() for p in paths.values()
        )
        graphs = {} if reuse else dcat.paged_graphs(manifests, publishers, lang, page)
        for ext, path in paths.items():
            target = site_dir / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if reuse and previous is not None:
                _link(previous / path.lstrip("/"), target)
            else:
                serialise = dcat.turtle if ext == "ttl" else dcat.jsonld
                target.write_text(serialise(graphs[ext]), encoding="utf-8")
            state[path] = key
            written.append(target)
            if page == 1:
                whole = site_dir / (urls.DCAT_TURTLE if ext == "ttl" else urls.DCAT_JSONLD)[1:]
                _link(target, whole)
                written.append(whole)
    _state_path(site_dir).write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
    return written


def _state_path(site_dir: Path) -> Path:
    """The keys of the DCAT pages, beside the site folder (not served)."""
    return site_dir.with_name(site_dir.name + "-dcat.json")


def _state(previous: Path) -> dict[str, str]:
    try:
        found = json.loads(_state_path(previous).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _link(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system: copy instead
        shutil.copyfile(source, target)


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
