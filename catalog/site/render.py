"""Rendering: the Jinja2 environment of each language, safe Markdown and JSON-LD.

Templates live in ``site/templates``, installed as the package ``catalog_site`` (see
pyproject.toml), so they ship in a wheel; every string in them goes through
``catalog.i18n`` (``_`` is bound to the page's language), so a page exists in
Spanish at ``/`` and in English under ``/en/`` from the same template. The static
catalogue (at build time) and the transparency workspace's pages (at request time,
``site/templates/transparencia/``) share this one environment, base template and
stylesheet.
"""

from __future__ import annotations

import importlib.util
import json
import re
import threading
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import markdown
import nh3
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    TemplateNotFound,
    select_autoescape,
)
from markupsafe import Markup

from catalog import urls
from catalog.errors import CatalogError
from catalog.i18n import _, normalize_lang, ntranslate, translate
from catalog.vocabularies import label

SITE_PACKAGE = "catalog_site"


def site_folder() -> Path:
    """The folder of the installed ``catalog_site`` package (the repository's ``site/``).

    Found through the import system, so it is the same for an editable install (the
    source tree) and a wheel (site-packages). ``catalog_site`` has no ``__init__.py``:
    it is a namespace package, whose search path may hold entries that are not folders
    (an editable install's path hook), so the first one holding ``templates`` wins.
    """
    spec = importlib.util.find_spec(SITE_PACKAGE)
    for entry in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(entry)
        if (folder / "templates").is_dir():
            return folder
    # Not installed: the paths below do not exist and ``environment`` says so.
    return Path(SITE_PACKAGE)


SITE = site_folder()
TEMPLATES = SITE / "templates"
ASSETS = SITE / "assets"
# Babel locales for numbers and dates: Guatemala writes 1,234.5 as the US does.
LOCALES = {"es": "es_GT", "en": "en_US"}
# The same locales parsed once: Babel parses a locale's name on every call given one.
_LOCALE = {lang: Locale.parse(name) for lang, name in LOCALES.items()}
_HEADING = re.compile(r"<(/?)h([1-5])\b")


def page_url(path: str, lang: str) -> str:
    """The address of a language-neutral page path (``datasets/x/y/``) in ``lang``."""
    return ("/en/" if lang == "en" else "/") + path


def number(value: Any, lang: str, digits: int = 0) -> str:
    """A number as the reader writes it (``1,234`` / ``1,234.5``)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, int | float):
        return str(value)
    return _number(value, lang, digits)


# Pages show the same counts and years over and over (typed: 1 and 1.0 are two keys).
@lru_cache(maxsize=8192, typed=True)
def _number(value: float, lang: str, digits: int) -> str:
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_LOCALE[lang])


def long_date(value: Any, lang: str) -> str:
    """``2025-06-30`` as ``30 de junio de 2025`` / ``June 30, 2025``; other text as is."""
    if isinstance(value, str):
        return _long_date_text(value, lang)
    return _long_date(value, lang)


@lru_cache(maxsize=4096)  # a catalogue's dates are few: each is written once per language
def _long_date_text(value: str, lang: str) -> str:
    return _long_date(value, lang)


def _long_date(value: Any, lang: str) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if not isinstance(value, date):
        return "" if value is None else str(value)
    return format_date(value, format="long", locale=_LOCALE[lang])


def json_ld(data: Any) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: no ``</script>`` can end it early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _missing(name: str) -> CatalogError:
    return CatalogError(
        _("The page template {name} is missing from the installation ({folder})."),
        _(
            "Reinstall the catalog package (pip install .): its site templates and assets are the package catalog_site."
        ),
        name=name,
        folder=str(TEMPLATES),
    )


def _translator(lang: str) -> Callable[..., str]:
    """``_`` of the templates: ``translate`` in ``lang``, each message looked up once
    (a dataset page asks for about a hundred)."""
    known: dict[str, str] = {}

    def _(msgid: str, **params: Any) -> str:
        if params:
            return translate(msgid, lang, **params)
        text = known.get(msgid)
        if text is None:
            text = known[msgid] = translate(msgid, lang)
        return text

    return _


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between processes (keyed by each template's source, so an
    edited template compiles again): each build's workers skip compiling them."""
    try:
        return FileSystemBytecodeCache()  # a private folder of this user's in the temp dir
    except (OSError, RuntimeError):  # no safe temporary folder: compile in each process
        return None


@lru_cache(maxsize=4)
def environment(lang: str) -> Environment:
    """The Jinja2 environment of ``lang``: every page of the portal, static or served by
    the workspace, renders with these globals (``_``, ``url``, ``urls``, ...)."""
    if not TEMPLATES.is_dir():
        raise _missing("base.html")
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
        # Templates are installed files, not edited under a running build or server:
        # not checking each one's time stamp on every render saves a stat per template.
        auto_reload=False,
    )
    other = "en" if lang == "es" else "es"
    env.globals.update(
        _=_translator(lang),
        _n=lambda singular, plural, count, **params: ntranslate(
            singular, plural, count, lang, **params
        ),
        lang=lang,
        other_lang=other,
        urls=urls,
        url=lambda path: page_url(path, lang),
        other_url=lambda path: page_url(path, other),
        label=lambda vocabulary, code: label(vocabulary, code, lang),
        number=lambda value, digits=0: number(value, lang, digits),
        long_date=lambda value: long_date(value, lang),
    )
    env.filters["json_ld"] = json_ld
    return env


def render(template: str, lang: str | None = None, **context: Any) -> str:
    """Render one of the site's templates in ``lang`` (Spanish by default)."""
    lang = normalize_lang(lang)
    context.setdefault("path", "")
    try:  # the page, or a template it extends or includes
        return environment(lang).get_template(template).render(**context)
    except TemplateNotFound as missing:
        # TemplateNotFound is an OSError: left as it is, a build would blame the disk.
        # jinja2 types its name as str, Undefined or None: only a str names a file.
        name = missing.name if isinstance(missing.name, str) else None
        raise _missing(name or template) from None


@lru_cache(maxsize=64)  # a README is shown in both languages: render it once
def markdown_html(text: str | None) -> str:
    """Publisher Markdown as safe HTML: scripts, styles, event handlers and
    ``javascript:`` links removed. Headings move one level down, since the page
    title is the only ``<h1>``."""
    if not text:
        return ""
    html = _markdown().reset().convert(text)
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", html)
    return nh3.clean(html, url_schemes={"http", "https", "mailto"})


_PARSERS = threading.local()  # a Markdown parser is not thread-safe: one per thread


def _markdown() -> markdown.Markdown:
    """This thread's Markdown parser, built once (building one costs more than most
    READMEs take to convert); ``reset`` clears what the last conversion left."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists"]
        )
    return parser
