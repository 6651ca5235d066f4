"""What Datasette needs beside the database: ``metadata.json`` and ``inspect.json``.

Metadata comes from the packages: titles, descriptions, licences, sources and
column descriptions per table, and each dataset's ``queries.yaml`` as canned
queries (named ``<publisher>__<dataset>__<query>``, checked against the
composed database: a query SQLite cannot prepare is left out with a notice).
Each table also carries a ``catalog`` block that the ``catalog_links`` plugin
shows: the dataset page, its publisher and licence.

``inspect.json`` is what ``datasette inspect`` writes (hash, size, table
counts), computed here at build time, so Datasette serves the file in immutable
mode without counting a million rows at start-up.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from datasette.inspect import inspect_hash

from catalog import urls
from catalog.build import queries as canned_queries
from catalog.build.state import write_atomic
from catalog.findings import Finding
from catalog.i18n import _, translate
from catalog.release.layout import DATABASE, DB_FILE
from catalog.release.manifest import Manifest, TablePlan, license_of
from catalog.release.naming import query_name, quote

_CATALOGUE_DOCS = {
    "publishers": (_("Publishers"), _("The public bodies that publish data in this catalogue.")),
    "datasets": (_("Datasets"), _("Every published dataset, with its catalogue metadata.")),
    "resources": (_("Resources"), _("The files of each dataset and the table each one became.")),
    "fields": (_("Fields"), _("The columns of every published table, with their descriptions.")),
}


# Datasette's facet suggestions are off (a query per column on every table page, seconds
# on a large table: catalog/sqlproc.py); each table shows these facets instead: the
# catalogue tables' own, and a data table's first indexed low-cardinality columns.
_CATALOGUE_FACETS = {
    "datasets": ["publisher", "license", "frequency"],
    "resources": ["format"],
    "fields": ["type"],
    "publishers": ["kind"],
}
MAX_FACETS = 3


def facets(plan: TablePlan) -> list[str]:
    """The columns a table's page counts by: the indexed columns that group rows (text,
    years, yes/no, declared codes or territories), in the table's order, at most three."""
    indexed = {index[0] for index in plan["indexes"] if len(index) == 1}
    chosen = [
        c["name"]
        for c in plan["columns"]
        if c["name"] in indexed
        and (c["type"] in ("string", "year", "boolean") or c.get("enum") or c.get("territory"))
    ]
    return chosen[:MAX_FACETS]


def _publisher_info(slug: str, publishers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    data = publishers.get(slug) or {}
    return {
        "slug": slug,
        "name": data.get("name") or slug,
        "acronym": data.get("acronym"),
        "url": data.get("website"),
    }


def _table_metadata(
    manifest: Manifest, plan: TablePlan, publisher: dict[str, Any], lang: str
) -> dict[str, Any]:
    package = manifest["package"]
    license_name, license_url = license_of(package)
    title = (
        plan.get("title") or f"{package.get('title') or manifest['dataset']}: {plan['resource']}"
    )
    meta: dict[str, Any] = {
        "title": title,
        "description": plan.get("description") or package.get("description") or "",
        "source": publisher["name"],
        "about": translate(_("Dataset page"), lang),
        "about_url": urls.dataset(manifest["publisher"], manifest["name"]),
        "columns": {c["name"]: c["description"] for c in plan["columns"] if c.get("description")},
        "catalog": {
            "dataset": manifest["dataset"],
            "dataset_title": package.get("title") or manifest["dataset"],
            "dataset_url": urls.dataset(manifest["publisher"], manifest["name"]),
            "resource": plan["resource"],
            "publisher": publisher,
            "license": license_name,
            "license_url": license_url,
            "lang": lang,
            "columns": [
                {
                    "name": c["name"],
                    "type": c["type"],
                    "description": c.get("description") or "",
                    "title": c.get("title") or "",
                }
                for c in plan["columns"]
            ],
        },
    }
    if chosen := facets(plan):
        meta["facets"] = chosen
    if publisher.get("url"):
        meta["source_url"] = publisher["url"]
    if license_name:
        meta["license"] = license_name
    if license_url:
        meta["license_url"] = license_url
    return meta


def metadata(
    manifests: list[Manifest],
    publishers: dict[str, dict[str, Any]],
    conn: sqlite3.Connection,
    lang: str,
) -> tuple[dict[str, Any], dict[str, list[Finding]]]:
    """Datasette metadata for the release, and notices about queries left out, per dataset."""
    tables: dict[str, Any] = {}
    queries: dict[str, Any] = {}
    notices: dict[str, list[Finding]] = {}
    for name, (title, description) in _CATALOGUE_DOCS.items():
        tables[name] = {
            "title": translate(title, lang),
            "description": translate(description, lang),
            "facets": _CATALOGUE_FACETS[name],
        }
    for manifest in manifests:
        publisher = _publisher_info(manifest["publisher"], publishers)
        for plan in manifest["tables"]:
            tables[plan["name"]] = _table_metadata(manifest, plan, publisher, lang)
        found, problems = _queries(manifest, conn, publisher, lang)
        queries.update(found)
        if problems:
            notices[manifest["dataset"]] = problems
    meta = {
        "title": translate(_("Open data catalogue: SQL"), lang),
        "description": translate(
            _("Every published table in one SQLite database: query, join and export them."), lang
        ),
        "about": translate(_("Catalogue home"), lang),
        "about_url": "/",
        "databases": {
            DATABASE: {
                "title": translate(_("Open data catalogue"), lang),
                "description": translate(
                    _(
                        "Tables are named publisher__dataset__resource; "
                        "the datasets and fields tables describe them."
                    ),
                    lang,
                ),
                "tables": tables,
                "queries": queries,
            }
        },
        "plugins": {"catalog_links": {"lang": lang}},
    }
    return meta, notices


def _queries(
    manifest: Manifest, conn: sqlite3.Connection, publisher: dict[str, Any], lang: str
) -> tuple[dict[str, Any], list[Finding]]:
    tables = {t["resource"]: t["name"] for t in manifest["tables"]}
    found: dict[str, Any] = {}
    problems: list[Finding] = []
    for name, query in canned_queries.canned(manifest.get("queries") or {}, tables).items():
        error = canned_queries.check(conn, query["sql"])
        if error:
            problems.append(
                Finding(
                    type="query-error",
                    dataset=manifest["dataset"],
                    file=canned_queries.QUERIES_FILE,
                    text=_("Query {name} was not published: {reason}."),
                    hint=_(
                        "Fix its SQL; name this dataset's tables by resource name, others in full "
                        "(publisher__dataset__resource)."
                    ),
                    params={"name": name, "reason": error},
                    blocking=False,
                )
            )
            continue
        found[query_name(manifest["publisher"], manifest["name"], name)] = {
            **query,
            "title": query.get("title") or name,
            "catalog": {
                "dataset": manifest["dataset"],
                "dataset_url": urls.dataset(manifest["publisher"], manifest["name"]),
                "dataset_title": manifest["package"].get("title") or manifest["dataset"],
                "publisher": publisher,
                "lang": lang,
            },
        }
    return found, problems


def inspect_data(db_path: Path, conn: sqlite3.Connection) -> dict[str, Any]:
    """The same structure ``datasette inspect`` writes."""
    counts: dict[str, int] = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        try:
            counts[table] = conn.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0]
        except sqlite3.Error:
            counts[table] = 0  # e.g. FTS shadow tables, as datasette inspect does
    return {
        DATABASE: {
            "hash": inspect_hash(db_path),
            "size": db_path.stat().st_size,
            "file": DB_FILE,
            "tables": {name: {"count": n} for name, n in sorted(counts.items())},
        }
    }


def write_json(path: Path, data: Any) -> None:
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, default=str))
