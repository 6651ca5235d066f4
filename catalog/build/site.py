"""The static catalogue of a release: pages in Spanish and English, downloads,
the search index, territory pages and the open-metadata documents.

The pages themselves are the ``catalog.site`` package (the site's renderer) and
the documents ``catalog.standards``; this module is the build's entry point to
both.
"""

from __future__ import annotations

import marshal
import os
import secrets
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from catalog import clock, territories, urls
from catalog.release.layout import DB_FILE, SITE, SQL
from catalog.release.manifest import CONTENT_HASH, Manifest
from catalog.release.versions import VersionSource
from catalog.site import downloads
from catalog.site.facts import dataset_facts
from catalog.site.jobs import connect, fewer_collections, run_pending
from catalog.site.model import summary
from catalog.site.pages import DOWNLOADS, Site, sort_key
from catalog.site.render import ASSETS
from catalog.site.versions import write_versions
from catalog.site.writer import SiteWriter, code_version, key_of
from catalog.standards import parts_of, parts_plan, write_documents

__all__ = ["dataset_key", "previous_site", "write_site"]


def _assets(writer: SiteWriter) -> None:
    for source in sorted(p for p in ASSETS.rglob("*") if p.is_file()):
        path = "assets/" + source.relative_to(ASSETS).as_posix()
        writer.page(path, key_of("asset", path), source.read_bytes)


def write_site(
    folder: Path,
    manifests: list[Manifest],
    publishers: dict[str, dict[str, Any]],
    lang: str,
    *,
    database: Path | None = None,
    reports: dict[str, dict[str, Any]] | None = None,
    previous: Path | None = None,
    spare: Path | None = None,
    kept: Path | None = None,
    today: date | None = None,
    versions: dict[str, list[VersionSource]] | None = None,
) -> SiteWriter:
    """Write the whole site into ``folder``.

    ``database`` is the release's SQLite file (previews, downloads, territory
    figures; by default ``folder/../sql/catalogo.db``); ``reports`` gives each
    dataset's validation ``{"status", "findings", "validated"}``; ``previous``
    is the previous release's site folder, whose unchanged files are reused (hard
    links); ``spare`` an older site folder nothing serves any more (the release
    before the previous one), which is moved to ``folder`` and brought up to date in
    place, so that a rebuild costs what changed (catalog/site/writer.py); ``kept``
    the file of the values builds keep for the next (catalog/site/kept.py; by default
    one beside the site, taken from the spare or the previous site);
    ``versions`` gives each dataset's older versions, whose CSVs are written.
    Returns the writer, which counts the files written and reused.
    """
    with fewer_collections():
        return _write_site(
            folder,
            manifests,
            publishers,
            lang,
            database,
            reports,
            previous,
            spare,
            kept,
            today,
            versions,
        )


def _write_site(
    folder: Path,
    manifests: list[Manifest],
    publishers: dict[str, dict[str, Any]],
    lang: str,
    database: Path | None,
    reports: dict[str, dict[str, Any]] | None,
    previous: Path | None,
    spare: Path | None,
    kept: Path | None,
    today: date | None,
    versions: dict[str, list[VersionSource]] | None,
) -> SiteWriter:
    folder.mkdir(parents=True, exist_ok=True)
    today = today or clock.today()
    reports = reports or {}
    if database is None:
        database = folder.parent / SQL / DB_FILE
    writer = SiteWriter(folder, previous, spare, kept)
    conn = connect(database)
    try:
        by_id = {m["dataset"]: m for m in sorted(manifests, key=lambda m: m["dataset"])}
        digests = {d: dataset_key(m) for d, m in by_id.items()}
        # All the site is made of: when the spare was made of the same, it is this site.
        fingerprint = key_of(
            "site",
            lang,
            list(digests.items()),
            reports,
            publishers,
            today.isoformat(),
            versions or {},
            urls.base_url(),
        )
        if writer.open(fingerprint):
            return writer
        # Territory codes are read in the dataset's country (its spatial, or its publisher's).
        country = {
            d: territories.dataset_country(m["package"], publishers.get(m["publisher"]))
            for d, m in by_id.items()
        }
        # Each dataset's territory facts, kept as marshal bytes and read only when a page
        # that shows them is written: 50,000 datasets' figures are not read on every build.
        blobs = writer.remember_many(
            "facts:",
            {
                f"facts:{d}:{country[d]}": (digests[d], partial(_facts_blob, m, conn, country[d]))
                for d, m in by_id.items()
            },
        )
        facts = _Facts({d: blobs[f"facts:{d}:{country[d]}"] for d in by_id})
        # What lists, search and territory pages show of each dataset: its summary, from
        # its manifest (and facts), its report and the day; kept by that key.
        day = today.isoformat()
        item_keys = {
            d: key_of("item", digests[d], country[d], reports.get(d) or {}, day) for d in by_id
        }
        made = writer.remember_many(
            "item:",
            {
                f"item:{d}": (
                    item_keys[d],
                    partial(_summary, m, facts, reports.get(d) or {}, today),
                )
                for d, m in by_id.items()
            },
        )
        items = {d: made[f"item:{d}"] for d in by_id}
        for d, m in by_id.items():
            writer.files(downloads.files_of(m), digests[d], later=(d, DOWNLOADS))
        site = Site(
            writer, items, by_id, facts, publishers, reports, digests, conn, today, item_keys
        )
        site.write()
        computed = [i["id"] for i in site.indicators]  # the indicator pages written
        # The document parts of the datasets whose pages are written, made beside them.
        plan = parts_plan(len(by_id), publishers, lang, code_version())
        parts = {}
        for d in {d for d, _job in writer.pending}:
            wanted = parts_of(plan, d, digests[d])
            parts[d] = {n: k for n, k in wanted.items() if not writer.values.has(n, k)}
        run_pending(site, writer.pending, database, DOWNLOADS, (plan, publishers), parts)
        write_versions(writer, versions or {})
        _assets(writer)
    finally:
        if conn is not None:
            conn.close()
    coverage = {d: i["territories"] for d, i in items.items()}  # as the territory pages list
    # DCAT, DCAT-US, feeds, sitemap and robots.txt; territory feeds list what the
    # territory pages list.
    write_documents(
        folder,
        list(by_id.values()),
        publishers,
        lang,
        coverage=coverage,
        indicators=computed,
        version=code_version(),
        writer=writer,
        digests=digests,
    )
    writer.save()  # last: a site is reused only once complete
    return writer


class _Facts(dict[str, Any]):
    """Dataset id -> its facts, read from their marshal bytes when first asked for."""

    def __init__(self, blobs: dict[str, bytes]) -> None:
        super().__init__()
        self.blobs = blobs

    def __missing__(self, dataset: str) -> Any:
        value = self[dataset] = marshal.loads(self.blobs[dataset])
        return value


def _facts_blob(manifest: Manifest, conn: Any, country: str) -> bytes:
    return marshal.dumps(dataset_facts(manifest, conn, country), 2)


def _summary(
    manifest: Manifest, facts: _Facts, report: dict[str, Any], today: date
) -> dict[str, Any]:
    """A dataset's summary, with the order of its title in lists (``sort``)."""
    item = summary(manifest, facts[manifest["dataset"]], report, today)
    item["sort"] = sort_key(item["title"])
    return item


def dataset_key(manifest: Manifest) -> str:
    """The key of everything the site derives from one dataset (downloads, ZIP, pages, facts).

    The manifest holds the descriptor (schemas inline), the README, the queries and
    the table plans, and the digest of the published rows (``content_hash``): a
    correction of one value changes the key, so no stale download is reused. A
    manifest without that digest (an older snapshot) cannot prove its rows are the
    same, so its files are always written again.
    """
    if not manifest.get(CONTENT_HASH):
        return key_of("unversioned", manifest, secrets.token_hex(16))
    return key_of("manifest", manifest)


def previous_site(release: Path | None) -> Path | None:
    """The site folder of a previous release, if it is still there."""
    site = release / SITE if release else None
    return site if site is not None and site.is_dir() and not os.path.islink(site) else None
