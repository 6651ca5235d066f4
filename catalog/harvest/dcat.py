"""Reading DCAT catalogues: DCAT-US 1.1 ``data.json``, and DCAT-AP in Turtle or JSON-LD.

DCAT-AP catalogues may be paged with Hydra (``hydra:next`` or the older
``hydra:nextPage`` of a ``hydra:PagedCollection``): pages are followed until there is no
next one, and a next page already visited is a loop, which stops the harvest. A
JSON-LD document that points at a remote ``@context`` is refused rather than letting the
parser fetch it (that fetch would bypass the harvester's network rules).
"""

from __future__ import annotations

import warnings
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS

from catalog.harvest.mapping import PublisherRecord, Record, ResourceRecord, slugify
from catalog.harvest.net import Fetcher, FetchError
from catalog.harvest.sources import SourceError, decode_json, looks_like_html, text_of
from catalog.i18n import _

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3, unknown to rdflib
MAX_PAGES = 10_000
RDF_ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.5"


def _get(fetcher: Fetcher, url: str, accept: str) -> tuple[bytes, str]:
    try:
        body, kind, _final = fetcher.get_bytes(url, accept)
    except FetchError as exc:
        raise SourceError(exc.code, exc.text, **exc.params) from None
    return body, kind


def _name_from(identifier: str) -> str:
    """A dataset name from an identifier: the last part of an address, after any '--'."""
    value = identifier.rstrip("/#").split("#", 1)[0].rstrip("/")
    value = value.rsplit("/", 1)[-1] if "://" in value else value
    return slugify(value.rsplit("--", 1)[-1])


# ---------------------------------------------------------------- DCAT-US data.json


def _mail(value: str) -> str:
    return value[7:] if value.lower().startswith("mailto:") else value


def datajson_records(fetcher: Fetcher, url: str) -> list[Record]:
    body, kind = _get(fetcher, url, "application/json")
    data = decode_json(body, kind, url)
    datasets = data.get("dataset") if isinstance(data, dict) else None
    if not isinstance(datasets, list):
        raise SourceError(
            "not-datajson", _('{url} is not a DCAT-US catalogue (no "dataset" list).'), url=url
        )
    return [_datajson_record(d) for d in datasets if isinstance(d, dict) and d.get("title")]


def _texts(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [text_of(v) for v in items if text_of(v)]


def _datajson_record(d: dict[str, Any]) -> Record:
    publisher = d.get("publisher") if isinstance(d.get("publisher"), dict) else {}
    contact = d.get("contactPoint") if isinstance(d.get("contactPoint"), dict) else {}
    name = text_of((publisher or {}).get("name"))
    identifier = (
        text_of(d.get("identifier")) or text_of(d.get("landingPage")) or text_of(d["title"])
    )
    resources = []
    for item in d.get("distribution") or []:
        if isinstance(item, dict) and text_of(item.get("downloadURL")):
            resources.append(
                ResourceRecord(
                    title=text_of(item.get("title")),
                    url=text_of(item.get("downloadURL")),
                    format=text_of(item.get("format")),
                    mediatype=text_of(item.get("mediaType")),
                    description=text_of(item.get("description")),
                )
            )
    return Record(
        source_id=identifier,
        name=_name_from(identifier) or slugify(text_of(d["title"])),
        title=text_of(d["title"]),
        publisher=PublisherRecord(key=name, title=name),
        description=text_of(d.get("description")),
        keywords=_texts(d.get("keyword")),
        themes=_texts(d.get("theme")),
        licenses=_texts(d.get("license")),
        frequency=text_of(d.get("accrualPeriodicity")),
        contact_name=text_of((contact or {}).get("fn")),
        contact_email=_mail(text_of((contact or {}).get("hasEmail"))),
        version=text_of(d.get("version")),
        issued=text_of(d.get("issued")),
        modified=text_of(d.get("modified")),
        landing_page=text_of(d.get("landingPage")),
        resources=resources,
    )


# ---------------------------------------------------------------- DCAT-AP (RDF)


def _format_of(body: bytes, content_type: str) -> str:
    kind = content_type.split(";")[0].strip().lower()
    head = body[:200].lstrip()
    if "json" in kind or head[:1] in (b"{", b"["):
        return "json-ld"
    if "xml" in kind or head.startswith(b"<?xml") or head.startswith(b"<rdf"):
        return "xml"
    return "turtle"


def _no_remote_context(value: Any, url: str) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            context = item.get("@context")
            for ctx in context if isinstance(context, list) else [context]:
                if isinstance(ctx, str):
                    raise SourceError(
                        "remote-context",
                        _("{url} uses a remote JSON-LD context, which is not fetched."),
                        url=url,
                    )
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _parse(body: bytes, content_type: str, url: str) -> Graph:
    if looks_like_html(body):
        raise SourceError(
            "html", _("{url} answered with a web page (HTML) instead of data."), url=url
        )
    fmt = _format_of(body, content_type)
    if fmt == "json-ld":
        _no_remote_context(decode_json(body, content_type, url), url)
    graph = Graph()
    try:
        with warnings.catch_warnings():  # rdflib's JSON-LD parser warns about itself
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(data=body, format=fmt, publicID=url)
    except Exception:  # noqa: BLE001 - rdflib raises many kinds for a broken document
        raise SourceError(
            "garbage", _("{url} is not a readable DCAT catalogue ({format})."), url=url, format=fmt
        ) from None
    return graph


def _next_page(graph: Graph) -> str:
    for prop in (HYDRA.next, HYDRA.nextPage):
        for value in graph.objects(None, prop):
            return str(value)
    return ""


def dcat_records(fetcher: Fetcher, url: str) -> list[Record]:
    records: dict[str, Record] = {}
    visited: set[str] = set()
    page = url
    while page:
        if page in visited or len(visited) >= MAX_PAGES:
            raise SourceError(
                "pagination-loop",
                _("The source repeats its pages: {url} was already read."),
                url=page,
            )
        visited.add(page)
        body, kind = _get(fetcher, page, RDF_ACCEPT)
        graph = _parse(body, kind, page)
        found = [_rdf_record(graph, s) for s in set(graph.subjects(RDF.type, DCAT.Dataset))]
        if not found and len(visited) == 1 and not _next_page(graph):
            if not any(graph.subjects(RDF.type, DCAT.Catalog)):
                raise SourceError(
                    "not-dcat", _("{url} holds no DCAT catalogue or dataset."), url=page
                )
        for record in sorted(found, key=lambda r: r.source_id):
            records.setdefault(record.source_id, record)
        page = _next_page(graph)
    return list(records.values())


def _literal(graph: Graph, subject: Any, prop: URIRef) -> str:
    """The Spanish value of a property, else one without language, else any."""
    values = [v for v in graph.objects(subject, prop) if isinstance(v, Literal)]
    for wanted in ("es", None, "en"):
        for value in values:
            if value.language == wanted or (wanted and (value.language or "").startswith(wanted)):
                return str(value).strip()
    return str(values[0]).strip() if values else ""


def _node(graph: Graph, subject: Any, prop: URIRef) -> Any:
    return next(iter(graph.objects(subject, prop)), None)


def _rdf_record(graph: Graph, subject: Any) -> Record:
    lit = _literal
    publisher = _node(graph, subject, DCTERMS.publisher)
    contact = _node(graph, subject, DCAT.contactPoint)
    pub_name = lit(graph, publisher, FOAF.name) if publisher is not None else ""
    acronym = lit(graph, publisher, SKOS.altLabel) if publisher is not None else ""
    pub_mail = str(_node(graph, publisher, FOAF.mbox) or "") if publisher is not None else ""
    homepage = str(_node(graph, publisher, FOAF.homepage) or "") if publisher is not None else ""
    identifier = lit(graph, subject, DCTERMS.identifier) or str(subject)
    licences: list[str] = [str(v) for v in graph.objects(subject, DCTERMS.license)]
    resources = []
    for dist in sorted(graph.objects(subject, DCAT.distribution), key=str):
        url = _node(graph, dist, DCAT.downloadURL) or _node(graph, dist, DCAT.accessURL)
        if url is None:
            continue
        fmt = _node(graph, dist, DCTERMS.format)
        media = _node(graph, dist, DCAT.mediaType)
        licences += [str(v) for v in graph.objects(dist, DCTERMS.license)]
        resources.append(
            ResourceRecord(
                title=lit(graph, dist, DCTERMS.title),
                url=str(url),
                format=str(fmt or ""),
                mediatype=str(media or "").rsplit("media-types/", 1)[-1],
                description=lit(graph, dist, DCTERMS.description),
            )
        )
    email = str(_node(graph, contact, VCARD.hasEmail) or "") if contact is not None else ""
    return Record(
        source_id=identifier,
        name=_name_from(identifier) or _name_from(str(subject)),
        title=lit(graph, subject, DCTERMS.title),
        publisher=PublisherRecord(
            key=acronym or pub_name,
            title=pub_name or acronym,
            email=_mail(pub_mail),
            website=homepage,
        ),
        description=lit(graph, subject, DCTERMS.description),
        keywords=sorted({str(v).strip() for v in graph.objects(subject, DCAT.keyword)}),
        themes=sorted(str(v) for v in graph.objects(subject, DCAT.theme)),
        licenses=list(dict.fromkeys(licences)),
        frequency=str(_node(graph, subject, DCTERMS.accrualPeriodicity) or ""),
        contact_name=lit(graph, contact, VCARD.fn) if contact is not None else "",
        contact_email=_mail(email),
        version=lit(graph, subject, DCAT_VERSION) or lit(graph, subject, OWL.versionInfo),
        issued=lit(graph, subject, DCTERMS.issued),
        modified=lit(graph, subject, DCTERMS.modified),
        landing_page=str(_node(graph, subject, DCAT.landingPage) or ""),
        resources=resources,
    )
