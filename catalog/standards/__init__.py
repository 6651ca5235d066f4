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
import marshal
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from catalog import urls
from catalog.i18n import normalize_lang
from catalog.release.manifest import Manifest
from catalog.standards import datajson, dcat, facts, feeds, robots, schemaorg, sitemap
from catalog.standards.facts import territory_codes
from catalog.standards.schemaorg import script as jsonld_script

__all__ = [
    "Parts",
    "jsonld_script",
    "make_part",
    "parts_of",
    "schema_org",
    "territory_codes",
    "write_documents",
]


class Writer(Protocol):
    """Where the documents go (catalog/site/writer.py's SiteWriter): ``page`` writes a
    file unless its key is unchanged, ``remember`` keeps a value by key."""

    folder: Path

    def page(self, path: str, key: str, produce: Callable[[], str | bytes]) -> None: ...

    def remember(self, name: str, key: str, compute: Callable[[], Any]) -> Any: ...

    def later(self, name: str, key: str, compute: Callable[[], Any]) -> Callable[[], Any]: ...

    def remember_many(
        self, prefix: str, wanted: Mapping[str, tuple[str, Callable[[], Any]]]
    ) -> dict[str, Any]: ...


class _Direct:
    """Every document written, nothing kept (``write_documents`` without a writer)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def page(self, path: str, key: str, produce: Callable[[], str | bytes]) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        content = produce()
        target.unlink(missing_ok=True)  # never written through a hard link
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)

    def remember(self, name: str, key: str, compute: Callable[[], Any]) -> Any:
        return compute()

    def later(self, name: str, key: str, compute: Callable[[], Any]) -> Callable[[], Any]:
        return compute

    def remember_many(
        self, prefix: str, wanted: Mapping[str, tuple[str, Callable[[], Any]]]
    ) -> dict[str, Any]:
        return {name: compute() for name, (_key, compute) in wanted.items()}


def _key(version: str, *inputs: Any) -> str:
    """The key of what ``inputs`` make with the code of ``version`` (as the site's)."""
    try:
        data = marshal.dumps(inputs, 2)
    except ValueError:
        data = b"J" + json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(version.encode() + data).hexdigest()[:32]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


class Parts(NamedTuple):
    """What each dataset's parts of the catalogue-wide documents (its DCAT-AP part,
    its ``data.json`` entry) are keyed by in one build, besides its own key: they are
    kept between builds, and made by the site's workers beside the dataset's pages
    (catalog/site/jobs.py) when its jobs run, or here when first needed."""

    common: list[str]  # the code's version, the base URL, the language, the publishers' key
    lang: str
    paged: bool  # a DCAT page's part differs from the whole catalogue's (prefixes)


def parts_plan(count: int, publishers: dict[str, dict], lang: str, version: str) -> Parts:
    """The parts' plan of a catalogue of ``count`` datasets."""
    lang = normalize_lang(lang)
    common = [version, urls.base_url(), lang, _key(version, "publishers", publishers)]
    return Parts(common, lang, dcat.page_count(count) > 1)


def parts_of(plan: Parts, dataset: str, key: str) -> dict[str, str]:
    """The names and keys of a dataset's parts (``key``: its manifest's)."""
    form = "page" if plan.paged else "whole"
    return {
        f"dcat:{dataset}": _digest(*plan.common, key, "dcat", form),
        f"data.json:{dataset}": _digest(*plan.common, key, "data.json"),
    }


def make_part(plan: Parts, name: str, manifest: Manifest, publishers: dict[str, dict]) -> Any:
    """The part ``name`` (one of ``parts_of``) of ``manifest``."""
    if name.startswith("dcat:"):
        publisher = publishers.get(manifest["publisher"])
        return dcat.dataset_part(manifest, publisher, plan.lang, plan.paged)
    return _datajson_part(manifest, publishers, plan.lang)


def write_documents(
    site_dir: Path,
    manifests: list[Manifest],
    publishers: dict[str, dict],
    lang: str,
    *,
    coverage: dict[str, list[str]] | None = None,
    indicators: list[str] | None = None,
    version: str = "",
    writer: Writer | None = None,
    digests: dict[str, str] | None = None,
) -> list[Path]:
    """Write every catalogue-wide document into ``site_dir``; returns their paths.

    ``lang`` is the language of the documents' own texts (feed titles, distribution
    titles) and of the page links in the feeds; dataset metadata stays as published.
    ``coverage`` optionally maps a dataset id to the INE codes of the territories it
    covers (as its territory pages show them); without it, a dataset covers what its
    ``spatial`` declares. Territory feeds and the sitemap's dates follow it.
    ``indicators`` are the ids of the indicators the site has pages for (the sitemap
    lists them; by default every valid one the datasets declare).

    Every file has a key (what it shows: its datasets' keys, their publishers, the
    base URL, the language and ``version``, the code's): ``writer`` is the site's
    (catalog/site/writer.py), which leaves or links a file whose key did not change
    and writes the others; without one, every document is written. ``digests`` maps
    each dataset id to the key of its manifest (computed when not given).
    """
    lang = normalize_lang(lang)
    site_dir.mkdir(parents=True, exist_ok=True)
    out: Writer = _Direct(site_dir) if writer is None else writer
    key = partial(_key, version)
    ordered = sorted(manifests, key=lambda m: m["dataset"])
    if digests is None:
        digests = {m["dataset"]: key("manifest", m) for m in ordered}
    keys = [digests[m["dataset"]] for m in ordered]
    plan = parts_plan(len(ordered), publishers, lang, version)
    common = plan.common
    everything = _digest(*common, *keys)
    named = [parts_of(plan, m["dataset"], k) for m, k in zip(ordered, keys, strict=True)]
    paths: list[str | Path] = [*_dcat(out, ordered, named, publishers, plan, key)]
    # DCAT-US: each dataset's part kept between builds by its key, so a change to one
    # dataset describes that one again, not the 50,000 others.
    parts = out.remember_many(
        "data.json:",
        {
            name: (part_key, partial(make_part, plan, name, m, publishers))
            for m, names in zip(ordered, named, strict=True)
            for name, part_key in names.items()
            if name.startswith("data.json:")
        },
    )
    out.page(
        urls.DCAT_US.lstrip("/"),
        key("data.json", everything),
        lambda: _datajson_text(list(parts.values()), publishers, lang),
    )
    paths.append(urls.DCAT_US)
    paths += feeds.write_feeds(
        site_dir,
        ordered,
        publishers,
        lang,
        coverage,
        writer=out,
        digests=digests,
        key=key,
        common=common,
    )
    paths += sitemap.write_sitemaps(
        site_dir, ordered, publishers, coverage, indicators, writer=out, key=key, common=common
    )
    out.page(urls.ROBOTS.lstrip("/"), key("robots", common), robots.robots)
    paths.append(urls.ROBOTS)
    return [p if isinstance(p, Path) else site_dir / p.lstrip("/") for p in paths]


def _dcat(
    out: Writer,
    ordered: list[Manifest],
    named: list[dict[str, str]],
    publishers: dict[str, dict],
    plan: Parts,
    key_of: Callable[..., str],
) -> list[str]:
    """DCAT-AP as Turtle and JSON-LD: the whole catalogue up to ``dcat.PAGE_SIZE``
    datasets; beyond, Hydra pages (``/catalog/page-N.ttl``), ``/catalog.ttl`` being
    the first (docs/api.md, "Paged DCAT"). A page is written again only when its key
    changed: its datasets' keys, their publishers, what the catalogue node says (how
    many datasets, the newest, the oldest issue, the portal's names). It is then put
    together from its datasets' parts (``dcat.dataset_part``), kept between builds by
    their keys: a changed dataset is described again, not the page."""
    wholes = {"ttl": urls.DCAT_TURTLE, "jsonld": urls.DCAT_JSONLD}
    pages = dcat.page_count(len(ordered))
    lang, common = plan.lang, plan.common
    # Each dataset's part (its key says page or whole: their prefixes differ), read (or
    # made) only for the pages written; its key stands for the dataset in a page's key.
    parts, keys = [], []
    for m, names in zip(ordered, named, strict=True):
        name = f"dcat:{m['dataset']}"
        parts.append(out.later(name, names[name], partial(make_part, plan, name, m, publishers)))
        keys.append(names[name])
    dates = dcat.catalog_dates(ordered)
    if not plan.paged:
        made = _Documents(ordered, parts, publishers, lang, dates, None)
        key = key_of("dcat", common, keys)
        for ext, path in wholes.items():
            out.page(path.lstrip("/"), key, partial(made.text, ext))
        return list(wholes.values())
    node = [len(ordered), *map(str, dates)]
    node += [facts.portal_name(code) for code in ("es", "en")] + [facts.portal_publisher(lang)]
    written = []
    size = dcat.PAGE_SIZE
    for page in range(1, pages + 1):
        key = key_of("dcat-page", common, node, page, keys[(page - 1) * size : page * size])
        view = dcat.View(page, pages, len(ordered), size)
        made = _Documents(ordered, parts, publishers, lang, dates, view)
        for ext in ("ttl", "jsonld"):
            path = dcat.page_path(page, ext).lstrip("/")
            out.page(path, key, partial(made.text, ext))
            written.append("/" + path)
            if page == 1:  # the first page is also the whole catalogue's address
                first = out.folder / path
                out.page(wholes[ext].lstrip("/"), key, first.read_bytes)
                written.append(wholes[ext])
    return written


class _Documents:
    """The Turtle and JSON-LD of one page (``view``) or of the whole catalogue, made
    when first asked for, from the parts of its datasets; from scratch in the rare
    catalogue whose parts cannot simply be joined (``dcat.documents``)."""

    def __init__(
        self,
        ordered: list[Manifest],
        parts: list[Callable[[], dcat.Part]],
        publishers: dict[str, dict],
        lang: str,
        dates: tuple[Any, Any],
        view: dcat.View | None,
    ) -> None:
        self.ordered, self.parts, self.publishers = ordered, parts, publishers
        self.lang, self.dates, self.view = lang, dates, view
        self.made: dict[str, str] | None = None

    def text(self, ext: str) -> str:
        if self.made is None:
            self.made = self._make()
        return self.made[ext]

    def _make(self) -> dict[str, str]:
        view, lang = self.view, self.lang
        if view is None:
            found = dcat.documents([part() for part in self.parts], lang, self.dates)
            if found is None:
                g = dcat.graph(self.ordered, self.publishers, lang)
                found = {"ttl": dcat.turtle(g), "jsonld": dcat.jsonld(g)}
            return found
        shown = slice((view.page - 1) * view.size, view.page * view.size)
        found = dcat.documents([part() for part in self.parts[shown]], lang, self.dates, view)
        if found is None:
            graphs = dcat.paged_graphs(self.ordered, self.publishers, lang, view.page, view.size)
            found = {"ttl": dcat.turtle(graphs["ttl"]), "jsonld": dcat.jsonld(graphs["jsonld"])}
        return found


def schema_org(manifest: Manifest, publisher: dict, lang: str) -> dict[str, Any]:
    """The schema.org ``Dataset`` JSON-LD of a dataset page in ``lang``; embed it with
    ``jsonld_script(...)`` so nothing in it can close the ``<script>`` element."""
    return schemaorg.dataset(manifest, publisher, normalize_lang(lang))


def _datajson_part(manifest: Manifest, publishers: dict[str, dict], lang: str) -> str:
    """One dataset of ``data.json`` as it stands in the whole document (indented)."""
    text = json.dumps(datajson.dataset(manifest, publishers, lang), ensure_ascii=False, indent=2)
    return "\n".join("    " + line for line in text.split("\n"))


def _datajson_text(parts: list[str], publishers: dict[str, dict], lang: str) -> str:
    """``data.json`` from its datasets' parts: the same bytes as ``_json`` of the whole
    ``datajson.document``."""
    head = _json(datajson.document([], publishers, lang))
    if not parts:
        return head
    empty = '"dataset": []\n}\n'
    assert head.endswith(empty)
    return head[: -len(empty)] + '"dataset": [\n' + ",\n".join(parts) + "\n  ]\n}\n"


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
