"""Values a site build keeps for the next one, by name and key, in one SQLite file.

What the writer remembers (each dataset's summary, territory facts, search stems,
DCAT and DCAT-US parts) is worth tens of megabytes at 50,000 datasets. Kept in the
site's state, it was read whole and written whole by every build, and held in memory
throughout. Here each value is a row, found by its name and key (a hash of what made
it) when asked for: a rebuild reads the values it uses and writes the ones it made.

A value is the same whoever made it (its key says what it is made of, the code
included), so one file can serve every build of a build folder, and a value missing
or unreadable only means it is worked out again: the file is a cache, never the only
copy of anything. After a build, rows it did not use are removed once they outnumber
the rows it used (the file stays about one build's size).
"""

from __future__ import annotations

import json
import marshal
import sqlite3
from pathlib import Path
from typing import Any

FLUSH_BYTES = 64 * 2**20  # values made are written in batches of about this size
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS kept "
    "(name TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (name, key)) "
    "WITHOUT ROWID"
)


def dumps(value: Any) -> bytes:
    """marshal's bytes of ``value``; a value marshal cannot write (a date...) as JSON
    would write it (the build has always read such values back that way)."""
    try:
        return marshal.dumps(value, 2)
    except ValueError:
        return marshal.dumps(json.loads(json.dumps(value, default=str)), 2)


class Kept:
    """The values of one file (``path``); without a usable file, of this build only."""

    def __init__(self, path: Path | None, fallback: Path | None = None) -> None:
        self.path = path
        self.made: dict[tuple[str, str], bytes] = {}  # not written yet
        self.pending = 0  # their bytes
        self.used: set[tuple[str, str]] = set()
        self.conn: sqlite3.Connection | None = None
        if path is not None:
            self.conn = self._connect(path)
        # Another file read when this one lacks a value (the previous site's, when this
        # site's values came with an older one: the previous build's would be missing).
        self.fallback: sqlite3.Connection | None = None
        if fallback is not None and fallback.is_file() and fallback != path:
            try:
                self.fallback = sqlite3.connect(
                    f"file:{fallback}?mode=ro", uri=True, check_same_thread=False
                )
            except sqlite3.Error:
                self.fallback = None

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection | None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous=OFF")  # a cache: a lost write is made again
            conn.execute(SCHEMA)
            return conn
        except (OSError, sqlite3.Error):
            # An unreadable file is set aside, not trusted: the build works without it.
            try:
                path.unlink()
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                conn.execute(SCHEMA)
                return conn
            except (OSError, sqlite3.Error):
                return None

    def get(self, name: str, key: str) -> tuple[bool, Any]:
        """(True, the value) if kept, else (False, None)."""
        self.used.add((name, key))
        blob = self._blob(name, key)
        if blob is None:
            return False, None
        try:
            return True, marshal.loads(blob)
        except (ValueError, EOFError, TypeError):
            return False, None

    def get_many(self, prefix: str, wanted: dict[str, str]) -> dict[str, Any]:
        """The values kept of ``wanted`` (name -> key; every name begins with ``prefix``),
        by name: one pass over the names beginning with ``prefix`` (a tenth of the time
        of asking for each of 50,000 values). What is missing is asked of ``get``."""
        found: dict[str, Any] = {}
        blobs: dict[str, bytes] = {}
        if self.conn is not None:
            try:
                rows = self.conn.execute(
                    "SELECT name, key, value FROM kept WHERE name >= ? AND name < ?",
                    (prefix, prefix + "\U0010ffff"),
                )
                blobs = {n: v for n, k, v in rows if wanted.get(n) == k}
            except sqlite3.Error:
                blobs = {}
        for name, key in wanted.items():
            self.used.add((name, key))
            blob = self.made.get((name, key)) or blobs.get(name)
            if blob is None:
                ok, value = self.get(name, key)  # the fallback file, or not kept
            else:
                try:
                    ok, value = True, marshal.loads(blob)
                except (ValueError, EOFError, TypeError):
                    ok, value = False, None
            if ok:
                found[name] = value
        return found

    def has(self, name: str, key: str) -> bool:
        """Whether a value is kept under ``name`` and ``key``."""
        return self._blob(name, key) is not None

    def _blob(self, name: str, key: str) -> bytes | None:
        """The bytes kept under ``name`` and ``key``: made by this build, in this file,
        or in the fallback (then kept in this file too)."""
        blob = self.made.get((name, key))
        for conn in (self.conn, self.fallback):
            if blob is not None or conn is None:
                continue
            try:
                row = conn.execute(
                    "SELECT value FROM kept WHERE name = ? AND key = ?", (name, key)
                ).fetchone()
            except sqlite3.Error:
                row = None
            if row and conn is self.fallback:
                self.made[(name, key)] = row[0]
                self.pending += len(row[0])
            blob = row[0] if row else None
        return blob

    def put_bytes(self, name: str, key: str, blob: bytes) -> None:
        """Keep a value another process made, as ``dumps`` wrote it."""
        self.made[(name, key)] = blob
        self.pending += len(blob)
        if self.pending > FLUSH_BYTES:
            self._write()

    def put(self, name: str, key: str, value: Any) -> Any:
        """Keep ``value``; returns it as the next build will read it back."""
        blob = dumps(value)
        self.made[(name, key)] = blob
        self.used.add((name, key))
        self.pending += len(blob)
        if self.pending > FLUSH_BYTES:
            self._write()
        return marshal.loads(blob)

    def _write(self) -> None:
        """Write the values made so far (memory stays flat on a build from scratch)."""
        conn = self.conn
        if conn is None:
            return
        try:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT OR REPLACE INTO kept (name, key, value) VALUES (?, ?, ?)",
                [(n, k, v) for (n, k), v in self.made.items()],
            )
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return
        self.made.clear()
        self.pending = 0

    def save(self) -> None:
        """Write what this build made; drop what no build uses once it is most of the file."""
        self._write()
        conn = self.conn
        if conn is None or self.made:
            return
        try:
            (rows,) = conn.execute("SELECT count(*) FROM kept").fetchone()
            if rows > 2 * len(self.used) + 1000:
                self._prune(conn)
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    def _prune(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN")
        conn.execute("CREATE TEMP TABLE used (name TEXT, key TEXT, PRIMARY KEY (name, key))")
        conn.executemany("INSERT OR IGNORE INTO used VALUES (?, ?)", sorted(self.used))
        conn.execute(
            "DELETE FROM kept WHERE NOT EXISTS "
            "(SELECT 1 FROM used WHERE used.name = kept.name AND used.key = kept.key)"
        )
        conn.execute("DROP TABLE used")
        conn.execute("COMMIT")
        conn.execute("VACUUM")

    def close(self) -> None:
        for conn in (self.conn, self.fallback):
            if conn is not None:
                conn.close()
        self.conn = self.fallback = None
