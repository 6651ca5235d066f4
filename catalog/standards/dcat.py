"""The catalogue as DCAT-AP 3.0.1, written as Turtle and JSON-LD.

Harvesters (data.europa.eu, CKAN's ckanext-dcat, national portals) read
``/catalog.ttl`` or ``/catalog.jsonld``. The graph passes the official DCAT-AP 3.0.1
SHACL shapes (tests/test_dcat.py), which check ranges by class without inference:
so every node used as an object is typed explicitly (a licence is a
``dct:LicenseDocument``, a theme a ``skos:Concept``, a download address an
``rdfs:Resource`` ...). Nodes get hash URIs under the pages they describe rather than
blank nodes, so the same catalogue always serialises to the same bytes.
"""

from __future__ import annotations

import marshal
import zlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Any

from rdflib import Literal, URIRef

from catalog import territories, urls
from catalog.i18n import _, translate
from catalog.release.manifest import Manifest
from catalog.standards import facts
from catalog.standards.rdf import (
    Statements,
    Vocabulary,
    iri,
    jsonld_document,
    turtle_document,
)
from catalog.vocabularies import entry

DCAT = Vocabulary("http://www.w3.org/ns/dcat#")
DCTERMS = Vocabulary("http://purl.org/dc/terms/")
FOAF = Vocabulary("http://xmlns.com/foaf/0.1/")
SKOS = Vocabulary("http://www.w3.org/2004/02/skos/core#")
VCARD = Vocabulary("http://www.w3.org/2006/vcard/ns#")
ADMS = Vocabulary("http://www.w3.org/ns/adms#")
RDF = Vocabulary("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Vocabulary("http://www.w3.org/2000/01/rdf-schema#")
XSD = Vocabulary("http://www.w3.org/2001/XMLSchema#")
EU = "http://publications.europa.eu/resource/authority/"
DATA_THEME = URIRef(EU + "data-theme")
LANGUAGES = {"es": URIRef(EU + "language/SPA"), "en": URIRef(EU + "language/ENG")}
PUBLIC = URIRef(EU + "access-right/PUBLIC")
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
LOCAL_AUTHORITY = ("LocalAuthority", {"es": "Autoridad local", "en": "Local authority"})
NATIONAL_AUTHORITY = ("NationalAuthority", {"es": "Autoridad nacional", "en": "National authority"})

CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "adms": str(ADMS),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def graph(manifests: list[Manifest], publishers: dict[str, dict], lang: str) -> Statements:
    """The whole catalogue: catalogue, services, datasets, distributions, agents."""
    g = Statements(CONTEXT)
    catalog = _catalog(g, lang, *catalog_dates(manifests))
    services = _services(g, catalog, lang)
    for manifest in sorted(manifests, key=lambda m: m["dataset"]):
        slug = manifest["publisher"]
        dataset = _dataset(g, manifest, slug, publishers.get(slug), lang)
        g.add((catalog, DCAT.dataset, dataset))
        for service in services:
            g.add((service, DCAT.servesDataset, dataset))
    return g


# ------------------------------------------------------------------ pages

HYDRA = Vocabulary("http://www.w3.org/ns/hydra/core#")
PAGED = {**CONTEXT, "hydra": str(HYDRA)}  # the prefixes of a page
PAGE_SIZE = 1000  # datasets a page holds; a catalogue this small is one document


def page_count(count: int, size: int | None = None) -> int:
    """How many pages ``count`` datasets make: one (the whole catalogue) up to ``PAGE_SIZE``."""
    size = size or PAGE_SIZE
    return 1 if count <= size else -(-count // size)


def page_path(page: int, ext: str) -> str:
    """The static file of a page (``/catalog/page-2.ttl``); ``/catalog.ttl?page=2`` is
    the same document (catalog/serve.py)."""
    return f"/catalog/page-{page}.{ext}"


def paged_graphs(
    manifests: list[Manifest],
    publishers: dict[str, dict],
    lang: str,
    page: int,
    size: int | None = None,
) -> dict[str, Statements]:
    """Page ``page`` (from 1) of the catalogue, as ckanext-dcat pages it, for each format
    (``ttl``, ``jsonld``): the catalogue and its services, the page's datasets (in id
    order) and a ``hydra:PagedCollection`` (totalItems, itemsPerPage, firstPage,
    lastPage, previousPage, nextPage) whose links are the pages' static files in that
    format. The datasets are described once for both formats."""
    size = size or PAGE_SIZE
    ordered = sorted(manifests, key=lambda m: m["dataset"])
    g = Statements(PAGED)
    catalog = _catalog(g, lang, *catalog_dates(manifests))
    services = _services(g, catalog, lang)
    for manifest in ordered[(page - 1) * size : page * size]:
        slug = manifest["publisher"]
        dataset = _dataset(g, manifest, slug, publishers.get(slug), lang)
        g.add((catalog, DCAT.dataset, dataset))
        for service in services:
            g.add((service, DCAT.servesDataset, dataset))
    view = View(page, page_count(len(ordered), size), len(ordered), size)
    return {ext: _with_view(g, view, ext) for ext in ("ttl", "jsonld")}


@dataclass(frozen=True)
class View:
    """Where a page stands in the paged catalogue (its ``hydra:PagedCollection``)."""

    page: int
    pages: int
    total: int  # datasets in the whole catalogue
    size: int  # datasets a page holds


def _with_view(g: Statements, view: View, ext: str) -> Statements:
    """``g`` and the page's ``hydra:PagedCollection``, whose links are the pages' static
    files in format ``ext``."""
    h = Statements(g.prefixes)
    h.subjects = dict(g.subjects)  # the page's node is new: the rest is shared

    def link(n: int) -> URIRef:
        return URIRef(urls.absolute(page_path(n, ext)))

    node = link(view.page)
    h.add((node, RDF.type, HYDRA.PagedCollection))
    h.add((node, HYDRA.totalItems, Literal(view.total, datatype=XSD.integer)))
    h.add((node, HYDRA.itemsPerPage, Literal(view.size, datatype=XSD.integer)))
    h.add((node, HYDRA.firstPage, link(1)))
    h.add((node, HYDRA.lastPage, link(view.pages)))
    if view.page > 1:
        h.add((node, HYDRA.previousPage, link(view.page - 1)))
    if view.page < view.pages:
        h.add((node, HYDRA.nextPage, link(view.page + 1)))
    return h


# ------------------------------------------------------------ kept parts
#
# A large catalogue is written from each dataset's part, kept between builds
# (standards.write_documents): a changed dataset is described again, and its page put
# together from the parts of the others. A part holds the blocks of the subjects under
# the dataset's page (the dataset, its distributions, contact, period, downloads...),
# already written, and the statements about nodes datasets share (publishers,
# licences, themes, places...), which each page merges. Whatever order the subjects
# take, the document is the same bytes ``graph`` or ``paged_graphs`` serialise to.

# (dataset IRI, first and last of its own subjects, its compressed texts): plain
# strings and bytes, so that the site's state (marshal) keeps it as it is. Compressed
# because a part is about 16 KB of text and a site keeps one per dataset.
Part = tuple[str, str, str, bytes]


def dataset_part(manifest: Manifest, publisher: dict | None, lang: str, paged: bool) -> Part:
    """The part of ``manifest`` in a page (``paged``) or in the whole catalogue."""
    g = Statements(PAGED if paged else CONTEXT)
    dataset = _dataset(g, manifest, manifest["publisher"], publisher, lang)
    home = facts.page(manifest)
    own = [s for s in g.subjects if str(s).startswith(home)]
    shared = [s for s in g.subjects if not str(s).startswith(home)]
    mine = g.only(own)
    blocks, nodes = mine.blocks(), mine.nodes()
    texts = (
        "\n\n".join(block for _, block in blocks),  # as turtle_document separates them
        ",".join(node for _, node in nodes),
        g.only(shared).rows(),
    )
    return str(dataset), blocks[0][0], blocks[-1][0], zlib.compress(marshal.dumps(texts), 1)


def documents(
    parts: list[Part],
    lang: str,
    dates: tuple[date | None, date | None],
    view: View | None = None,
) -> dict[str, str] | None:
    """Turtle and JSON-LD (by extension) of the page ``view`` (the whole catalogue
    without one) made of ``parts``, in dataset order; ``dates``: ``catalog_dates`` of
    the whole catalogue. None when the subjects of two parts, or of a part and a shared
    node, would interleave (a dataset page under another's): the page is then
    described from scratch."""
    g = Statements(PAGED if view else CONTEXT)
    catalog = _catalog(g, lang, *dates)
    services = _services(g, catalog, lang)
    turtles, nodes = [], []
    # Statements about shared nodes, each once, in the order the datasets first make
    # them (as ``graph`` adds them: JSON-LD keeps that order among equal texts).
    rows: dict[tuple[str, ...], None] = {}
    for dataset, first, last, blob in parts:
        turtle, node, shared = marshal.loads(zlib.decompress(blob))
        turtles.append((first, last, turtle))
        nodes.append((first, last, node))
        rows.update(dict.fromkeys(shared))
        described = URIRef(dataset)
        g.add((catalog, DCAT.dataset, described))
        for service in services:
            g.add((service, DCAT.servesDataset, described))
    g.add_rows(rows)
    found = {}
    for ext, own in (("ttl", turtles), ("jsonld", nodes)):
        h = _with_view(g, view, ext) if view else g
        texts = _merged(own, h.blocks() if ext == "ttl" else h.nodes())
        if texts is None:
            return None
        write = turtle_document if ext == "ttl" else jsonld_document
        found[ext] = write(h.prefixes, texts)
    return found


def _merged(own: list[tuple[str, str, str]], shared: list[tuple[str, str]]) -> list[str] | None:
    """The texts of the parts' subjects (a run of subjects each, from first to last) and
    of the shared ones in subject order; None when runs interleave."""
    units = sorted(own + [(subject, subject, text) for subject, text in shared])
    for before, after in pairwise(units):
        if not before[1] < after[0]:
            return None
    return [text for _, _, text in units]


def turtle(g: Statements) -> str:
    return g.turtle()


def jsonld(g: Statements) -> str:
    return g.jsonld()


# ---------------------------------------------------------------- the catalogue


def catalog_dates(manifests: list[Manifest]) -> tuple[date | None, date | None]:
    """What the catalogue node says of its datasets: the newest modification and the
    first issue."""
    first = min((d for d in map(facts.issued, manifests) if d), default=None)
    return facts.newest(manifests), first


def _catalog(g: Statements, lang: str, newest: date | None, first: date | None) -> URIRef:
    home = URIRef(urls.absolute(urls.home()))
    catalog = URIRef(f"{home}#catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    for code in ("es", "en"):
        g.add((catalog, DCTERMS.title, Literal(facts.portal_name(code), lang=code)))
        text = translate(
            _(
                "Open data published by public bodies of {country}: datasets, "
                "downloads, SQL queries and an API."
            ),
            code,
            country=facts.country_name(facts.DEFAULT_COUNTRY, code),
        )
        g.add((catalog, DCTERMS.description, Literal(text, lang=code)))
        g.add((catalog, DCTERMS.language, _typed(g, LANGUAGES[code], DCTERMS.LinguisticSystem)))
    g.add((catalog, FOAF.homepage, _typed(g, home, FOAF.Document)))
    agent = URIRef(f"{home}#publisher")
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal(facts.portal_publisher(lang), lang=lang)))
    g.add((catalog, DCTERMS.publisher, agent))
    g.add((catalog, DCTERMS.spatial, _country(g, facts.DEFAULT_COUNTRY)))
    scheme = _typed(g, DATA_THEME, SKOS.ConceptScheme)
    g.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    g.add((catalog, DCAT.themeTaxonomy, scheme))
    if newest:
        g.add((catalog, DCTERMS.modified, _date(newest)))
    if first:
        g.add((catalog, DCTERMS.issued, _date(first)))
    return catalog


def _services(g: Statements, catalog: URIRef, lang: str) -> list[URIRef]:
    """The two APIs over the same data: CKAN's Action API and Datasette's SQL."""
    described = [
        (
            urls.CKAN_ACTION,
            urls.API,
            _("CKAN-compatible Action API"),
            _("Search the catalogue and read datasets as JSON; works with ckanapi."),
        ),
        (
            "/sql/",
            "/sql/",
            _("SQL over every published table (Datasette)"),
            _("Query, join and export every published table with SQL, as JSON or CSV."),
        ),
    ]
    services = []
    for endpoint, page, title, text in described:
        service = URIRef(urls.absolute(page) + "#service")
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCTERMS.title, Literal(translate(title, lang), lang=lang)))
        g.add((service, DCTERMS.description, Literal(translate(text, lang), lang=lang)))
        endpoint_url = _typed(g, URIRef(urls.absolute(endpoint)), RDFS.Resource)
        g.add((service, DCAT.endpointURL, endpoint_url))
        g.add((service, DCAT.landingPage, _typed(g, URIRef(urls.absolute(page)), FOAF.Document)))
        g.add((service, DCTERMS.publisher, URIRef(urls.absolute(urls.home()) + "#publisher")))
        if endpoint == urls.CKAN_ACTION:
            description = URIRef(urls.absolute(urls.API) + "openapi.json")
            g.add((service, DCAT.endpointDescription, _typed(g, description, RDFS.Resource)))
        g.add((catalog, DCAT.service, service))
        services.append(service)
    return services


# ---------------------------------------------------------------- one dataset


def _dataset(
    g: Statements, manifest: Manifest, slug: str, publisher: dict | None, lang: str
) -> URIRef:
    page = facts.page(manifest)
    dataset = URIRef(page + "#dataset")
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.identifier, Literal(urls.ckan_id(manifest["dataset"]))))
    g.add((dataset, DCTERMS.title, Literal(facts.title(manifest), lang="es")))
    text = facts.description(manifest) or facts.title(manifest)
    g.add((dataset, DCTERMS.description, Literal(text, lang="es")))
    for word in facts.keywords(manifest):
        g.add((dataset, DCAT.keyword, Literal(word, lang="es")))
    for theme in facts.themes(manifest):
        g.add((dataset, DCAT.theme, _theme(g, theme)))
    g.add((dataset, DCTERMS.publisher, _agent(g, slug, publisher)))
    g.add((dataset, DCAT.landingPage, _typed(g, URIRef(page), FOAF.Document)))
    g.add((dataset, DCTERMS.language, _typed(g, LANGUAGES["es"], DCTERMS.LinguisticSystem)))
    g.add((dataset, DCTERMS.accessRights, _typed(g, PUBLIC, DCTERMS.RightsStatement)))
    version = facts.clean(manifest["package"].get("version"))
    if version:
        g.add((dataset, DCAT.version, Literal(version)))
    for prop, value in (
        (DCTERMS.issued, facts.issued(manifest)),
        (DCTERMS.modified, facts.modified(manifest)),
    ):
        if value:
            g.add((dataset, prop, _date(value)))
    _contact(g, dataset, manifest, page)
    _frequency(g, dataset, manifest)
    _temporal(g, dataset, manifest, page)
    _spatial(g, dataset, manifest, publisher)
    for download in facts.downloads(manifest, lang):
        g.add((dataset, DCAT.distribution, _distribution(g, manifest, download, page, lang)))
    return dataset


def _distribution(
    g: Statements, manifest: Manifest, download: facts.Download, page: str, lang: str
) -> URIRef:
    name = download.url.rsplit("/", 1)[-1]
    node = URIRef(f"{page}#distribution-{name}")
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, Literal(download.title, lang=lang)))
    url = iri(download.url)
    g.add((node, DCAT.accessURL, _typed(g, url, RDFS.Resource)))
    g.add((node, DCAT.downloadURL, url))
    media_type = URIRef(facts.IANA + download.media_type)
    g.add((node, DCAT.mediaType, _typed(g, media_type, DCTERMS.MediaType)))
    file_type = URIRef(facts.FILE_TYPE + download.file_type)
    g.add((node, DCTERMS.format, _typed(g, file_type, DCTERMS.MediaTypeOrExtent)))
    if download.file_type == "ZIP":
        g.add((node, DCAT.packageFormat, media_type))
    licence = facts.license_url(manifest)
    if licence:
        g.add((node, DCTERMS.license, _licence(g, manifest, licence)))
    return node


def _agent(g: Statements, slug: str, publisher: dict | None) -> URIRef:
    agent = URIRef(urls.absolute(urls.publisher(slug)) + "#agent")
    if (agent, RDF.type, FOAF.Agent) in g:
        return agent
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, RDF.type, FOAF.Organization))
    g.add((agent, FOAF.name, Literal(facts.publisher_name(slug, publisher), lang="es")))
    acronym = facts.clean((publisher or {}).get("acronym"))
    if acronym:
        g.add((agent, SKOS.altLabel, Literal(acronym, lang="es")))
    website = facts.publisher_website(publisher)
    if website:
        g.add((agent, FOAF.homepage, _typed(g, iri(website), FOAF.Document)))
    email = facts.publisher_email(publisher)
    if email:
        g.add((agent, FOAF.mbox, iri(f"mailto:{email}")))
    kind = entry("publisher_kinds", str((publisher or {}).get("kind")))
    code, labels = LOCAL_AUTHORITY if (kind or {}).get("scope") else NATIONAL_AUTHORITY
    concept = _typed(g, URIRef(PUBLISHER_TYPE + code), SKOS.Concept)
    for language, text in labels.items():
        g.add((concept, SKOS.prefLabel, Literal(text, lang=language)))
    g.add((agent, DCTERMS.type, concept))
    return agent


def _contact(g: Statements, dataset: URIRef, manifest: Manifest, page: str) -> None:
    name, email = facts.contact(manifest)
    if not (name or email):
        return
    node = URIRef(page + "#contact")
    g.add((node, RDF.type, VCARD.Kind))
    g.add((node, RDF.type, VCARD.Organization))
    if name:
        g.add((node, VCARD.fn, Literal(name, lang="es")))
    if email:
        g.add((node, VCARD.hasEmail, iri(f"mailto:{email}")))
    g.add((dataset, DCAT.contactPoint, node))


def _frequency(g: Statements, dataset: URIRef, manifest: Manifest) -> None:
    found = facts.frequency(manifest)
    if not found or not found.get("uri"):
        return
    node = _typed(g, URIRef(found["uri"]), DCTERMS.Frequency)
    for language, text in found["label"].items():
        g.add((node, SKOS.prefLabel, Literal(text, lang=language)))
    g.add((dataset, DCTERMS.accrualPeriodicity, node))


def _temporal(g: Statements, dataset: URIRef, manifest: Manifest, page: str) -> None:
    start, end = facts.period(manifest)
    if not (start or end):
        return
    node = URIRef(page + "#temporal")
    g.add((node, RDF.type, DCTERMS.PeriodOfTime))
    if start:
        g.add((node, DCAT.startDate, _date(start)))
    if end:
        g.add((node, DCAT.endDate, _date(end)))
    g.add((dataset, DCTERMS.temporal, node))


def _spatial(g: Statements, dataset: URIRef, manifest: Manifest, publisher: dict | None) -> None:
    g.add((dataset, DCTERMS.spatial, _country(g, facts.country(manifest, publisher))))
    for code in facts.declared_territories(manifest, publisher):
        place = URIRef(urls.absolute(urls.territory(code)) + "#place")
        if (place, RDF.type, DCTERMS.Location) not in g:
            g.add((place, RDF.type, DCTERMS.Location))
            g.add((place, SKOS.prefLabel, Literal(facts.place_name(code), lang="es")))
            g.add((place, SKOS.notation, Literal(code)))
            department = territories.department_of(code)
            if department:
                parent = URIRef(urls.absolute(urls.territory(department)) + "#place")
                g.add((place, DCTERMS.isPartOf, parent))
        g.add((dataset, DCTERMS.spatial, place))


# ---------------------------------------------------------------- shared nodes


def _typed(g: Statements, node: URIRef, cls: URIRef) -> URIRef:
    g.add((node, RDF.type, cls))
    return node


@lru_cache(maxsize=4096)
def _date(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _country(g: Statements, code: str) -> URIRef:
    node = URIRef(facts.country_uri(code))
    if (node, RDF.type, DCTERMS.Location) in g:
        return node
    g.add((node, RDF.type, DCTERMS.Location))
    for language in ("es", "en"):
        g.add((node, SKOS.prefLabel, Literal(facts.country_name(code, language), lang=language)))
    return node


def _theme(g: Statements, theme: dict[str, Any]) -> URIRef:
    node = URIRef(theme["uri"])
    if (node, RDF.type, SKOS.Concept) in g:
        return node
    g.add((node, RDF.type, SKOS.Concept))
    for language, text in theme["label"].items():
        g.add((node, SKOS.prefLabel, Literal(text, lang=language)))
    g.add((node, SKOS.inScheme, DATA_THEME))
    return node


def _licence(g: Statements, manifest: Manifest, url: str) -> URIRef:
    node = iri(url)
    if (node, RDF.type, DCTERMS.LicenseDocument) in g:
        return node
    g.add((node, RDF.type, DCTERMS.LicenseDocument))
    for language in ("es", "en"):
        label = facts.license_title(manifest, language)
        if label:
            g.add((node, DCTERMS.title, Literal(label, lang=language)))
    return node
