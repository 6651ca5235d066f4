"""The release's search file (``search.db``, layout.SEARCH): what the reader checks of it.

The API writes and reads the file (catalog/api/searchfile.py, searchwrite.py); the
build has it written beside ``index.json``, and records there the digest of the
``index.json`` it was made from. A release whose search file has that digest needs
no parsing of its ``index.json`` to be known whole: the reader then loads the index
only when a reader of the index asks for it (reader.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from catalog.release.index import BrokenRelease

META_INDEX = "index_sha256"  # the meta key of index.json's digest


def index_digest(path: Path) -> str:
    """The SHA-256 of a file, read a block at a time."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def recorded_digest(search: Path) -> str | None:
    """The digest of ``index.json`` a search file records (None when there is no
    readable search file, or it records none)."""
    if not search.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{search.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_INDEX,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def index_checked(search: Path, index: Path) -> bool:
    """Whether the search file vouches for ``index.json`` (written together, unchanged
    since); False when it cannot tell; BrokenRelease when they do not belong together."""
    recorded = recorded_digest(search)
    if recorded is None:
        return False
    if index_digest(index) != recorded:
        raise BrokenRelease(f"{index} is not the index {search} was written from")
    return True
