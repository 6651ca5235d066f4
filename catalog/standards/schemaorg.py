"""The schema.org ``Dataset`` of a dataset page, as JSON-LD: what search engines
(Google Dataset Search and others) read to list the dataset.

Google asks for a description of 50 to 5,000 characters: a short one is completed
from the README's first paragraphs, a long one is cut at the end of a sentence.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import markdown
import nh3

from catalog import urls
from catalog.i18n import _, translate
from catalog.release.manifest import Manifest
from catalog.standards import facts

MIN_DESCRIPTION = 50
MAX_DESCRIPTION = 5000
MAX_VARIABLES = 100
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")


def dataset(manifest: Manifest, publisher: dict | None, lang: str) -> dict[str, Any]:
    """The schema.org ``Dataset`` for the page of ``manifest`` in ``lang``."""
    slug = manifest["publisher"]
    organization = _organization(slug, publisher)
    start, end = facts.period(manifest)
    modified, issued = facts.modified(manifest), facts.issued(manifest)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": facts.page(manifest) + "#dataset",
        "name": facts.title(manifest),
        "description": description(manifest, publisher, lang),
        "url": facts.page(manifest, lang),
        "identifier": urls.ckan_id(manifest["dataset"]),
        "keywords": facts.keywords(manifest),
        "license": facts.license_url(manifest),
        "isAccessibleForFree": True,
        "inLanguage": "es",
        "creator": organization,
        "publisher": organization,
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": facts.portal_name(lang),
            "url": urls.absolute(urls.home(lang)),
        },
        "version": facts.clean(manifest["package"].get("version")) or None,
        "dateModified": modified.isoformat() if modified else None,
        "datePublished": issued.isoformat() if issued else None,
        "temporalCoverage": f"{start.isoformat()}/{end.isoformat() if end else '..'}"
        if start
        else None,
        "spatialCoverage": _spatial(manifest, publisher, lang),
        "variableMeasured": _variables(manifest),
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title,
                "contentUrl": d.url,
                "encodingFormat": d.media_type,
            }
            for d in facts.downloads(manifest, lang)
        ],
    }
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def script(data: dict[str, Any]) -> str:
    """JSON text safe inside ``<script type="application/ld+json">``: a title holding
    ``</script>`` or ``<!--`` cannot end the element early."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def description(manifest: Manifest, publisher: dict | None, lang: str) -> str:
    """The dataset's description, completed or trimmed to 50-5,000 characters."""
    text = facts.description(manifest)
    # The README's paragraphs are rendered one at a time, only while the description is
    # short (rendering the whole README was a fifth of a dataset page's time).
    paragraphs = readme_paragraphs(manifest.get("readme"))
    while len(text) < MIN_DESCRIPTION and (paragraph := next(paragraphs, None)) is not None:
        if paragraph not in text:
            text = f"{text} {paragraph}".strip()
    if len(text) < MIN_DESCRIPTION:
        sentence = translate(
            _("{title}: open data published by {publisher}."),
            lang,
            title=facts.title(manifest),
            publisher=facts.publisher_name(manifest["publisher"], publisher),
        )
        text = f"{text} {sentence}".strip()
    return _trim(text)


def readme_paragraphs(readme: object) -> Iterator[str]:
    """The README's prose paragraphs as plain text: no headings, tables, lists or code;
    each rendered when it is asked for."""
    if not isinstance(readme, str):
        return
    for block in re.split(r"\n\s*\n", readme):
        block = block.strip()
        if not block or block.startswith(("#", "|", "```", "~~~", "- ", "* ", "<")):
            continue
        rendered = nh3.clean(_markdown().reset().convert(block), tags=set())
        plain = " ".join(html.unescape(rendered).split())
        if plain:
            yield facts.clean(plain)


_PARSERS = threading.local()  # a Markdown parser is not thread-safe: one per thread


def _markdown() -> markdown.Markdown:
    """This thread's Markdown parser, built once: building one costs more than the
    paragraphs of a README take to convert (every dataset page, in both languages)."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = markdown.Markdown()
    return parser


def _trim(text: str) -> str:
    if len(text) <= MAX_DESCRIPTION:
        return text
    head = text[:MAX_DESCRIPTION]
    ends = list(_SENTENCE_END.finditer(head + " "))
    if ends and ends[-1].end() >= MIN_DESCRIPTION:
        return head[: ends[-1].end()]
    return head[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"


def _organization(slug: str, publisher: dict | None) -> dict[str, Any]:
    organization = {
        "@type": "GovernmentOrganization",
        "name": facts.publisher_name(slug, publisher),
        "alternateName": facts.clean((publisher or {}).get("acronym")) or None,
        "url": facts.publisher_website(publisher) or urls.absolute(urls.publisher(slug)),
        "email": facts.publisher_email(publisher),
    }
    return {key: value for key, value in organization.items() if value}


def _spatial(
    manifest: Manifest, publisher: dict | None, lang: str
) -> dict[str, Any] | list[dict[str, Any]]:
    """The territories the data covers, each within its country; the country alone for
    national data."""
    code = facts.country(manifest, publisher)
    country = {"@type": "Country", "name": facts.country_name(code, lang), "identifier": code}
    places = [
        {
            "@type": "AdministrativeArea",
            "name": facts.place_name(territory),
            "identifier": territory,
            "containedInPlace": country,
        }
        for territory in facts.declared_territories(manifest, publisher)
    ]
    if not places:
        return country
    return places[0] if len(places) == 1 else places


def _variables(manifest: Manifest) -> list[str]:
    """The columns of the published tables, by title: what the data measures."""
    names: list[str] = []
    for resource in manifest["package"].get("resources") or []:
        schema = resource.get("schema") if isinstance(resource, dict) else None
        fields = schema.get("fields") if isinstance(schema, dict) else None
        for field in fields if isinstance(fields, list) else []:
            if isinstance(field, dict):
                label = facts.clean(field.get("title") or field.get("name"))
                if label and label not in names:
                    names.append(label)
    return names[:MAX_VARIABLES]
