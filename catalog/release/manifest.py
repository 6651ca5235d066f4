"""A published dataset as the build hands it to what renders a release: its manifest.

The build writes one manifest per dataset snapshot (``manifest.json``, see
catalog/build/publish.py) and passes the manifests of a release to the site
(catalog/site), the open-metadata documents (catalog/standards), the catalogue
tables and the index. These types say what a manifest holds; ``package`` is the
dataset's Data Package descriptor as validated (free-form JSON, read with care).
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

from catalog.vocabularies import entry

# The manifest key holding the digest of the snapshot's tables. Every file the site
# derives from a dataset (downloads, ZIP, pages, previews, facts) is keyed on the
# manifest, so the manifest must change whenever one published value does: the
# descriptor, README and table plans are in it already, this adds the rows.
CONTENT_HASH = "content_hash"


class Column(TypedDict):
    """One column of a published table, from its Table Schema field."""

    name: str
    type: str
    sqltype: str
    title: str | None
    description: str | None
    format: str | None
    territory: str | None
    enum: bool
    pattern: bool
    required: bool
    unique: bool


class ForeignKey(TypedDict):
    fields: list[str]
    table: str
    columns: list[str]


class TablePlan(TypedDict):
    """One resource's table: its name in the release database, columns, keys, indexes."""

    name: str
    resource: str
    title: str | None
    description: str | None
    path: Any  # a Data Package path: a string, or a list of them
    format: str | None
    columns: list[Column]
    primaryKey: list[str]
    foreignKeys: list[ForeignKey]
    indexes: list[list[str]]
    fts: list[str]
    rows: int


class Manifest(TypedDict):
    """One published dataset: its descriptor, README, canned queries and tables."""

    dataset: str  # publisher/name
    publisher: str
    name: str
    content_hash: NotRequired[str]  # CONTENT_HASH; absent from old snapshots
    package: dict[str, Any]
    readme: str | None
    queries: dict[str, Any]
    tables: list[TablePlan]


def license_of(package: dict[str, Any]) -> tuple[str | None, str | None]:
    """The first licence's title and URL; the vocabulary fills what the package leaves out."""
    licenses = package.get("licenses") or []
    first = licenses[0] if licenses and isinstance(licenses[0], dict) else {}
    known = entry("licenses", first["name"]) if isinstance(first.get("name"), str) else None
    known = known or {}
    title = first.get("title") or known.get("title") or first.get("name")
    return title, first.get("path") or known.get("url")
