"""Writing a release's search file (``search.db``, read by searchfile.py).

Called once per release by the build (catalog/build/search.py); the API calls it
too, into a private temporary file, for a release without a search file of its own
code (written before this file existed, or by other code: see ``fingerprint``).
Everything a worker used to compute at start from ``index.json`` is computed here:
CKAN packages and their JSON, the stems and weights of the text, keyword values,
orders, counts. The rules are search.py's, unchanged, so a search answers as it did.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from array import array
from collections import Counter
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from catalog import textnorm, urls
from catalog.api import shapes
from catalog.api.search import DATE_FIELDS, NUMBER_FIELDS, Document
from catalog.api.searchfile import (
    FORMAT,
    LEVELS,
    PLACEHOLDER,
    PLACEHOLDER_JSON,
    SCHEMA,
    date_number,
    to_blob,
)
from catalog.release.index import DatasetEntry, ReleaseIndex
from catalog.release.search import META_INDEX, index_digest

CATALOG = Path(__file__).resolve().parent.parent
# Data the packages and the index are made of, besides the code (vocabularies' labels,
# territories' codes).
DATA = ("vocabularies/*.yaml", "data/*_territories.csv")
LIBRARIES = ("snowballstemmer", "orjson")


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """The code and data a search file is made with: a file of another fingerprint was
    written by other code, and the API writes its own instead."""
    from catalog.codedeps import code_closure

    files, _libraries = code_closure([Path(__file__).resolve()])
    files = sorted(set(files) | {p for pattern in DATA for p in CATALOG.glob(pattern)})
    h = hashlib.sha256(FORMAT.encode())
    for path in files:
        h.update(str(path.relative_to(CATALOG)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in LIBRARIES:
        try:
            h.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            pass
    return h.hexdigest()


def _marked(counter: list[int]) -> shapes.Absolute:
    def absolute(path: str) -> str:
        counter[0] += 1
        return PLACEHOLDER + path

    return absolute


def _package(d: DatasetEntry, publishers: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """The package (its links with the placeholder) and its JSON; None when the dataset's
    own text holds the placeholder (the API then makes its package when asked)."""
    made = [0]
    package = shapes.package(d, publishers, _marked(made))
    stored = orjson.dumps(package)
    return package, stored if stored.count(PLACEHOLDER_JSON) == made[0] else None


class _Index:
    """What the search keeps of every dataset, gathered position by position."""

    def __init__(self) -> None:
        self.terms: dict[str, tuple[array, list[int]]] = {}
        self.parts: dict[tuple[float, bool], int] = {}  # (weight, title holds it) -> code
        self.keys: dict[str, dict[str, tuple[int, str, array]]] = {}
        self.forward: dict[str, list[array]] = {}
        self.sortable: dict[str, list[Any]] = {}

    def add(self, pos: int, doc: Document) -> None:
        for name, values in doc.keywords.items():
            self._keywords(name, pos, values)
        self._keywords(LEVELS, pos, sorted(doc.levels))
        title = set(textnorm.terms(doc.texts.get("title") or ""))
        for term, weight in textnorm.weighted_terms(doc.texts).items():
            found = self.terms.get(term)
            if found is None:
                found = self.terms[term] = (array("i"), [])
            part = (weight, term in title)
            found[0].append(pos)
            found[1].append(self.parts.setdefault(part, len(self.parts)))
        for name in DATE_FIELDS:
            self.sortable.setdefault(name, []).append(doc.dates.get(name) or "")
        for name in NUMBER_FIELDS:
            self.sortable.setdefault(name, []).append(doc.numbers.get(name, 0))
        self.sortable.setdefault("name", []).append(doc.keywords["name"][0])
        self.sortable.setdefault("title", []).append(textnorm.fold(doc.texts.get("title") or ""))

    def _keywords(self, name: str, pos: int, values: list[str]) -> None:
        keys = self.keys.setdefault(name, {})
        forward = self.forward.setdefault(name, [])
        while len(forward) < pos:
            forward.append(array("i"))
        ids = array("i")
        for value in values:
            key = textnorm.fold(value).strip()
            found = keys.get(key)
            if found is None:
                found = keys[key] = (len(keys), value, array("i"))
            if not found[2] or found[2][-1] != pos:  # a dataset is counted once per value
                found[2].append(pos)
                ids.append(found[0])
        forward.append(ids)

    def write(self, conn: sqlite3.Connection, size: int) -> dict[str, str]:
        """Write the index; what ``meta`` says of it."""
        codes = "B" if len(self.parts) <= 256 else "H"
        conn.executemany(
            "INSERT INTO terms VALUES (?, ?, ?)",
            (
                (term, to_blob(p), to_blob(array(codes, c)))
                for term, (p, c) in sorted(self.terms.items())
            ),
        )
        for name, keys in self.keys.items():
            conn.executemany(
                "INSERT INTO keys VALUES (?, ?, ?, ?, ?)",
                ((name, key, i, original, to_blob(p)) for key, (i, original, p) in keys.items()),
            )
            rows = self.forward[name] + [array("i")] * (size - len(self.forward[name]))
            offsets, ids = array("i", [0]), array("i")
            for found in rows:
                ids.extend(found)
                offsets.append(len(ids))
            conn.execute(
                "INSERT INTO forward VALUES (?, ?, ?)", (name, to_blob(offsets), to_blob(ids))
            )
        for name, values in self.sortable.items():
            order = array("i", sorted(range(size), key=lambda p: (values[p], p)))
            conn.execute("INSERT INTO columns VALUES (?, ?)", (f"order:{name}", to_blob(order)))
            if name in DATE_FIELDS:
                ranged = array("q", (date_number(values[p]) for p in order))
            elif name in NUMBER_FIELDS:
                ranged = array("q", (values[p] for p in order))
            else:
                continue
            conn.execute("INSERT INTO columns VALUES (?, ?)", (f"values:{name}", to_blob(ranged)))
        # floats as JSON keep every digit (repr): the weights read back are the same
        return {"codes": codes, "parts": json.dumps([list(p) for p in self.parts])}


def write(path: Path, index: ReleaseIndex, index_file: Path | None = None) -> Path:
    """Write the search file of ``index`` at ``path`` (atomically: a temporary file renamed
    when complete); ``index_file``, the ``index.json`` it was written from, is checked
    against it when the release is opened (catalog/release/reader.py)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.executescript(SCHEMA)
        conn.execute("BEGIN")
        _fill(conn, index, index_file)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    os.replace(tmp, path)
    return path


def _fill(conn: sqlite3.Connection, index: ReleaseIndex, index_file: Path | None) -> None:
    publishers = index["publishers"]
    datasets = sorted(index["datasets"], key=lambda d: urls.ckan_id(d["id"]))
    refs: dict[str, int] = {}
    resources: dict[str, tuple[int, int]] = {}
    counts: dict[str, Counter[str]] = {
        "organization": Counter(),
        "group": Counter(),
        "tag": Counter(),
    }
    search = _Index()
    rows: list[tuple[Any, ...]] = []
    texts: list[tuple[int, str]] = []
    for pos, d in enumerate(datasets):
        package, stored = _package(d, publishers)
        refs[d["id"]] = refs[urls.ckan_id(d["id"])] = pos
        for item, r in enumerate(d["resources"]):
            resources[r["id"]] = (pos, item)
        doc = shapes.document(d, package, publishers.get(d["publisher"]) or {})
        search.add(pos, doc)
        counts["organization"][d["publisher"]] += 1
        counts["group"].update(g["name"] for g in package["groups"])
        counts["tag"].update(t["name"] for t in package["tags"])
        folded = " ".join(textnorm.words(" ".join(v or "" for v in doc.texts.values())))
        cited = bool(d.get("obligations"))
        entry = json.dumps(d, ensure_ascii=False).encode()  # as index.json has it (NaN too)
        rows.append((pos, package["name"], d["name"], cited, entry, stored))
        texts.append((pos, folded))
        if len(rows) >= 1000:
            conn.executemany("INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?)", rows)
            rows.clear()
    conn.executemany("INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO folded VALUES (?, ?)", texts)
    conn.executemany("INSERT INTO refs VALUES (?, ?)", refs.items())
    conn.executemany(
        "INSERT INTO resources VALUES (?, ?, ?)", ((k, p, i) for k, (p, i) in resources.items())
    )
    for kind, counted in counts.items():
        conn.executemany(
            "INSERT INTO counts VALUES (?, ?, ?, ?)",
            ((kind, seq, name, n) for seq, (name, n) in enumerate(counted.items())),
        )
    meta = search.write(conn, len(datasets))
    meta |= {
        "format": FORMAT,
        "fingerprint": fingerprint(),
        "datasets": str(len(datasets)),
        "generated": index["generated"],
        "publishers": json.dumps(publishers, ensure_ascii=False),
    }
    if index_file is not None:
        meta[META_INDEX] = index_digest(index_file)
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())


def main(argv: list[str]) -> None:
    """``INDEX_JSON SEARCH_DB``: write the search file of an ``index.json`` (the API runs
    this in a child process, catalogue.py)."""
    from catalog.release.reader import read_index

    index = Path(argv[0])
    write(Path(argv[1]), read_index(index), index)
