"""The versions of a dataset on its page, and the CSV downloads of its older versions.

The build hands the site each dataset's versions (catalog/release/versions.py): the
entries the page lists (date, version, change note, what changed in words) and, for each
older version, its snapshot's SQLite file, from which its tables are written as UTF-8
CSV at ``catalog.urls.version_download``. Those files are keyed by the version's
content hash, so they are written once and reused by every later release.
"""

from __future__ import annotations

import csv
import sqlite3
from functools import partial
from pathlib import Path

from catalog import urls
from catalog.i18n import _, ntranslate, translate
from catalog.release.naming import quote
from catalog.release.versions import SourceTable, VersionDiff, VersionEntry, VersionSource
from catalog.site.downloads import FETCH_ROWS, _text
from catalog.site.writer import SiteWriter, key_of

ROWS_ADDED = (_("{count} row added"), _("{count} rows added"))
ROWS_REMOVED = (_("{count} row removed"), _("{count} rows removed"))
ROWS_CHANGED = (_("{count} row changed"), _("{count} rows changed"))
COLUMNS_ADDED = (_("{count} column added ({names})"), _("{count} columns added ({names})"))
COLUMNS_REMOVED = (_("{count} column removed ({names})"), _("{count} columns removed ({names})"))
COLUMNS_RETYPED = (
    _("{count} column changed type ({names})"),
    _("{count} columns changed type ({names})"),
)
TABLE_ADDED = _("table {name} added")
TABLE_REMOVED = _("table {name} removed")
NOT_COMPARED = _("{name} is too large to compare row by row: only its row count is compared")
NO_KEY = _("{name} has no primary key: a changed row counts as one removed and one added")
NO_CHANGE = _("No change in the data.")
FIRST = _("First version kept.")


def write_versions(writer: SiteWriter, versions: dict[str, list[VersionSource]]) -> None:
    """The CSV download of every table of every older version (``dataset id -> versions``)."""
    for dataset_id, sources in sorted(versions.items()):
        publisher, name = dataset_id.split("/", 1)
        for source in sources:
            for table in source["tables"]:
                path = urls.version_download(publisher, name, source["id"], table["resource"])
                key = key_of("version-csv", source["hash"], table)
                target = writer.folder / path.lstrip("/")
                database = Path(source["database"])
                writer.files([path.lstrip("/")], key, partial(write_csv, target, database, table))


def write_csv(target: Path, database: Path, table: SourceTable) -> Path:
    """One table of an older version's snapshot as UTF-8 CSV, a few thousand rows at a time."""
    target.parent.mkdir(parents=True, exist_ok=True)
    names = [c[0] for c in table["columns"]]
    kinds = [c[1] for c in table["columns"]]
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        columns = ", ".join(quote(n) for n in names)
        cursor = conn.execute(f"select {columns} from {quote(table['table'])}")
        with target.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(names)
            while batch := cursor.fetchmany(FETCH_ROWS):
                for row in batch:
                    out.writerow([_text(v, k) for v, k in zip(row, kinds, strict=True)])
    finally:
        conn.close()
    return target


def _names(names: list[str]) -> str:
    return ", ".join(names)


def changes(diff: VersionDiff | None, lang: str) -> list[str]:
    """What changed since the previous version, in words, a sentence part each."""
    if diff is None:
        return [translate(FIRST, lang)]
    parts: list[str] = []
    for count, (one, many) in (
        (diff["rows_added"], ROWS_ADDED),
        (diff["rows_removed"], ROWS_REMOVED),
        (diff["rows_changed"], ROWS_CHANGED),
    ):
        if count:
            parts.append(ntranslate(one, many, count, lang))
    for table in diff["tables"]:
        name = table["resource"]
        if table["status"] == "added":
            parts.append(translate(TABLE_ADDED, lang, name=name))
            continue
        if table["status"] == "removed":
            parts.append(translate(TABLE_REMOVED, lang, name=name))
            continue
        for names, (one, many) in (
            (table["columns_added"], COLUMNS_ADDED),
            (table["columns_removed"], COLUMNS_REMOVED),
            ([c["name"] for c in table["columns_retyped"]], COLUMNS_RETYPED),
        ):
            if names:
                parts.append(ntranslate(one, many, len(names), lang, names=_names(names)))
        if not table["compared"]:
            parts.append(translate(NOT_COMPARED, lang, name=name))
        elif table["by"] == "row" and (table["rows_added"] or table["rows_removed"]):
            parts.append(translate(NO_KEY, lang, name=name))
    return parts or [translate(NO_CHANGE, lang)]


def view(entries: list[VersionEntry], lang: str) -> list[dict[str, object]]:
    """The versions a dataset page lists, newest first."""
    return [
        {
            "id": e["id"],
            "version": e["version"],
            "date": e["published_at"],
            "note": e["note"],
            "current": e["current"],
            "changes": changes(e["diff"], lang),
            "downloads": [
                {"resource": resource, "url": url, "rows": e["rows"].get(resource)}
                for resource, url in e["downloads"].items()
            ],
        }
        for e in entries
    ]
