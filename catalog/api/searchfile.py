"""The search file of a release (``search.db``): its datasets and their search index, on disk.

One SQLite file per release, written once (by the build, through ``searchwrite.py``)
and opened read-only (``immutable=1``) by every API worker, which keep in memory only
the small columns the search sorts and counts by (search.py). The operating system's
page cache holds the file once for all the workers of a host.

Tables:

- ``meta``: the format, the code that wrote it (its fingerprint), the number of
  datasets, the generation time, the publishers (JSON) and the digest of the
  release's ``index.json`` it was written from;
- ``datasets``: one row per dataset, at its *position* (datasets ordered by CKAN
  name): its ``index.json`` entry and its CKAN package (JSON; the portal's address
  in the package's links is a placeholder, replaced when served: ``package_bytes``),
  its CKAN name, its own name and whether it cites obligations;
- ``folded``: each dataset's text folded (textnorm.words), where phrases are found;
- ``refs`` (CKAN name or id -> position) and ``resources`` (resource id -> position
  and place in the dataset's resources);
- ``terms``: each stem of the full text (catalog/textnorm.py) -> the positions
  holding it and, for each, a code: the index in ``meta``'s ``parts`` of the stem's
  weight there (title 3, keywords 2, description 1, the rest 0.5, summed) and
  whether the title holds it;
- ``keys``: each keyword field (``organization``, ``tags``...) and folded value
  -> the positions holding it, the value as first written, and its number in the
  field (its id);
- ``forward``: for each keyword field, the ids of each position's values (what
  facets count);
- ``columns``: the presorted order of each sortable field, and the sorted values
  of dates and counts (ranges);
- ``counts``: datasets per publisher, group and tag (as CKAN names them).

Positions, ids and orders are arrays of 4-byte integers, codes of bytes, dates
8-byte integers (``YYYYMMDDHHMMSS``), all little-endian.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sqlite3
import sys
import threading
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from catalog import urls

FORMAT = "1"
# The portal's address in the stored packages' links (catalog serve's CATALOG_BASE_URL
# is known only when serving). JSON writes NUL as \u0000: no stored text holds it
# unless a dataset's own text does, and then its package is not stored (searchwrite.py).
PLACEHOLDER = "\x00catalog-base-url\x00"
PLACEHOLDER_JSON = orjson.dumps(PLACEHOLDER)[1:-1]
CHUNK = 500  # positions per "IN (...)" query
PHRASE_SCAN = 2000  # past so many candidates, a phrase is looked for in every text
FEW = 32  # wildcard matches read one by one; more, in one pass over their field
CACHE_KIB = 1024  # SQLite's page cache per connection (a connection per thread)
# Key fields of the levels a dataset's tables break down by (territory search).
LEVELS = "_levels"

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE datasets(
    pos INTEGER PRIMARY KEY,
    ckan TEXT NOT NULL,
    name TEXT NOT NULL,
    cited INTEGER NOT NULL,
    entry BLOB NOT NULL,
    package BLOB
);
CREATE TABLE folded(pos INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE INDEX datasets_name ON datasets(name, pos);
CREATE INDEX datasets_cited ON datasets(cited, pos);
CREATE TABLE refs(ref TEXT PRIMARY KEY, pos INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE resources(
    id TEXT PRIMARY KEY, pos INTEGER NOT NULL, item INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE terms(
    term TEXT PRIMARY KEY, positions BLOB NOT NULL, codes BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE keys(
    field TEXT NOT NULL,
    key TEXT NOT NULL,
    id INTEGER NOT NULL,
    original TEXT NOT NULL,
    positions BLOB NOT NULL,
    PRIMARY KEY (field, key)
) WITHOUT ROWID;
CREATE TABLE forward(field TEXT PRIMARY KEY, offsets BLOB NOT NULL, ids BLOB NOT NULL);
CREATE TABLE columns(name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE counts(
    kind TEXT NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (kind, seq)
);
"""


def to_blob(values: array) -> bytes:
    """An array as stored: little-endian."""
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def from_blob(typecode: str, blob: bytes) -> array:
    values = array(typecode)
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def date_number(value: str | None) -> int:
    """``YYYY-MM-DDTHH:MM:SS`` (search.normalize_date) as YYYYMMDDHHMMSS; 0 for none.
    The numbers sort as the texts do."""
    if not value:
        return 0
    return int(value[0:4] + value[5:7] + value[8:10] + value[11:13] + value[14:16] + value[17:19])


class Postings(NamedTuple):
    """A stem's datasets: positions (ascending) and a code for each (the stem's weight
    there and whether the title holds it: ``SearchFile.weights`` and ``titled``)."""

    positions: array
    codes: array


class Forward(NamedTuple):
    """A keyword field's values (as first written, by id) and each position's value ids."""

    originals: list[str]
    offsets: array  # position p's ids are ids[offsets[p]:offsets[p + 1]]
    ids: array


def successor(prefix: str) -> str | None:
    """The first text after every text starting with ``prefix`` (None: there is none we
    can write in UTF-8)."""
    last = ord(prefix[-1])
    if last >= 0xD7FF:
        return None
    return prefix[:-1] + chr(last + 1)


def literal_prefix(pattern: str) -> str:
    """What every text matching the fnmatch ``pattern`` starts with."""
    for i, char in enumerate(pattern):
        if char in "*?[":
            return pattern[:i]
    return pattern


class SearchFile:
    """One release's search file, read-only; a connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).resolve()
        self._uri = self.path.as_uri() + "?mode=ro&immutable=1"
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.meta: dict[str, str] = dict(self._conn().execute("SELECT key, value FROM meta"))
        self.size = int(self.meta["datasets"])
        parts = json.loads(self.meta["parts"])  # [[weight, title holds it], ...] by code
        self.weights: list[float] = [float(w) for w, _t in parts]
        self.titled: list[bool] = [bool(t) for _w, t in parts]
        self._codes = self.meta["codes"]  # the array type of codes

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            # The file is in the page cache the workers share: a small cache of its own.
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        return self._conn().execute(sql, tuple(params)).fetchall()

    def _by_position(self, column: str, positions: list[int]) -> dict[int, Any]:
        found: dict[int, Any] = {}
        unique = sorted(set(positions))
        for start in range(0, len(unique), CHUNK):
            part = unique[start : start + CHUNK]
            marks = ",".join("?" * len(part))
            sql = f"SELECT pos, {column} FROM datasets WHERE pos IN ({marks})"
            found.update(self._rows(sql, part))
        return found

    # ------------------------------------------------------------ datasets

    def entries(self, positions: list[int]) -> list[bytes]:
        """The ``index.json`` entries (JSON) at ``positions``, in their order."""
        found = self._by_position("entry", positions)
        return [found[p] for p in positions]

    def packages(self, positions: list[int]) -> list[bytes | None]:
        """The stored CKAN packages (JSON with the placeholder; None: not stored)."""
        found = self._by_position("package", positions)
        return [found[p] for p in positions]

    def holding(self, needle: str, positions: set[int]) -> set[int]:
        """Those of ``positions`` whose folded text holds ``needle`` (phrases)."""
        if len(positions) > PHRASE_SCAN:  # one pass over every text is quicker
            found = self._rows("SELECT pos FROM folded WHERE instr(text, ?) > 0", (needle,))
            return positions.intersection(r[0] for r in found)
        held: set[int] = set()
        unique = sorted(positions)
        for start in range(0, len(unique), CHUNK):
            part = unique[start : start + CHUNK]
            marks = ",".join("?" * len(part))
            sql = f"SELECT pos FROM folded WHERE pos IN ({marks}) AND instr(text, ?) > 0"
            held.update(r[0] for r in self._rows(sql, (*part, needle)))
        return held

    def find(self, ref: str) -> int | None:
        row = self._rows("SELECT pos FROM refs WHERE ref = ?", (ref,))
        return row[0][0] if row else None

    def resource(self, resource_id: str) -> tuple[int, int] | None:
        row = self._rows("SELECT pos, item FROM resources WHERE id = ?", (resource_id,))
        return (row[0][0], row[0][1]) if row else None

    def names(self, limit: int | None, offset: int) -> list[str]:
        """CKAN names in position order."""
        sql = "SELECT ckan FROM datasets ORDER BY pos LIMIT ? OFFSET ?"
        return [r[0] for r in self._rows(sql, (-1 if limit is None else limit, offset))]

    def named(self, name: str) -> bytes | None:
        """The entry of the first dataset whose own name is ``name``."""
        row = self._rows("SELECT entry FROM datasets WHERE name = ? ORDER BY pos LIMIT 1", (name,))
        return row[0][0] if row else None

    def cited(self) -> list[bytes]:
        """The entries of the datasets that cite obligations, in position order."""
        return [r[0] for r in self._rows("SELECT entry FROM datasets WHERE cited = 1 ORDER BY pos")]

    def counts(self, kind: str) -> list[tuple[str, int]]:
        return self._rows("SELECT name, n FROM counts WHERE kind = ? ORDER BY seq", (kind,))

    # -------------------------------------------------------------- search

    def term(self, term: str) -> Postings | None:
        row = self._rows("SELECT positions, codes FROM terms WHERE term = ?", (term,))
        if not row:
            return None
        return Postings(from_blob("i", row[0][0]), from_blob(self._codes, row[0][1]))

    def terms_matching(self, pattern: str) -> Postings:
        """The postings of every stem the fnmatch ``pattern`` matches, end to end (a
        position once per stem)."""
        rows = self._matching("terms", "term", "positions, codes", "1", (), pattern)
        positions = from_blob("i", b"".join(r[0] for r in rows))
        return Postings(positions, from_blob(self._codes, b"".join(r[1] for r in rows)))

    def key(self, field: str, key: str) -> array:
        row = self._rows("SELECT positions FROM keys WHERE field = ? AND key = ?", (field, key))
        return from_blob("i", row[0][0]) if row else array("i")

    def keys_matching(self, field: str, pattern: str) -> array:
        """The positions of every value of ``field`` the fnmatch ``pattern`` matches, end
        to end (a position once per value)."""
        rows = self._matching("keys", "key", "positions", "field = ?", (field,), pattern)
        return from_blob("i", b"".join(r[0] for r in rows))

    def _matching(
        self, table: str, name: str, columns: str, where: str, params: tuple[str, ...], pattern: str
    ) -> list[tuple[Any, ...]]:
        """``columns`` of the rows whose ``name`` the fnmatch ``pattern`` matches: the names
        first (within the pattern's literal prefix), then the columns of those, one by one
        or, when many, in one pass."""
        prefix = literal_prefix(pattern)
        after = successor(prefix) if prefix else None
        rows = f"FROM {table} WHERE {where}"
        if after is not None:
            rows, params = f"{rows} AND {name} >= ? AND {name} < ?", (*params, prefix, after)
        fits = re.compile(fnmatch.translate(pattern)).match
        names = [r[0] for r in self._rows(f"SELECT {name} {rows}", params) if fits(r[0])]
        if len(names) <= FEW:
            one = f"SELECT {columns} {rows} AND {name} = ?"
            return [tuple(self._rows(one, (*params, n))[0]) for n in names]
        wanted = set(names)
        every = self._rows(f"SELECT {name}, {columns} {rows}", params)
        return [tuple(r[1:]) for r in every if r[0] in wanted]

    def forward(self, field: str) -> Forward:
        originals = [
            r[0]
            for r in self._rows("SELECT original FROM keys WHERE field = ? ORDER BY id", (field,))
        ]
        row = self._rows("SELECT offsets, ids FROM forward WHERE field = ?", (field,))
        if not row:
            return Forward([], array("i", [0] * (self.size + 1)), array("i"))
        return Forward(originals, from_blob("i", row[0][0]), from_blob("i", row[0][1]))

    def column(self, name: str, typecode: str = "i") -> array:
        row = self._rows("SELECT data FROM columns WHERE name = ?", (name,))
        return from_blob(typecode, row[0][0])


def package_bytes(stored: bytes, base: str | None = None) -> bytes:
    """A stored package with the portal's address in its links."""
    address = orjson.dumps(urls.base_url() if base is None else base)[1:-1]
    return stored.replace(PLACEHOLDER_JSON, address)
