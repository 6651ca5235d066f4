"""Response models of the native API: they document ``/api/openapi.json``.

Handlers send ready JSON bytes (built once per release), so these models
describe the answers without re-validating each one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    status: int
    type: str = Field(description="not-found, invalid-parameter, invalid-query, rate-limited...")
    message: str = Field(description="What went wrong (Spanish, or English per Accept-Language).")
    hint: str | None = Field(None, description="How to fix the request.")
    fields: dict[str, str] | None = Field(None, description="Problems by parameter.")


class Error(BaseModel):
    error: ErrorBody


class Status(BaseModel):
    status: str = Field(description='"ok", or "no-build" before the first build.')
    release: str | None
    generated: str | None = None
    datasets: int
    message: str | None = None


class Label(BaseModel):
    code: str
    label: str
    url: str | None = None


class PublisherRef(BaseModel):
    slug: str
    name: str
    acronym: str | None = None


class Licence(BaseModel):
    id: str | None
    title: str | None
    url: str | None


class Field_(BaseModel):
    name: str
    type: str | None = None
    format: str | None = None
    title: str | None = None
    description: str | None = None
    territory: str | None = Field(None, description='"department" or "municipality" (INE codes).')


class Resource(BaseModel):
    name: str
    id: str = Field(description="Resource id: the SQLite table, and CKAN's resource id.")
    title: str | None = None
    description: str | None = None
    format: str | None = None
    mediatype: str | None = None
    bytes: int | None = Field(None, description="Size of the CSV download.")
    hash: str | None = None
    rows: int | None = None
    table: str | None = None
    fields: list[Field_] = []
    primary_key: list[str] = []
    downloads: dict[str, str] = Field(
        description="kind -> URL: csv, csv.gz, excel.csv, parquet, json (ndjson for a large "
        "table), xlsx (when it fits a worksheet)"
    )
    api: dict[str, str | None]
    sql: str | None = Field(None, description="The table in Datasette.")


class DatasetSummary(BaseModel):
    id: str = Field(description="publisher/dataset")
    ckan_id: str = Field(description="publisher--dataset, the CKAN name and id")
    publisher: PublisherRef
    name: str
    title: str | None
    description: str | None
    keywords: list[str]
    themes: list[Label]
    license: Licence
    frequency: Label | None
    issued: str | None
    modified: str | None
    metadata_modified: str | None
    page: str
    formats: list[str]


class Dataset(DatasetSummary):
    metadata_created: str | None
    version: str | None
    temporal: dict[str, str | None]
    spatial: dict[str, Any] | None
    obligations: list[str]
    contact: dict[str, str | None]
    sources: list[dict[str, Any]]
    readme: str | None
    status: str | None
    download: str = Field(description="The whole Data Package as a ZIP.")
    resources: list[Resource]


class ColumnChange(BaseModel):
    name: str
    old: str
    new: str


class TableDiff(BaseModel):
    resource: str
    status: str = Field(description="added, removed, changed or unchanged")
    by: str = Field(
        description='"key": rows matched by the primary key; "row": whole rows compared '
        "(no common primary key), so a changed row counts as one removed and one added"
    )
    compared: bool = Field(description="False when too large to compare row by row.")
    rows_added: int
    rows_removed: int
    rows_changed: int
    columns_added: list[str]
    columns_removed: list[str]
    columns_retyped: list[ColumnChange]


class VersionDiff(BaseModel):
    previous: str = Field(description="The id of the version before this one.")
    rows_added: int
    rows_removed: int
    rows_changed: int
    columns_added: int
    columns_removed: int
    columns_retyped: int
    complete: bool = Field(description="Every table was compared row by row.")
    tables: list[TableDiff]


class Version(BaseModel):
    id: str = Field(description="Stable id of the version (first digits of its content hash).")
    version: str | None = Field(None, description='The descriptor\'s "version".')
    published_at: str
    note: str | None = Field(None, description='The descriptor\'s "changeNote".')
    current: bool
    rows: dict[str, int] = Field(description="resource -> rows")
    downloads: dict[str, str] = Field(description="resource -> CSV of this version")
    diff: VersionDiff | None = Field(None, description="What changed since the version before.")


class FacetItem(BaseModel):
    value: str
    label: str
    count: int


class DatasetList(BaseModel):
    count: int
    results: list[DatasetSummary]
    facets: dict[str, list[FacetItem]]
    cursor: str | None = Field(None, description="Pass as cursor= for the next page.")
    next: str | None = Field(None, description="URL of the next page.")


class Publisher(BaseModel):
    slug: str
    name: str
    acronym: str | None = None
    kind: str | None = None
    website: str | None = None
    email: str | None = None
    description: str | None = None
    datasets: int
    page: str


class PublisherDetail(Publisher):
    dataset_list: list[DatasetSummary]


class Theme(BaseModel):
    code: str
    label: str
    uri: str | None = None
    datasets: int
    page: str


class ThemeDetail(Theme):
    dataset_list: list[DatasetSummary]


class Territory(BaseModel):
    code: str
    name: str
    level: str = Field(description='"department" or "municipality"')
    department: str | None = None
    datasets: int
    page: str


class TerritoryDetail(Territory):
    municipalities: list[Territory] = []
    dataset_list: list[DatasetSummary]


class RowField(BaseModel):
    name: str
    type: str


class Rows(BaseModel):
    resource: str
    fields: list[RowField]
    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    next: str | None
