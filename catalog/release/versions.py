"""The versions of a dataset as readers see them: the ``versions`` list of its index entry.

Every version the build published of a dataset is kept (catalog/build/versions.py): its
date, the descriptor's ``version``, its change note (``changeNote``), its row counts, the
downloads of its tables (the current ones for the latest version; a CSV per table under
``/datasets/<publisher>/<dataset>/versiones/<id>/`` for older ones, ``catalog.urls``)
and what changed since the version before it (``VersionDiff``). The list is newest first.
The site's dataset page and the API (``/api/v1/datasets/{publisher}/{name}/versions``,
CKAN's ``versions`` extra) read it from ``index.json``.
"""

from __future__ import annotations

from typing import TypedDict


class ColumnChange(TypedDict):
    """A column whose type changed between two versions."""

    name: str
    old: str
    new: str


class TableDiff(TypedDict):
    """What changed in one resource's table.

    ``status`` is ``added``, ``removed``, ``changed`` or ``unchanged``. ``by`` says how
    rows were matched: ``key`` (the primary key: a row with the same key and other values
    is ``changed``) or ``row`` (no common primary key: whole rows are compared, so a
    changed row counts as one removed and one added). ``compared`` is false when the
    table was too large to compare row by row: the row counts are then only the
    difference of the totals.
    """

    resource: str
    status: str
    by: str
    compared: bool
    rows_added: int
    rows_removed: int
    rows_changed: int
    columns_added: list[str]
    columns_removed: list[str]
    columns_retyped: list[ColumnChange]


class VersionDiff(TypedDict):
    """What changed since the previous version (``previous`` is its id): totals and tables."""

    previous: str
    rows_added: int
    rows_removed: int
    rows_changed: int
    columns_added: int
    columns_removed: int
    columns_retyped: int
    complete: bool  # every table compared row by row
    tables: list[TableDiff]


class VersionEntry(TypedDict):
    """One published version of a dataset."""

    id: str  # the first 12 hex digits of the content hash it was published with; stable
    version: str  # the descriptor's "version" ("" when none)
    published_at: str
    note: str  # the descriptor's "changeNote" ("" when none)
    current: bool
    rows: dict[str, int]  # resource -> rows
    downloads: dict[str, str]  # resource -> CSV download (site path)
    diff: VersionDiff | None  # None for the first version kept


class SourceTable(TypedDict):
    """A table of an older version's snapshot: what its CSV download is written from."""

    resource: str
    table: str
    columns: list[list[str]]  # [name, Table Schema type]


class VersionSource(TypedDict):
    """An older version as the build hands it to the site, which writes its CSV downloads
    (``urls.version_download``) from the version's own SQLite file."""

    id: str
    hash: str  # the content hash it was published with: the key of its downloads
    database: str
    tables: list[SourceTable]


def empty_diff(diff: VersionDiff) -> bool:
    """Did nothing change in the data (rows, columns, tables) between the two versions?"""
    return diff["complete"] and all(t["status"] == "unchanged" for t in diff["tables"])
