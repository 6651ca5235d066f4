"""``/sitemap.xml``: every page of the site, in Spanish and English, for search engines.

Each page is listed once per language with ``xhtml:link`` alternates pointing to
both versions (and ``x-default`` to the Spanish one), as search engines expect for
translated sites. ``lastmod`` is the newest modification among the datasets a page
shows. Past 50,000 addresses (the protocol's limit per file) ``sitemap.xml``
becomes a sitemap index over ``sitemap-1.xml``, ``sitemap-2.xml`` ...
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from catalog import territories, urls
from catalog.i18n import LANGUAGES
from catalog.indicators.declaration import declared
from catalog.itportfolio.derived import NAME as DASHBOARD_DATASET
from catalog.release.manifest import Manifest
from catalog.standards import facts
from catalog.vocabularies import codes

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
MAX_URLS = 50_000
# The site's lists and fixed information pages (Spanish path; English under /en/). Only
# the first page of a paginated list: the others are reached from it.
LISTS = ("/browse/", "/publishers/", "/themes/", "/territories/")
INFO_PAGES = ("/about/", "/licence/", "/developers/")
INDICATORS = "/indicadores/"  # the list, then /indicadores/<id>/ (catalog/site/indicators.py)
DASHBOARD = "/tablero-ti/"  # the IT-project dashboard, when a build published it
# Active transparency's matrix is served by ``catalog serve`` (not a static page): one
# address, the language asked with ``?lang=``.
ACTIVE_TRANSPARENCY = {"es": "/transparencia/activa/", "en": "/transparencia/activa/?lang=en"}


@dataclass(frozen=True)
class Page:
    """One page of the site: its address in each language and when it last changed."""

    paths: dict[str, str]  # language -> site path
    lastmod: date | None


def pages(
    manifests: list[Manifest],
    publishers: dict[str, dict],
    coverage: dict[str, list[str]] | None = None,
    indicators: list[str] | None = None,
) -> list[Page]:
    """Every page: home, search, the lists, information pages, the indicators, active
    transparency, the IT dashboard (when published), datasets, publishers, the themes
    that have datasets, and territories (all 22 departments and 340 municipalities of
    Guatemala; Chile's and Paraguay's that the data covers). ``coverage``: see
    ``facts.covered``; ``indicators``: the ids of the indicators the build computed
    (by default every valid one the datasets declare)."""
    newest = facts.newest(manifests)
    found = [_page(urls.home, newest), _page(urls.search, newest)]
    found += [_page(_under_home(path), newest) for path in LISTS]
    found += [_page(_under_home(path), None) for path in INFO_PAGES]
    found += _indicator_pages(manifests, indicators)
    found.append(Page(dict(ACTIVE_TRANSPARENCY), None))
    dashboard = [m for m in manifests if m["name"] == DASHBOARD_DATASET]
    if dashboard:
        found.append(_page(_under_home(DASHBOARD), facts.newest(dashboard)))
    for manifest in sorted(manifests, key=lambda m: m["dataset"]):
        pub, name = manifest["publisher"], manifest["name"]
        found.append(
            _page(lambda lang, p=pub, n=name: urls.dataset(p, n, lang), facts.modified(manifest))
        )
    by_publisher = _grouped(manifests, lambda m: [m["publisher"]])
    for slug in sorted(set(publishers) | set(by_publisher)):
        found.append(
            _page(
                lambda lang, s=slug: urls.publisher(s, lang),
                facts.newest(by_publisher.get(slug, [])),
            )
        )
    by_theme = _grouped(manifests, lambda m: [t["code"] for t in facts.themes(m)])
    for code in [c for c in codes("themes") if c in by_theme]:
        found.append(_page(lambda lang, c=code: urls.theme(c, lang), facts.newest(by_theme[code])))
    by_territory = _grouped(manifests, lambda m: facts.covered(m, coverage))
    every = [d["code"] for d in territories.departments()]
    every += [m["code"] for m in territories.municipalities()]
    every += sorted(  # other countries' territories have a page only when data covers them
        code for code in by_territory if territories.country_of(code) != territories.DEFAULT_COUNTRY
    )
    for code in every:
        found.append(
            _page(
                lambda lang, c=code: urls.territory(c, lang),
                facts.newest(by_territory.get(code, [])),
            )
        )
    return found


def write_sitemaps(
    site_dir: Path,
    manifests: list[Manifest],
    publishers: dict[str, dict],
    coverage: dict[str, list[str]] | None = None,
    indicators: list[str] | None = None,
    *,
    writer: Any = None,
    key: Callable[..., str] | None = None,
    common: list[str] | None = None,
) -> list[Path]:
    """Write ``sitemap.xml`` (and its parts when the site is very large). With a
    ``writer`` (catalog/site/writer.py), each file is written only when its entries
    (addresses and dates) or ``common`` (the base URL...) changed."""
    found = pages(manifests, publishers, coverage, indicators)
    entries = [url for page in found for url in _urls(page)]

    def put(path: str, entries: list, produce: Callable[[], bytes]) -> Path:
        target = site_dir / path
        if writer is None or key is None:
            target.write_bytes(produce())
        else:
            shown = [(p, str(d), a) for p, d, a in entries]
            writer.page(path, key("sitemap", common, shown), produce)
        return target

    if len(entries) <= MAX_URLS:
        return [put(urls.SITEMAP.lstrip("/"), entries, partial(urlset, entries))]
    parts = []
    for number, start in enumerate(range(0, len(entries), MAX_URLS), start=1):
        chunk = entries[start : start + MAX_URLS]
        parts.append(put(f"sitemap-{number}.xml", chunk, partial(urlset, chunk)))
    names = [f"/{p.name}" for p in parts]
    newest = facts.newest(manifests)
    target = put(
        urls.SITEMAP.lstrip("/"), [(n, newest, {}) for n in names], partial(index, names, newest)
    )
    return [target, *parts]


def urlset(entries: list[tuple[str, date | None, dict[str, str]]]) -> bytes:
    """A ``<urlset>`` of (path, lastmod, alternates by hreflang) entries.

    Written as text rather than through ElementTree (the same bytes, as
    ``ET.tostring`` of the indented tree, tests/test_dcat_incremental.py): a sitemap
    of 50,000 addresses is rewritten whenever one of its dates changes, and the
    tree took seconds where the text takes a tenth."""
    base = urls.absolute("")
    xhtml = any(alternates for _, _, alternates in entries)
    head = f'<urlset xmlns="{SITEMAP_NS}"' + (f' xmlns:xhtml="{XHTML_NS}"' if xhtml else "")
    if not entries:
        return (_DECLARATION + head + " />\n").encode("utf-8")
    lines = [_DECLARATION + head + ">"]
    for path, lastmod, alternates in entries:
        lines.append("  <url>")
        lines.append(f"    <loc>{_text(base + path)}</loc>")
        if lastmod:
            lines.append(f"    <lastmod>{lastmod.isoformat()}</lastmod>")
        for hreflang, href in alternates.items():
            lines.append(
                f'    <xhtml:link rel="alternate" hreflang="{_attribute(hreflang)}" '
                f'href="{_attribute(base + href)}" />'
            )
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#09;",
    }
)


def _text(value: str) -> str:
    """Escaped as ElementTree escapes an element's text."""
    return value.translate(_TEXT)


def _attribute(value: str) -> str:
    """Escaped as ElementTree escapes an attribute's value."""
    return value.translate(_ATTRIBUTE)


def index(parts: list[str], lastmod: date | None) -> bytes:
    """A ``<sitemapindex>`` over the given sitemap paths."""
    root = ET.Element(f"{{{SITEMAP_NS}}}sitemapindex")
    for path in parts:
        sitemap = ET.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        ET.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = urls.absolute(path)
        if lastmod:
            ET.SubElement(sitemap, f"{{{SITEMAP_NS}}}lastmod").text = lastmod.isoformat()
    return _xml(root)


def _indicator_pages(manifests: list[Manifest], computed: list[str] | None) -> list[Page]:
    """``/indicadores/`` and a page per indicator, dated by the dataset declaring it."""
    by_id: dict[str, Manifest] = {}
    for manifest in sorted(manifests, key=lambda m: m["dataset"]):
        for indicator in declared(manifest["package"], manifest["dataset"]):
            by_id.setdefault(indicator["id"], manifest)  # the first declaration wins
    ids = sorted(by_id) if computed is None else sorted(set(computed))
    found = [_page(_under_home(INDICATORS), facts.newest(list(by_id.values())))]
    for ident in ids:
        declaring = by_id.get(ident)
        found.append(
            _page(
                _under_home(f"{INDICATORS}{ident}/"),
                facts.modified(declaring) if declaring else None,
            )
        )
    return found


def _under_home(path: str):
    return lambda lang: urls.home(lang).rstrip("/") + path


def _page(address, lastmod: date | None) -> Page:
    return Page({lang: address(lang) for lang in LANGUAGES}, lastmod)


def _urls(page: Page) -> list[tuple[str, date | None, dict[str, str]]]:
    """One sitemap entry per language, each naming every language version."""
    alternates = {**page.paths, "x-default": page.paths["es"]}
    return [(path, page.lastmod, alternates) for path in page.paths.values()]


def _grouped(manifests: list[Manifest], keys) -> dict[str, list[Manifest]]:
    groups: dict[str, list[Manifest]] = {}
    for manifest in manifests:
        for key in keys(manifest):
            groups.setdefault(key, []).append(manifest)
    return groups


def _xml(root: ET.Element) -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
