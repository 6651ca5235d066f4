"""Gzip for the static site's text files, as ``catalog serve`` sends them.

A reader on a slow connection fetches the search page, its script and the search
index chunks; JSON, HTML, CSS, JavaScript, Turtle and SVG shrink to a fifth or less
with gzip, which is what a CDN in front of the site would do (docs/deploy.md). Here
the server does it itself when the browser accepts it:

- only text types and files of at most ``MAX_BYTES`` (the larger files are the
  downloads, which come compressed already as ``.csv.gz`` and Parquet);
- compressed in a worker thread, never on the event loop;
- kept in a small cache keyed by the file's path, size and modification time (a
  release's files never change: a new release is a new folder), at most
  ``CACHE_BYTES`` in all, least recently used first out;
- answered with ``Content-Encoding: gzip``, ``Vary: Accept-Encoding`` and an ETag of
  its own; a range request gets the plain file (ranges of a gzip body mean little).
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from pathlib import Path

import anyio.to_thread

MAX_BYTES = 4 * 2**20
CACHE_BYTES = 64 * 2**20
LEVEL = 6
TYPES = {
    ".html",
    ".css",
    ".js",
    ".mjs",
    ".json",
    ".jsonld",
    ".xml",
    ".ttl",
    ".rdf",
    ".svg",
    ".txt",
    ".md",
    ".csv",
    ".geojson",
    ".atom",
    ".rss",
    ".webmanifest",
}

Key = tuple[str, int, int]


class Cache:
    """Compressed bodies, least recently used first out, at most ``limit`` bytes."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[Key, bytes] = OrderedDict()
        self._lock = threading.Lock()  # filled from worker threads

    def get(self, key: Key) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: Key, body: bytes) -> None:
        with self._lock:
            if key in self._items or len(body) > self.limit:
                return
            self._items[key] = body
            self.size += len(body)
            while self.size > self.limit:
                _old, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)


CACHE = Cache()


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header admits gzip (``gzip;q=0`` refuses it)."""
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() not in ("gzip", "*"):
            continue
        quality = params.strip().removeprefix("q=")
        try:
            return not params.strip() or float(quality) > 0
        except ValueError:
            return True
    return False


def worth_compressing(path: Path, size: int) -> bool:
    """A text file small enough to compress on request."""
    return 0 < size <= MAX_BYTES and path.suffix.lower() in TYPES


def _compressed(path: Path, key: Key, cache: Cache) -> bytes:
    body = cache.get(key)
    if body is None:
        body = gzip.compress(path.read_bytes(), LEVEL, mtime=0)
        cache.put(key, body)
    return body


async def compressed(path: Path, size: int, mtime: float, cache: Cache = CACHE) -> bytes:
    """The gzip body of ``path`` (from the cache, or compressed in a worker thread)."""
    key = (str(path), size, int(mtime * 1e9))
    body = cache.get(key)
    if body is not None:
        return body
    return await anyio.to_thread.run_sync(_compressed, path, key, cache)
