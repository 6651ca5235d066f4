"""The release's catalogue index (``index.json``): what the API serves about datasets.

One entry per published dataset: its catalogue metadata (the columns of the
``datasets`` catalogue table, lists decoded), its long description, and its
resources in full (format, media type, size, Table Schema fields, download URLs,
the table holding the rows). ``catalog build`` writes it (catalog/build/index.py);
readers get it parsed and checked from ``parse_index``, through the reader.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict, cast

from catalog.release.versions import VersionEntry

Publishers = dict[str, dict[str, Any]]  # slug -> the publisher's YAML, as written


class FieldEntry(TypedDict):
    """A column of a resource, from its Table Schema."""

    name: str
    type: str | None
    format: str | None
    title: str | None
    description: str | None
    territory: str | None


class ResourceEntry(TypedDict):
    id: str  # the table name (also CKAN's resource id)
    name: str
    position: int
    title: str | None
    description: str | None
    format: str | None
    mediatype: str | None
    bytes: int | None
    hash: str | None
    path: str | None
    table: str | None  # None when the resource is not tabular
    rows: int | None
    fields: list[FieldEntry]
    primary_key: list[str]
    downloads: dict[str, str]  # kind (csv, excel.csv, json, xlsx) -> site path


class TableEntry(TypedDict):
    name: str
    resource: str
    title: str | None
    rows: int


class DatasetEntry(TypedDict):
    id: str  # publisher/name
    publisher: str
    name: str
    title: str | None
    description: str | None
    keywords: list[str] | None
    themes: list[str] | None
    license: str | None  # the licence's title
    license_url: str | None
    license_id: str | None  # the licence's code (CC-BY-4.0)
    frequency: str | None
    version: str | None
    issued: str | None
    modified: str | None
    temporal_start: str | None
    temporal_end: str | None
    spatial: dict[str, Any] | None
    obligations: list[str] | None
    contact_name: str | None
    contact_email: str | None
    url: str  # the dataset page
    status: str  # published or kept-previous
    tables: list[TableEntry]
    readme: str | None
    sources: list[dict[str, Any]]
    published_at: str | None
    zip: str  # the whole Data Package's download
    resources: list[ResourceEntry]
    versions: NotRequired[list[VersionEntry]]  # newest first (versions.py); absent before


class BrokenRelease(ValueError):
    """A release that is incomplete or not as the build writes it (logged, never shown)."""


class ReleaseIndex(TypedDict):
    generated: str
    datasets: list[DatasetEntry]
    publishers: Publishers


def parse_index(data: Any) -> ReleaseIndex:
    """``index.json`` as loaded, checked for the shape readers rely on; BrokenRelease if not."""
    if not isinstance(data, dict):
        raise BrokenRelease("index.json is not an object")
    datasets, publishers = data.get("datasets"), data.get("publishers")
    if not isinstance(datasets, list) or not isinstance(publishers, dict):
        raise BrokenRelease("index.json has no datasets list or publishers object")
    if not isinstance(data.get("generated"), str):
        raise BrokenRelease("index.json does not say when it was generated")
    for position, d in enumerate(datasets):
        if not isinstance(d, dict) or not all(
            isinstance(d.get(key), str) for key in ("id", "publisher", "name")
        ):
            raise BrokenRelease(f"index.json: dataset {position} has no id, publisher or name")
        if not isinstance(d.get("resources"), list):
            raise BrokenRelease(f"index.json: dataset {d['id']} has no resources list")
    if not all(isinstance(p, dict) for p in publishers.values()):
        raise BrokenRelease("index.json: a publisher is not an object")
    return cast(ReleaseIndex, data)
