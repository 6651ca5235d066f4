"""The API's view of one release: datasets, their shapes, lookups and the search index.

Built once per release from its ``index.json`` (and cached until the next
release is swapped in): every CKAN package dict is serialised to JSON bytes
here, so a search answers by joining ready bytes instead of serialising
thousands of dicts per request.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import orjson

from catalog import clock, urls
from catalog.api import shapes
from catalog.api.search import SearchIndex


@dataclass
class Catalogue:
    release: str
    generated: str | None
    last_modified: str
    folder: Path | None
    datasets: list[dict[str, Any]]
    publishers: dict[str, dict[str, Any]]
    packages: list[dict[str, Any]]
    package_json: list[bytes]
    positions: dict[str, int]
    resources: dict[str, tuple[int, dict[str, Any]]]
    search: SearchIndex
    org_counts: Counter = field(default_factory=Counter)
    group_counts: Counter = field(default_factory=Counter)
    tag_counts: Counter = field(default_factory=Counter)

    def find(self, ref: str) -> int | None:
        """A dataset's position by CKAN name/id (``mides--bono-social``) or id (``mides/bono-social``)."""
        return self.positions.get(ref) if isinstance(ref, str) else None

    def database(self) -> Path | None:
        return self.folder / "sql" / "catalogo.db" if self.folder else None


def _http_date(value: str | None) -> str:
    """The release's generation time as an HTTP date (Last-Modified)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        moment = clock.now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def build(index: dict[str, Any], release: str, folder: Path | None) -> Catalogue:
    """The catalogue of one release (datasets ordered by CKAN name)."""
    publishers = {k: v for k, v in (index.get("publishers") or {}).items() if isinstance(v, dict)}
    datasets = sorted(
        (d for d in index.get("datasets") or [] if isinstance(d, dict) and d.get("id")),
        key=lambda d: urls.ckan_id(d["id"]),
    )
    packages = [shapes.package(d, publishers) for d in datasets]
    positions: dict[str, int] = {}
    resources: dict[str, tuple[int, dict[str, Any]]] = {}
    for pos, d in enumerate(datasets):
        positions[d["id"]] = positions[urls.ckan_id(d["id"])] = pos
        for r in d.get("resources") or []:
            resources[r["id"]] = (pos, r)
    docs = [
        shapes.document(d, p, publishers.get(d["publisher"]) or {})
        for d, p in zip(datasets, packages, strict=True)
    ]
    labels = {"organization": {s: p.get("name") or s for s, p in publishers.items()}}
    catalogue = Catalogue(
        release=release,
        generated=index.get("generated"),
        last_modified=_http_date(index.get("generated")),
        folder=folder,
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

    def __init__(self, current: Any, release_id: Any, folder: Any = None) -> None:
        self._current = current
        self._release_id = release_id
        self._folder = folder or (lambda: None)
        self._cached: Catalogue | None = None
        self._lock = threading.Lock()

    def get(self) -> Catalogue | None:
        release = self._release_id()
        cached = self._cached
        if release is None:
            return None
        if cached is not None and cached.release == release:
            return cached
        with self._lock:
            if self._cached is None or self._cached.release != release:
                index = self._current()
                if index is None:
                    return None
                self._cached = build(index, release, self._folder())
            return self._cached
