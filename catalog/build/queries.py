"""A dataset's ``queries.yaml``: named SQL queries that become Datasette canned queries.

Format (beside ``datapackage.json``)::

    # In the SQL, name this dataset's tables by their resource name
    # ("from cobertura"); the build rewrites them to the published table
    # names (mides__bono_social__cobertura). Tables of other datasets are
    # named in full: <publisher>__<dataset>__<resource>, "-" written as "_".
    cobertura_por_departamento:
      title: Cobertura por departamento
      description: Beneficiarios por departamento.
      sql: select departamento, sum(beneficiarios) from cobertura group by departamento

A query may also be just its SQL string. Resource names are rewritten only
where a table is expected (after FROM or JOIN, and in a FROM list), never in
column names, strings or comments, and never when a WITH clause defines the
same name.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from catalog.content import read_yaml
from catalog.errors import CatalogError
from catalog.findings import Finding
from catalog.i18n import _
from catalog.release.naming import quote

QUERIES_FILE = "queries.yaml"
_TOKEN = re.compile(
    r"""(?P<space>\s+)|(?P<comment>--[^\n]*|/\*.*?(\*/|$))|(?P<string>'(?:[^']|'')*'?)"""
    r"""|(?P<quoted>"(?:[^"]|"")*"|\[[^\]]*\]|`[^`]*`)|(?P<word>[A-Za-z_][A-Za-z0-9_$]*)"""
    r"""|(?P<param>[:@$][A-Za-z_][A-Za-z0-9_]*)|(?P<other>.)""",
    re.DOTALL,
)
_TABLE_AFTER = {"from", "join"}
_END_OF_FROM = {
    "where",
    "group",
    "order",
    "limit",
    "having",
    "on",
    "using",
    "union",
    "except",
    "intersect",
    "window",
    "select",
    "set",
    "values",
}


def read_queries(folder: Path, dataset: str) -> tuple[dict[str, dict[str, str]], list[Finding]]:
    """The dataset's queries (empty without a queries.yaml), or blocking findings."""
    path = folder / QUERIES_FILE
    if not path.exists():
        return {}, []
    try:
        data = read_yaml(path)
    except CatalogError as error:
        return {}, [_finding(dataset, error.text, error.hint, error.params)]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [
            _finding(
                dataset,
                _("{path} must map query names to queries."),
                _("See docs/publishing.md for the format."),
                {"path": QUERIES_FILE},
            )
        ]
    queries: dict[str, dict[str, str]] = {}
    problems: list[Finding] = []
    for name, body in data.items():
        query = {"sql": body} if isinstance(body, str) else body
        if (
            not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", str(name))
            or not isinstance(query, dict)
            or not isinstance(query.get("sql"), str)
            or not query["sql"].strip()
        ):
            problems.append(
                _finding(
                    dataset,
                    _('Query {name} in {path} needs a name in lower case and an "sql" text.'),
                    _("Write name: {{title: ..., sql: select ...}}; names use a-z, 0-9, _ and -."),
                    {"name": str(name), "path": QUERIES_FILE},
                )
            )
            continue
        queries[str(name)] = {
            k: str(query[k]) for k in ("title", "description", "sql") if query.get(k) is not None
        }
    return queries, problems


def _finding(dataset: str, text: str, hint: str, params: dict[str, object]) -> Finding:
    return Finding(
        type="queries-error",
        dataset=dataset,
        text=text,
        hint=hint,
        params=dict(params),
        file=QUERIES_FILE,
    )


def rewrite(sql: str, tables: dict[str, str]) -> str:
    """Replace this dataset's resource names, where SQL expects a table, by their table names."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(sql)]
    ctes = _cte_names(tokens)
    out: list[str] = []
    previous = ""  # the last significant token, lower-cased
    in_from = False
    for kind, text in tokens:
        if kind in ("space", "comment"):
            out.append(text)
            continue
        name = _identifier(kind, text)
        wants_table = previous in _TABLE_AFTER or (in_from and previous == ",")
        if name is not None and wants_table and name in tables and name not in ctes:
            text = quote(tables[name])
        low = text.lower()
        if kind == "word" and low in _TABLE_AFTER:
            in_from = True
        elif (kind == "word" and low in _END_OF_FROM) or text in ("(", ")"):
            in_from = False
        previous = low
        out.append(text)
    return "".join(out)


def _identifier(kind: str | None, text: str) -> str | None:
    if kind == "word":
        return text.lower()
    if kind == "quoted":
        return text[1:-1].replace('""', '"').lower()
    return None


def _cte_names(tokens: list[tuple[str | None, str]]) -> set[str]:
    """Names that a WITH clause defines: ``name AS (`` or ``name(cols) AS (``."""
    significant = [(k, t) for k, t in tokens if k not in ("space", "comment")]
    names = set()
    for i, (kind, text) in enumerate(significant[:-2]):
        name = _identifier(kind, text)
        if name is None:
            continue
        rest = [t.lower() for _k, t in significant[i + 1 : i + 3]]
        if rest == ["as", "("]:
            names.add(name)
    return names


def check(conn: sqlite3.Connection, sql: str) -> str | None:
    """Why the query cannot run on this database, or None when SQLite can prepare it."""
    params = {
        m[1:]: None
        for kind, m in ((mm.lastgroup, mm.group()) for mm in _TOKEN.finditer(sql))
        if kind == "param"
    }
    try:
        conn.execute(f"EXPLAIN {sql}", params).fetchall()
    except (sqlite3.Error, ValueError) as exc:
        return str(exc)
    return None


def canned(queries: dict[str, dict[str, str]], tables: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Queries with their SQL rewritten, keyed by their bare names."""
    return {name: {**q, "sql": rewrite(q["sql"], tables)} for name, q in queries.items()}


__all__ = ["QUERIES_FILE", "canned", "check", "read_queries", "rewrite"]
