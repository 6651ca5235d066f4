"""Names in the release database, part of the release format.

Every resource becomes one table in the release's ``sql/catalogo.db`` named::

    <publisher>__<dataset>__<resource>

lower case, with every character other than ``a-z``, ``0-9`` and ``_`` turned
into ``_`` (so ``mides/bono-social`` resource ``beneficiarios`` is the table
``mides__bono_social__beneficiarios``). Journalists can type these names without
quoting, and the double underscore keeps the three parts apart: the catalogue's
own tables (``publishers``, ``datasets``, ``resources``, ``fields``) never
contain one. Two resources that would get the same name are a collision: the
build rejects the newcomer with a finding rather than guess.
"""

from __future__ import annotations

import re

SEPARATOR = "__"
CATALOGUE_TABLES = ("publishers", "datasets", "resources", "fields")
_UNSAFE = re.compile(r"[^a-z0-9_]")


def part(name: str) -> str:
    """One part of a table name: lower case, only ``[a-z0-9_]``."""
    return _UNSAFE.sub("_", name.lower()) or "_"


def table_name(publisher: str, dataset: str, resource: str) -> str:
    return SEPARATOR.join((part(publisher), part(dataset), part(resource)))


def query_name(publisher: str, dataset: str, query: str) -> str:
    """Canned queries share one namespace in Datasette, so they carry the same prefix."""
    return table_name(publisher, dataset, query)


def fts_table(table: str) -> str:
    """The full-text index of a table, as sqlite-utils and Datasette name it."""
    return f"{table}_fts"


def index_name(table: str, column: str) -> str:
    return f"idx_{table}_{part(column)}"


def quote(identifier: str) -> str:
    """Quote an SQL identifier (any column name a publisher chose is safe this way)."""
    return '"' + identifier.replace('"', '""') + '"'
