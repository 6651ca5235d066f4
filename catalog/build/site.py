"""The simple static site of a release: an index of datasets and a page per dataset.

Rendered with Jinja2 from ``site/templates`` (autoescaped; text through
catalog.i18n), Spanish by default. Publisher Markdown (README.md) is rendered
with ``markdown`` and sanitised with ``nh3`` before it reaches a page. The
site issue later replaces this with the full static catalogue.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

import markdown
import nh3
from jinja2 import Environment, FileSystemLoader, select_autoescape

from catalog.build.catalogue import license_of
from catalog.build.datasette import DATABASE
from catalog.build.naming import dataset_url, query_name
from catalog.i18n import normalize_lang, translate

SITE = Path(__file__).resolve().parents[2] / "site"
TEMPLATES = SITE / "templates"
ASSETS = SITE / "assets"
SQL_BASE = "/sql/"


@lru_cache(maxsize=4)
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = lambda msgid, **params: translate(msgid, lang, **params)
    env.globals["lang"] = lang
    env.globals["sql_base"] = SQL_BASE
    return env


def render(template: str, lang: str | None = None, **context: Any) -> str:
    """Render one of the site's templates in ``lang`` (Spanish by default)."""
    return environment(normalize_lang(lang)).get_template(template).render(**context)


def markdown_html(text: str | None) -> str:
    """Publisher Markdown as safe HTML: scripts, styles and event handlers removed."""
    if not text:
        return ""
    return nh3.clean(markdown.markdown(text, extensions=["tables", "fenced_code"]))


def _resource_links(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    links = []
    for plan in manifest["tables"]:
        table_url = f"{SQL_BASE}{DATABASE}/{plan['name']}"
        links.append(
            {
                **plan,
                "url": table_url,
                "csv": f"{table_url}.csv?_stream=on&_size=max",
                "json": f"{table_url}.json?_shape=array",
            }
        )
    return links


def dataset_context(
    manifest: dict[str, Any], publishers: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    package = manifest["package"]
    license_name, license_url = license_of(package)
    tabular = {t["resource"] for t in manifest["tables"]}
    return {
        "dataset": manifest["dataset"],
        "url": dataset_url(manifest["dataset"]),
        "package": package,
        "publisher": {
            "slug": manifest["publisher"],
            **(publishers.get(manifest["publisher"]) or {}),
        },
        "license": license_name,
        "license_url": license_url,
        "readme": markdown_html(manifest.get("readme")),
        "tables": _resource_links(manifest),
        "files": [
            r
            for r in package.get("resources") or []
            if isinstance(r, dict) and r.get("name") not in tabular
        ],
        "queries": [
            {
                "name": name,
                "title": q.get("title") or name,
                "description": q.get("description"),
                "url": f"{SQL_BASE}{DATABASE}/"
                + query_name(manifest["publisher"], manifest["name"], name),
            }
            for name, q in (manifest.get("queries") or {}).items()
        ],
        "sql_url": f"{SQL_BASE}{DATABASE}",
    }


def write_site(
    folder: Path,
    manifests: list[dict[str, Any]],
    publishers: dict[str, dict[str, Any]],
    lang: str,
) -> None:
    """Write index.html, one page per dataset, 404.html and the assets into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = [dataset_context(m, publishers) for m in manifests]
    by_publisher: dict[str, list[dict[str, Any]]] = {}
    for page in pages:
        by_publisher.setdefault(page["publisher"]["slug"], []).append(page)
    groups = [
        {"slug": slug, "name": (publishers.get(slug) or {}).get("name") or slug, "datasets": items}
        for slug, items in sorted(by_publisher.items())
    ]
    (folder / "index.html").write_text(
        render("index.html", lang, groups=groups, count=len(pages)), encoding="utf-8"
    )
    for page in pages:
        # The id is publisher/dataset, two slugs checked before loading: no path tricks.
        target = folder / "datasets" / page["dataset"]
        target.mkdir(parents=True, exist_ok=True)
        (target / "index.html").write_text(render("dataset.html", lang, **page), encoding="utf-8")
    (folder / "404.html").write_text(render("error.html", lang, status=404), encoding="utf-8")
    if ASSETS.is_dir():
        shutil.copytree(ASSETS, folder / "assets", dirs_exist_ok=True)
