"""Datasette plugin: link every published table back to the catalogue.

On table, row and canned-query pages it shows the dataset the table comes from
(a link to ``/datasets/<publisher>/<dataset>/``), its publisher and licence, and
the columns with their types and descriptions. It reads the ``catalog`` block
that ``catalog build`` writes into each table's (and query's) metadata, so it
needs nothing but the metadata and works with immutable databases. Tables
without that block (any other database) are left alone.

Registered through the ``datasette`` entry point in pyproject.toml; the
templates in ``templates/`` extend Datasette's own and only add a panel. It also
gives Datasette the release's metadata (``metadata``), which Datasette would
otherwise copy whole for each table it checks permissions on.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from catalog.i18n import _, translate

from . import large, metadata

LABELS = {
    "dataset": _("Dataset"),
    "publisher": _("Publisher"),
    "license": _("Licence"),
    "columns": _("Columns: types and descriptions"),
    "column": _("Column"),
    "type": _("Type"),
    "description": _("Description"),
    "page": _("Dataset page"),
    "heading": _("From the open data catalogue"),
}


def _catalog_block(datasette: Any, database: str | None, name: str | None) -> dict | None:
    if not database or not name:
        return None
    block = (datasette.table_metadata(database, name) or {}).get("catalog")
    if block is None:
        queries = datasette.metadata("queries", database=database, fallback=False) or {}
        block = (queries.get(name) or {}).get("catalog") if isinstance(queries, dict) else None
    return block if isinstance(block, dict) else None


def _lang(datasette: Any, block: dict) -> str:
    config = datasette.plugin_config("catalog_links") or {}
    return block.get("lang") or config.get("lang") or "es"


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    name = table or (request.url_vars.get("table") if request is not None else None)
    block = _catalog_block(datasette, database, name)
    if block is None:
        return {}
    lang = _lang(datasette, block)
    return {
        "catalog_links": block,
        "catalog_labels": {key: translate(msgid, lang) for key, msgid in LABELS.items()},
    }


@hookimpl
def table_actions(datasette, database, table):
    block = _catalog_block(datasette, database, table)
    if block is None:
        return None
    label = translate(LABELS["page"], _lang(datasette, block))
    return [{"href": block["dataset_url"], "label": f"{label}: {block.get('dataset_title', '')}"}]


@hookimpl
def get_metadata(datasette, key, database, table):
    """The release's metadata, which ``catalog.sqlproc`` holds here (metadata.py)."""
    return metadata.lookup(datasette, key)


@hookimpl
def register_routes(datasette):
    """The home and database pages of a catalogue too large for Datasette's (large.py)."""
    return large.ROUTES
