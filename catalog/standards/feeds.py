"""Atom feeds of new and updated datasets, written with feedgen.

One feed for the whole catalogue (``/feeds/datasets.atom``) and one per publisher,
theme and territory, so a citizen can follow just their municipality. Each entry
is a dataset, dated by its ``modified`` day; the feed's own ``updated`` is its
newest entry, never the build time, so an unchanged catalogue gives unchanged
feeds. A feed lists at most ``FEED_SIZE`` datasets, newest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

from catalog import urls
from catalog.i18n import _, translate
from catalog.release.manifest import Manifest
from catalog.standards import facts
from catalog.standards.facts import by_recency

FEED_SIZE = 100
ATOM = "application/atom+xml"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the "updated" of a feed with no entries


@dataclass
class Feed:
    """One feed: where it is written, what it is called, which page it follows."""

    path: str  # site path, from urls.feed()
    title: str
    page: str  # site path of the HTML page the feed mirrors
    manifests: list[Manifest] = field(default_factory=list)


def feeds(
    manifests: list[Manifest],
    publishers: dict[str, dict],
    lang: str,
    coverage: dict[str, list[str]] | None = None,
) -> list[Feed]:
    """Every feed of the catalogue: all datasets, then by publisher, theme, territory
    (``coverage``: see ``facts.covered``)."""
    everything = Feed(
        urls.feed(),
        translate(_("New and updated datasets"), lang),
        urls.home(lang),
        list(manifests),
    )
    by_publisher: dict[str, Feed] = {}
    by_theme: dict[str, Feed] = {}
    by_territory: dict[str, Feed] = {}
    for manifest in manifests:
        slug = manifest["publisher"]
        if slug not in by_publisher:
            name = facts.publisher_name(slug, publishers.get(slug))
            by_publisher[slug] = Feed(
                urls.feed("publishers", slug),
                translate(_("Datasets of {publisher}"), lang, publisher=name),
                urls.publisher(slug, lang),
            )
        by_publisher[slug].manifests.append(manifest)
        for theme in facts.themes(manifest):
            code = theme["code"]
            if code not in by_theme:
                label = theme["label"].get(lang, theme["label"]["es"])
                by_theme[code] = Feed(
                    urls.feed("themes", code.lower()),
                    translate(_("Datasets on {theme}"), lang, theme=label),
                    urls.theme(code, lang),
                )
            by_theme[code].manifests.append(manifest)
        for code in facts.covered(manifest, coverage):
            if code not in by_territory:
                by_territory[code] = Feed(
                    urls.feed("territories", code),
                    translate(
                        _("Datasets covering {territory}"), lang, territory=facts.place_name(code)
                    ),
                    urls.territory(code, lang),
                )
            by_territory[code].manifests.append(manifest)
    groups = (by_publisher, by_theme, by_territory)
    return [everything] + [group[key] for group in groups for key in sorted(group)]


def write_feeds(
    site_dir: Path,
    manifests: list[Manifest],
    publishers: dict[str, dict],
    lang: str,
    coverage: dict[str, list[str]] | None = None,
    *,
    writer: Any = None,
    digests: dict[str, str] | None = None,
    key: Callable[..., str] | None = None,
    common: list[str] | None = None,
) -> list[Path]:
    """Write every feed under ``site_dir/feeds/``; returns the files. With a
    ``writer`` (catalog/site/writer.py), a feed is written only when its key changed:
    ``common`` (the base URL, language, publishers...) and the ``digests`` of the
    datasets it lists, through ``key`` (standards._key)."""
    written = []
    everything = by_recency(manifests)
    rank = {m["dataset"]: n for n, m in enumerate(everything)}
    for feed in feeds(manifests, publishers, lang, coverage):
        path = feed.path.lstrip("/")
        if writer is None or key is None:
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(atom(feed, publishers, lang))
        else:
            entries = sorted(feed.manifests, key=lambda m: rank[m["dataset"]])[:FEED_SIZE]
            shown = [digests[m["dataset"]] if digests else m for m in entries]
            made = key("feed", common, feed.path, feed.title, feed.page, lang, shown)
            writer.page(path, made, partial(atom, feed, publishers, lang, entries))
        written.append(site_dir / path)
    return written


def atom(
    feed: Feed, publishers: dict[str, dict], lang: str, entries: list[Manifest] | None = None
) -> bytes:
    """The Atom document of one feed (``entries``: its newest datasets, when known)."""
    if entries is None:
        entries = by_recency(feed.manifests)[:FEED_SIZE]
    generator = FeedGenerator()
    generator.id(urls.absolute(feed.path))
    generator.title(facts.clean(feed.title))
    generator.subtitle(facts.portal_name(lang))
    generator.language(lang)
    generator.author({"name": facts.portal_publisher(lang)})
    generator.link(href=urls.absolute(feed.path), rel="self", type=ATOM)
    generator.link(href=urls.absolute(feed.page), rel="alternate", type="text/html")
    newest = facts.newest(entries)
    generator.updated(facts.moment(newest) if newest else EPOCH)
    for manifest in entries:
        _entry(generator, manifest, publishers.get(manifest["publisher"]), lang)
    return generator.atom_str(pretty=True)


def _entry(generator: FeedGenerator, manifest: Manifest, publisher: dict | None, lang: str) -> None:
    entry = generator.add_entry(order="append")
    # The Spanish page's address: the same dataset has the same id in every language.
    entry.id(facts.page(manifest))
    entry.title(facts.title(manifest))
    entry.link(href=facts.page(manifest, lang), rel="alternate", type="text/html")
    modified = facts.modified(manifest) or date(1970, 1, 1)
    entry.updated(facts.moment(modified))
    issued = facts.issued(manifest)
    if issued:
        entry.published(facts.moment(issued))
    summary = facts.description(manifest)
    if summary:
        entry.summary(summary)
    slug = manifest["publisher"]
    author = {
        "name": facts.publisher_name(slug, publisher),
        "uri": urls.absolute(urls.publisher(slug, lang)),
    }
    email = facts.publisher_email(publisher)
    if email:
        author["email"] = email
    entry.author(author)
    for theme in facts.themes(manifest):
        entry.category(
            term=theme["code"],
            scheme=theme["uri"],
            label=theme["label"].get(lang, theme["label"]["es"]),
        )
