"""The API's view of one release: datasets, their shapes, lookups and the search index.

Built once per release from its index (catalog/release: the reader loads it, typed,
and this view is cached until the next release is swapped in): every CKAN package dict is serialised to JSON bytes
here, so a search answers by joining ready bytes instead of serialising
thousands of dicts per request.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import orjson

from catalog import clock, urls
from catalog.api import shapes
from catalog.api.search import SearchIndex
from catalog.release.index import DatasetEntry, Publishers, ResourceEntry
from catalog.release.reader import Release

Current = Callable[[], Release | None]  # the reader of the current release


@dataclass
class Catalogue:
    release: str
    generated: str
    last_modified: str
    database: Path  # the release's SQLite file
    datasets: list[DatasetEntry]
    publishers: Publishers
    packages: list[dict[str, Any]]
    package_json: list[bytes]
    positions: dict[str, int]
    resources: dict[str, tuple[int, ResourceEntry]]
    search: SearchIndex
    org_counts: Counter = field(default_factory=Counter)
    group_counts: Counter = field(default_factory=Counter)
    tag_counts: Counter = field(default_factory=Counter)

    def find(self, ref: str) -> int | None:
        """A dataset's position by CKAN name/id (``mides--bono-social``) or id (``mides/bono-social``)."""
        return self.positions.get(ref) if isinstance(ref, str) else None


def _http_date(value: str | None) -> str:
    """The release's generation time as an HTTP date (Last-Modified)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        moment = clock.now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def build(release: Release) -> Catalogue:
    """The catalogue of one release (datasets ordered by CKAN name)."""
    index = release.index
    publishers = index["publishers"]
    datasets = sorted(index["datasets"], key=lambda d: urls.ckan_id(d["id"]))
    packages = [shapes.package(d, publishers) for d in datasets]
    positions: dict[str, int] = {}
    resources: dict[str, tuple[int, ResourceEntry]] = {}
    for pos, d in enumerate(datasets):
        positions[d["id"]] = positions[urls.ckan_id(d["id"])] = pos
        for r in d["resources"]:
            resources[r["id"]] = (pos, r)
    docs = [
        shapes.document(d, p, publishers.get(d["publisher"]) or {})
        for d, p in zip(datasets, packages, strict=True)
    ]
    labels = {"organization": {s: p.get("name") or s for s, p in publishers.items()}}
    catalogue = Catalogue(
        release=release.id,
        generated=index["generated"],
        last_modified=_http_date(index["generated"]),
        database=release.folder.database,
        datasets=datasets,
        publishers=publishers,
        packages=packages,
        package_json=[orjson.dumps(p) for p in packages],
        positions=positions,
        resources=resources,
        search=SearchIndex(docs, labels),
    )
    for d, p in zip(datasets, packages, strict=True):
        catalogue.org_counts[d["publisher"]] += 1
        catalogue.group_counts.update(g["name"] for g in p["groups"])
        catalogue.tag_counts.update(t["name"] for t in p["tags"])
    return catalogue


class Releases:
    """The catalogue of the current release, rebuilt when another release is swapped in."""

    def __init__(self, current: Current) -> None:
        self._current = current
        self._cached: Catalogue | None = None
        self._lock = threading.Lock()

    def get(self) -> Catalogue | None:
        release = self._current()
        cached = self._cached
        if release is None:
            return None
        if cached is not None and cached.release == release.id:
            return cached
        with self._lock:
            if self._cached is None or self._cached.release != release.id:
                self._cached = build(release)
            return self._cached
