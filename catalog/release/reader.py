"""The one reader of the current release: follow ``current``, load each release once.

``catalog serve`` (its pages, Datasette and the API) and the transparency
workspace (the publishers it receives requests for) read the build through
``CurrentRelease``. A release is immutable once published, so it is loaded once:
its files looked at and checked (a broken release is refused, and the one before
keeps being served). When the build swaps ``current``, the next call loads the new
release; a caller that got a ``Release`` keeps a consistent view of it for as long
as it holds it.

The catalogue index (``index.json``) is parsed when a reader first asks for it
(``Release.index``): the API reads the release's search file instead (search.py),
and a worker that only serves the API never holds the whole index. A release whose
search file vouches for its index (the digest it records) is known whole without
parsing it; one without (written before search files, or made by hand) has its
index parsed and checked at once, as before.

Releases are shared by folder while anyone holds them (a weak cache): the
server and the workspace in one process parse one ``index.json`` per release.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from weakref import WeakValueDictionary

from catalog.release.index import BrokenRelease, ReleaseIndex, parse_index
from catalog.release.layout import CURRENT, ReleaseFolder
from catalog.release.search import index_checked

LOG = logging.getLogger("catalog.release")


def read_index(path: Path) -> ReleaseIndex:
    """``index.json`` parsed and checked (OSError, ValueError as ``open_release``)."""
    return parse_index(json.loads(path.read_text("utf-8")))


class Release:
    """One published release, loaded: where its files are and its catalogue index
    (given, or read from ``folder`` when first asked for)."""

    def __init__(self, folder: ReleaseFolder, index: ReleaseIndex | None = None) -> None:
        self.folder = folder
        self._index = index
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return self.folder.id

    @property
    def index(self) -> ReleaseIndex:
        """The catalogue index, parsed at the first call (and kept while the release is)."""
        found = self._index
        if found is None:
            with self._lock:
                if self._index is None:
                    self._index = read_index(self.folder.index)
                found = self._index
        return found

    @property
    def index_loaded(self) -> bool:
        return self._index is not None


def open_release(path: Path) -> Release:
    """The release in ``path``; OSError (a file cannot be read) or ValueError (JSON that
    does not parse, a ``BrokenRelease``) when it is incomplete or broken."""
    folder = ReleaseFolder(path)
    index = None if index_checked(folder.search, folder.index) else read_index(folder.index)
    for document in (folder.inspect, folder.metadata):
        json.loads(document.read_text("utf-8"))
    if not folder.database.is_file():
        raise BrokenRelease(f"{folder.database} is missing")
    return Release(folder, index)


_loaded: WeakValueDictionary[Path, Release] = WeakValueDictionary()
_loading = threading.Lock()


def _load(path: Path) -> Release:
    with _loading:
        release = _loaded.get(path)
        if release is None:
            release = open_release(path)
            _loaded[path] = release
        return release


class CurrentRelease:
    """The release ``<build_dir>/current`` points at, or None before the first build."""

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = Path(build_dir)
        self._target: str | None = None
        self._release: Release | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Release | None:
        try:
            target = os.readlink(self.build_dir / CURRENT)
        except OSError:
            return None
        if target == self._target:
            return self._release
        with self._lock:
            if target != self._target:
                try:
                    fresh = _load((self.build_dir / target).resolve())
                except (OSError, ValueError) as exc:
                    LOG.warning("cannot load release %s: %s", target, exc)
                    return self._release
                self._release, self._target = fresh, target
            return self._release
