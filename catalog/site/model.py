"""What the pages say about a dataset: its summary (for lists, search and
territory pages) and the full view of its own page."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date
from typing import Any

from catalog import territories, urls
from catalog.findings import Finding
from catalog.i18n import _, translate
from catalog.jurisdictions import obligation
from catalog.release.manifest import Manifest, TablePlan, license_of
from catalog.release.naming import query_name, quote
from catalog.site import downloads, quality, versions
from catalog.site.render import markdown_html
from catalog.vocabularies import label

PREVIEW_ROWS = 10
DESCRIPTION_CHARS = 280
DOWNLOAD_LABELS = {
    "csv": _("CSV (UTF-8)"),
    "excel.csv": _("CSV for Excel"),
    "csv.gz": _("CSV compressed (gzip)"),
    "parquet": _("Parquet"),
    "json": _("JSON"),
    "ndjson": _("JSON, one row a line (NDJSON)"),
    "xlsx": _("Excel (XLSX)"),
}


def page_path(publisher: str, name: str) -> str:
    """The language-neutral path of a dataset page (``datasets/<pub>/<name>/``)."""
    return urls.dataset(publisher, name).lstrip("/")


def _short(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def summary(
    manifest: Manifest,
    facts: dict[str, Any],
    report: dict[str, Any],
    today: date,
) -> dict[str, Any]:
    """Everything lists, search and territory pages show about one dataset."""
    package = manifest["package"]
    valid = report.get("status", "published") != "kept-previous"
    scored = quality.score(package, manifest.get("readme"), valid, today)
    due = quality.due_date(package)
    return {
        "id": manifest["dataset"],
        "publisher": manifest["publisher"],
        "name": manifest["name"],
        "path": page_path(manifest["publisher"], manifest["name"]),
        "title": str(package.get("title") or manifest["dataset"]),
        "description": _short(str(package.get("description") or "")),
        "keywords": [str(k) for k in package.get("keywords") or []],
        "themes": [str(t) for t in package.get("themes") or []],
        "formats": sorted(
            {str(r.get("format") or "").lower() for r in package.get("resources") or []} - {""}
        ),
        "license": str(((package.get("licenses") or [{}])[0] or {}).get("name") or ""),
        "frequency": str(package.get("frequency") or ""),
        "issued": str(package.get("issued") or ""),
        "modified": str(package.get("modified") or ""),
        "territories": facts["territories"],
        "rows": sum(int(t.get("rows") or 0) for t in manifest["tables"]),
        "quality": scored["score"],
        "due": due.isoformat() if due else None,
        "overdue": bool(due and today > due),
        "status": report.get("status", "published"),
    }


# ------------------------------------------------------------- dataset page


def _constraints(field: Mapping[str, Any], lang: str) -> list[str]:
    c = field.get("constraints") or {}
    out = []
    if c.get("required"):
        out.append(translate("required", lang))
    if c.get("unique"):
        out.append(translate("unique", lang))
    if c.get("enum"):
        out.append(translate("one of: {values}", lang, values=", ".join(map(str, c["enum"]))))
    if c.get("minimum") is not None:
        out.append(translate("minimum {value}", lang, value=c["minimum"]))
    if c.get("maximum") is not None:
        out.append(translate("maximum {value}", lang, value=c["maximum"]))
    if c.get("pattern"):
        out.append(translate("pattern {value}", lang, value=c["pattern"]))
    return out


def _preview(conn: sqlite3.Connection | None, plan: TablePlan) -> list[list[str]]:
    if conn is None:
        return []
    kinds = [c["type"] for c in plan["columns"]]
    columns = ", ".join(quote(c["name"]) for c in plan["columns"])
    try:
        rows = conn.execute(
            f"select {columns} from {quote(plan['name'])} limit {PREVIEW_ROWS}"
        ).fetchall()
    except sqlite3.Error:
        return []
    return [[downloads._text(v, k) for v, k in zip(row, kinds, strict=True)] for row in rows]


def _privacy(resource: dict[str, Any], lang: str) -> list[str]:
    """The privacy checks a resource passed, in words."""
    rules = resource.get("privacy") or {}
    checks = [translate("No direct personal identifiers found in any column.", lang)]
    if rules.get("quasiIdentifiers"):
        checks.append(
            translate(
                "k-anonymity: every combination of {fields} is shared by at least {k} rows.",
                lang,
                fields=", ".join(map(str, rules["quasiIdentifiers"])),
                k=rules.get("k", 5),
            )
        )
    if rules.get("countFields"):
        checks.append(
            translate(
                "No small cells: counts in {fields} are 0 or at least {n}.",
                lang,
                fields=", ".join(map(str, rules["countFields"])),
                n=rules.get("minCellSize", 5),
            )
        )
    for item in rules.get("publicPersonalData") or []:
        if isinstance(item, dict):
            checks.append(
                translate(
                    "Column {field} holds personal data the law orders published ({basis}).",
                    lang,
                    field=item.get("field"),
                    basis=item.get("legalBasis"),
                )
            )
    return checks


def _download_links(
    manifest: Manifest, plan: TablePlan, sizes: dict[str, int]
) -> list[dict[str, Any]]:
    pub, name = manifest["publisher"], manifest["name"]
    links = []
    for kind in downloads.kinds_of(plan):
        href = urls.download(pub, name, plan["resource"], kind)
        links.append(
            {"kind": kind, "label": DOWNLOAD_LABELS[kind], "url": href, "size": sizes.get(href)}
        )
    return links


def dataset_view(
    manifest: Manifest,
    publisher: dict[str, Any],
    item: dict[str, Any],
    report: dict[str, Any],
    conn: sqlite3.Connection | None,
    sizes: dict[str, int],
    lang: str,
    today: date,
) -> dict[str, Any]:
    """The context of a dataset page in ``lang``."""
    package = manifest["package"]
    license_name, license_url = license_of(package)
    findings = [Finding.from_dict(f) for f in report.get("findings") or []]
    resources = {r.get("name"): r for r in package.get("resources") or [] if isinstance(r, dict)}
    tables = []
    for plan in manifest["tables"]:
        resource = resources.get(plan["resource"]) or {}
        fields = (resource.get("schema") or {}).get("fields") or plan["columns"]
        tables.append(
            {
                **plan,
                "fields": [{**f, "rules": _constraints(f, lang)} for f in fields],
                "preview": _preview(conn, plan),
                "downloads": _download_links(manifest, plan, sizes),
                "xlsx": downloads.xlsx_allowed(plan),
                "sql_url": urls.sql_table(plan["name"]),
                "privacy": _privacy(resource, lang),
                "notices": [f.what(lang) for f in findings if f.resource == plan["resource"]],
            }
        )
    tabular = {t["resource"] for t in tables}
    zip_url = urls.package_zip(manifest["publisher"], manifest["name"])
    valid = item["status"] != "kept-previous"
    return {
        "item": item,
        "package": package,
        "publisher": publisher,
        "license": license_name,
        "license_url": license_url,
        "readme": markdown_html(manifest.get("readme")),
        "tables": tables,
        "files": [r for n, r in resources.items() if n not in tabular],
        "queries": [
            {
                "title": q.get("title") or qname,
                "description": q.get("description"),
                "url": "/sql/catalogo/"
                + query_name(manifest["publisher"], manifest["name"], qname),
            }
            for qname, q in (manifest.get("queries") or {}).items()
            if isinstance(q, dict)
        ],
        "zip": {"url": zip_url, "size": sizes.get(zip_url)},
        "quality": quality.score(package, manifest.get("readme"), valid, today),
        "validation": {
            "valid": valid,
            "when": report.get("validated"),
            "errors": [f.message(lang) for f in findings if f.blocking],
            "notices": [f.what(lang) for f in findings if not f.blocking],
        },
        "obligations": [
            {"id": code, "title": ((obligation(code) or {}).get("title") or {}).get(lang, code)}
            for code in package.get("obligations") or []
        ],
        "ckan_id": urls.ckan_id(manifest["dataset"]),
        "api": {
            "package_show": urls.absolute(urls.package_show(manifest["dataset"])),
            "base": urls.base_url(),
        },
        "coverage": {
            "departments": [
                {"code": c, "name": territories.name(c)}
                for c in item["territories"]
                if territories.is_department(c)
            ],
            "municipalities": sum(1 for c in item["territories"] if territories.is_municipality(c)),
        },
        "frequency": label("frequencies", item["frequency"], lang),
        "versions": versions.view(report.get("versions") or [], lang),
    }
