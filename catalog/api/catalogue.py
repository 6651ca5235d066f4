"""The API's view of one release: its datasets, their shapes, lookups and the search.

Opened once per release from its search file (``search.db``, searchfile.py), which
the build writes beside ``index.json``: every CKAN package is stored there as
ready JSON, so a search answers by joining stored bytes instead of serialising
dicts per request, and every worker reads the same file instead of holding the
whole catalogue. In memory: the publishers, the counts per publisher, group and
tag, and the search's small columns (search.py). The view is cached until the
next release is swapped in.

A release without a search file of this code (written before search files, by
other code, or made in memory by a test) gets one written from its index into a
private temporary file (searchwrite.py), removed when the view is dropped: slower
to open and one per worker, until ``catalog build`` writes a release of this code.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
import weakref
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import orjson

from catalog import clock
from catalog.api import searchwrite, shapes
from catalog.api.search import SearchIndex
from catalog.api.searchfile import SearchFile, package_bytes
from catalog.release.index import DatasetEntry, Publishers, ResourceEntry
from catalog.release.reader import Release

LOG = logging.getLogger("catalog.api")
Current = Callable[[], Release | None]  # the reader of the current release


def _entry(stored: bytes) -> DatasetEntry:
    entry: DatasetEntry = json.loads(stored)
    return entry


class Catalogue:
    """One release as the API reads it. Methods that read the search file block: call
    them off the event loop (``run_in_threadpool``)."""

    def __init__(self, release: Release, store: SearchFile) -> None:
        self.release = release.id
        self.generated: str = store.meta["generated"]
        self.last_modified = _http_date(self.generated)
        self.database: Path = release.folder.database  # the release's SQLite file
        self.store = store
        self.size = store.size
        self.publishers: Publishers = json.loads(store.meta["publishers"])
        self.search = SearchIndex(store)
        self.org_counts: Counter[str] = Counter(dict(store.counts("organization")))
        self.group_counts: Counter[str] = Counter(dict(store.counts("group")))
        self.tag_counts: Counter[str] = Counter(dict(store.counts("tag")))
        self._cited: list[DatasetEntry] | None = None
        self._lock = threading.Lock()

    def find(self, ref: str) -> int | None:
        """A dataset's position by CKAN name/id (``mides--bono-social``) or id (``mides/bono-social``)."""
        return self.store.find(ref) if isinstance(ref, str) else None

    def dataset(self, pos: int) -> DatasetEntry:
        return self.datasets([pos])[0]

    def datasets(self, positions: list[int]) -> list[DatasetEntry]:
        """The index entries at ``positions``, in their order."""
        return [_entry(e) for e in self.store.entries(positions)]

    def package_json(self, positions: list[int]) -> list[bytes]:
        """The CKAN packages at ``positions`` as JSON, with the portal's address."""
        found = []
        for pos, stored in zip(positions, self.store.packages(positions), strict=True):
            if stored is None:  # not stored (searchwrite._package): made now
                found.append(orjson.dumps(shapes.package(self.dataset(pos), self.publishers)))
            else:
                found.append(package_bytes(stored))
        return found

    def packages(self, positions: list[int]) -> list[dict[str, Any]]:
        return [orjson.loads(p) for p in self.package_json(positions)]

    def names(self, limit: int | None, offset: int) -> list[str]:
        """CKAN names of the datasets, in order."""
        return self.store.names(limit, offset)

    def resource(self, resource_id: str) -> tuple[DatasetEntry, ResourceEntry] | None:
        """A resource by id, with its dataset."""
        if not isinstance(resource_id, str):
            return None
        found = self.store.resource(resource_id)
        if found is None:
            return None
        d = self.dataset(found[0])
        return d, d["resources"][found[1]]

    def named(self, name: str) -> DatasetEntry | None:
        """The first dataset (in order) whose own name is ``name``."""
        stored = self.store.named(name)
        return _entry(stored) if stored is not None else None

    def cited(self) -> list[DatasetEntry]:
        """The datasets that cite an obligation (all that compliance reads), in order;
        read once."""
        with self._lock:
            if self._cited is None:
                self._cited = [_entry(e) for e in self.store.cited()]
            return self._cited


def _http_date(value: str | None) -> str:
    """The release's generation time as an HTTP date (Last-Modified)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        moment = clock.now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _usable(path: Path) -> SearchFile | None:
    """The release's own search file, when it is there and of this code."""
    if not path.is_file():
        return None
    try:
        store = SearchFile(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file: write our own
        LOG.warning("cannot read the search file %s: %s", path, exc)
        return None
    if store.meta.get("fingerprint") != searchwrite.fingerprint():
        LOG.warning("%s was written by other code: using a private copy", path)
        store.close()
        return None
    return store


def build(release: Release) -> Catalogue:
    """The catalogue of one release: its search file, or a private one written from its index."""
    store = _usable(release.folder.search)
    if store is not None:
        return Catalogue(release, store)
    folder = Path(tempfile.mkdtemp(prefix="catalog-search-"))
    try:
        store = SearchFile(_private(release, folder / "search.db"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    catalogue = Catalogue(release, store)
    weakref.finalize(catalogue, _remove, store, folder)
    return catalogue


def _private(release: Release, path: Path) -> Path:
    """Write a search file of ``release`` at ``path``: here when its index is in memory
    already, else in a child process, so that this worker never holds the whole index."""
    if release.index_loaded or not release.folder.index.is_file():
        return searchwrite.write(path, release.index)
    script = "import sys; from catalog.api.searchwrite import main; main(sys.argv[1:])"
    command = [sys.executable, "-c", script, str(release.folder.index), str(path)]
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL)
    return path


def _remove(store: SearchFile, folder: Path) -> None:
    store.close()
    shutil.rmtree(folder, ignore_errors=True)


class Releases:
    """The catalogue of the current release, opened again when another release is swapped in."""

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
