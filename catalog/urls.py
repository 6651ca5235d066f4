"""The public URLs of the portal, in one place: pages, downloads, feeds, open metadata.

PRODUCT.md fixes ``/``, ``/datasets/<publisher>/<dataset>/``, ``/sql/``, ``/api/``,
``/api/3/action/<name>``, ``/catalog.ttl``, ``/catalog.jsonld``, ``/data.json``,
``/feeds/datasets.atom`` and ``/sitemap.xml``; the rest follows the same shape.
Every function returns a path; ``absolute()`` prefixes the public base URL
(``CATALOG_BASE_URL``) for documents that need absolute links (DCAT, feeds,
sitemap).
"""

from __future__ import annotations

import os

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url() -> str:
    """The portal's public address, without a trailing slash."""
    return os.environ.get("CATALOG_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def absolute(path: str) -> str:
    return base_url() + path


def _lang(lang: str | None) -> str:
    """Spanish pages live at the root; English ones under ``/en/``."""
    return "/en" if lang == "en" else ""


def home(lang: str | None = None) -> str:
    return _lang(lang) + "/"


def dataset(publisher: str, name: str, lang: str | None = None) -> str:
    """A dataset's page (PRODUCT.md: ``/datasets/<publisher>/<dataset>/``)."""
    return f"{_lang(lang)}/datasets/{publisher}/{name}/"


def ckan_id(dataset_id: str) -> str:
    """A dataset's CKAN ``id`` and ``name`` (``package_show?id=``), also its identifier in
    DCAT, data.json and schema.org: ``mides/bono-social`` -> ``mides--bono-social``
    (a CKAN name cannot hold ``/``)."""
    return dataset_id.replace("/", "--", 1)


# The downloads of a published table (docs/publishing.md, "Downloads"): kind (the file
# name's suffix) -> IANA media type. JSON is one document, fine for small tables; a
# larger one is published as NDJSON instead (one object a line, readable as a stream).
# XLSX only when the table fits a worksheet (Excel's limit is 1,048,576 rows, the header
# included).
DOWNLOAD_MEDIA_TYPES = {
    "csv": "text/csv",
    "csv.gz": "application/gzip",
    "excel.csv": "text/csv",
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_JSON_ROWS = 100_000
MAX_XLSX_ROWS = 1_048_575


def download_kinds(rows: int) -> list[str]:
    """The downloads of a table of ``rows`` rows, in the order pages list them."""
    kinds = ["csv", "csv.gz", "excel.csv", "parquet"]
    kinds.append("json" if rows <= MAX_JSON_ROWS else "ndjson")
    if rows <= MAX_XLSX_ROWS:
        kinds.append("xlsx")
    return kinds


def download(publisher: str, name: str, resource: str, kind: str) -> str:
    """A resource download; ``kind`` is ``csv`` (UTF-8), ``csv.gz`` (the same, gzip),
    ``excel.csv`` (CSV for Excel, with BOM), ``parquet``, ``json`` or ``ndjson``, or
    ``xlsx`` (DOWNLOAD_MEDIA_TYPES). Downloads are the same in every language."""
    return f"/datasets/{publisher}/{name}/downloads/{resource}.{kind}"


def version_download(publisher: str, name: str, version: str, resource: str) -> str:
    """The CSV (UTF-8) of a resource as an older version of the dataset published it;
    ``version`` is the version's id (the first digits of its content hash), so the
    address never changes (docs/publishing.md, "Versions")."""
    return f"/datasets/{publisher}/{name}/versiones/{version}/{resource}.csv"


def package_zip(publisher: str, name: str) -> str:
    """The whole Data Package (descriptor, README, data files) as one ZIP."""
    return f"/datasets/{publisher}/{name}/downloads/{name}.zip"


def publisher(slug: str, lang: str | None = None) -> str:
    return f"{_lang(lang)}/publishers/{slug}/"


def theme(code: str, lang: str | None = None) -> str:
    return f"{_lang(lang)}/themes/{code.lower()}/"


def territory(code: str, lang: str | None = None) -> str:
    """A department (``01``) or municipality (``0101``) page: the "ficha territorial"."""
    return f"{_lang(lang)}/territories/{code}/"


def search(lang: str | None = None) -> str:
    return f"{_lang(lang)}/search/"


def sql_table(table: str) -> str:
    return f"/sql/catalogo/{table}"


def feed(kind: str = "datasets", key: str | None = None) -> str:
    """``feed()`` is every dataset; ``feed("publishers", "mides")``, ``feed("themes", "soci")``,
    ``feed("territories", "0101")`` one facet."""
    return f"/feeds/{kind}.atom" if key is None else f"/feeds/{kind}/{key}.atom"


def package_show(dataset_id: str) -> str:
    """The dataset in the CKAN-compatible API."""
    return f"{CKAN_ACTION}package_show?id={ckan_id(dataset_id)}"


DCAT_TURTLE = "/catalog.ttl"
DCAT_JSONLD = "/catalog.jsonld"
DCAT_US = "/data.json"
SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"
API = "/api/"
CKAN_ACTION = "/api/3/action/"
