"""DCAT-AP 3.0.1 output: the official SHACL shapes, Turtle and JSON-LD, escaping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from pyshacl import validate
from rdflib import RDF, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, SH, SKOS

from catalog import standards, urls
from catalog.standards import dcat, facts
from catalog.standards.dcat import DCAT
from catalog.vocabularies import vocabulary

SHAPES = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "dcat-ap-3.0.1"
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    """The official shapes and ranges in one graph. The 3.0.1 release lists a few
    property shapes it never defines (SEMICeu/DCAT-AP issue 448), which pySHACL rejects
    as malformed; a reference without a definition carries no constraint, so only
    those dangling references are dropped."""
    graph = rdflib.Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    for shape, prop in list(graph.subject_objects(SH.property)):
        if (prop, None, None) not in graph:
            graph.remove((shape, SH.property, prop))
    return graph


def _conforms(turtle: str, shapes: rdflib.Graph) -> tuple[bool, str]:
    data = rdflib.Graph().parse(data=turtle, format="turtle")
    conforms, _report, text = validate(data, shacl_graph=shapes)
    return conforms, text


@pytest.fixture(scope="module")
def turtle(demo_manifests, demo_publishers) -> str:
    return dcat.turtle(dcat.graph(demo_manifests, demo_publishers, "es"))


@pytest.fixture(scope="module")
def parsed(turtle) -> rdflib.Graph:
    return rdflib.Graph().parse(data=turtle, format="turtle")


def test_the_catalogue_passes_the_official_shapes(turtle, shapes):
    conforms, report = _conforms(turtle, shapes)
    print(report)
    assert conforms, report


def test_the_shapes_catch_a_dataset_without_title(turtle, shapes, demo_manifests):
    """The validation has teeth: drop one mandatory property and it fails."""
    subject = URIRef(facts.page(demo_manifests[0]) + "#dataset")
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    graph.remove((subject, DCTERMS.title, None))
    conforms, report = _conforms(graph.serialize(format="turtle"), shapes)
    assert not conforms
    assert "title" in report


def test_turtle_and_jsonld_hold_the_same_statements(demo_manifests, demo_publishers, parsed):
    jsonld = dcat.jsonld(dcat.graph(demo_manifests, demo_publishers, "es"))
    assert isomorphic(parsed, rdflib.Graph().parse(data=jsonld, format="json-ld"))


def test_one_dataset_per_published_dataset(parsed, demo_manifests):
    datasets = set(parsed.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(demo_manifests)
    catalog = URIRef(urls.absolute("/") + "#catalog")
    assert set(parsed.objects(catalog, DCAT.dataset)) == datasets
    identifiers = {str(parsed.value(d, DCTERMS.identifier)) for d in datasets}
    assert identifiers == {f"{m['publisher']}--{m['name']}" for m in demo_manifests}


def test_the_catalogue_offers_the_api_and_sql_services(parsed):
    endpoints = {str(o) for o in parsed.objects(None, DCAT.endpointURL)}
    assert endpoints == {urls.absolute("/api/3/action/"), urls.absolute("/sql/")}


def test_a_dataset_in_detail(parsed, demo_manifests):
    manifest = next(m for m in demo_manifests if m["dataset"] == "muni-coban/presupuesto-municipal")
    package = manifest["package"]
    dataset = URIRef(facts.page(manifest) + "#dataset")
    value = parsed.value

    assert value(dataset, DCTERMS.title) == Literal(package["title"], lang="es")
    assert set(parsed.objects(dataset, DCAT.keyword)) == {
        Literal(k, lang="es") for k in package["keywords"]
    }
    assert value(dataset, DCTERMS.modified) == Literal(package["modified"], datatype=DATE)
    assert value(dataset, DCAT.landingPage) == URIRef(facts.page(manifest))

    themes = {t["code"]: t["uri"] for t in vocabulary("themes")}
    for code in package["themes"]:
        theme = URIRef(themes[code])
        assert (dataset, DCAT.theme, theme) in parsed
        assert (theme, RDF.type, SKOS.Concept) in parsed
        assert value(theme, SKOS.prefLabel) is not None

    frequency = next(f["uri"] for f in vocabulary("frequencies") if f["code"] == "annual")
    assert value(dataset, DCTERMS.accrualPeriodicity) == URIRef(frequency)

    period = value(dataset, DCTERMS.temporal)
    assert value(period, DCAT.startDate) == Literal("2024-01-01", datatype=DATE)
    assert value(period, DCAT.endDate) == Literal("2024-12-31", datatype=DATE)

    places = set(parsed.objects(dataset, DCTERMS.spatial))
    coban = URIRef(urls.absolute(urls.territory("1601")) + "#place")
    assert coban in places
    assert value(coban, SKOS.prefLabel) == Literal("Cobán, Alta Verapaz", lang="es")

    contact = value(dataset, DCAT.contactPoint)
    assert value(contact, VCARD.hasEmail) == URIRef("mailto:" + package["contactPoint"]["email"])

    publisher = value(dataset, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in parsed
    assert str(value(publisher, FOAF.name)) == "Municipalidad de Cobán"


def test_each_download_is_a_distribution(parsed, demo_manifests):
    manifest = next(m for m in demo_manifests if m["dataset"] == "mides/comedores-sociales")
    dataset = URIRef(facts.page(manifest) + "#dataset")
    distributions = list(parsed.objects(dataset, DCAT.distribution))
    # csv, csv.gz, excel.csv, parquet, json and xlsx per (small) table, then the ZIP.
    assert len(distributions) == 6 * len(manifest["tables"]) + 1
    media = {str(parsed.value(d, DCAT.mediaType)) for d in distributions}
    assert media == {
        "https://www.iana.org/assignments/media-types/" + t
        for t in (
            "text/csv",
            "application/gzip",
            "application/vnd.apache.parquet",
            "application/json",
            "application/zip",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    }
    zip_url = URIRef(urls.absolute(urls.package_zip("mides", "comedores-sociales")))
    assert zip_url in {parsed.value(d, DCAT.accessURL) for d in distributions}
    for distribution in distributions:
        licence = parsed.value(distribution, DCTERMS.license)
        assert licence == URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert (licence, RDF.type, DCTERMS.LicenseDocument) in parsed


def test_hostile_text_survives_turtle_and_jsonld(hostile, shapes):
    manifest, publishers = hostile
    graph = dcat.graph([manifest], publishers, "es")
    dataset = URIRef(facts.page(manifest) + "#dataset")
    expected = Literal(facts.clean(manifest["package"]["title"]), lang="es")
    for text, syntax in ((dcat.turtle(graph), "turtle"), (dcat.jsonld(graph), "json-ld")):
        parsed = rdflib.Graph().parse(data=text, format=syntax)
        assert parsed.value(dataset, DCTERMS.title) == expected
        assert Literal("normal", lang="es") in set(parsed.objects(dataset, DCAT.keyword))
    conforms, report = _conforms(dcat.turtle(graph), shapes)
    assert conforms, report


def test_hostile_addresses_are_encoded(hostile):
    manifest, publishers = hostile
    publishers[manifest["publisher"]]["website"] = 'https://example.gob.gt/a b<"x">{y}'
    parsed = rdflib.Graph().parse(
        data=dcat.turtle(dcat.graph([manifest], publishers, "es")), format="turtle"
    )
    homepages = {str(o) for o in parsed.objects(None, FOAF.homepage)}
    assert "https://example.gob.gt/a%20b%3C%22x%22%3E%7By%7D" in homepages


def test_the_output_does_not_depend_on_input_order(demo_manifests, demo_publishers):
    forward = dcat.graph(demo_manifests, demo_publishers, "es")
    backward = dcat.graph(list(reversed(demo_manifests)), demo_publishers, "es")
    assert dcat.turtle(forward) == dcat.turtle(backward)
    assert dcat.jsonld(forward) == dcat.jsonld(backward)


def test_english_titles_of_the_services(demo_manifests, demo_publishers):
    spanish = dcat.turtle(dcat.graph(demo_manifests, demo_publishers, "es"))
    english = dcat.turtle(dcat.graph(demo_manifests, demo_publishers, "en"))
    assert '"API de acciones compatible con CKAN"@es' in spanish
    assert '"CKAN-compatible Action API"@en' in english


def test_the_base_url_comes_from_the_environment(monkeypatch, demo_manifests, demo_publishers):
    monkeypatch.setenv("CATALOG_BASE_URL", "https://datos.gob.gt/")
    text = dcat.turtle(dcat.graph(demo_manifests[:1], demo_publishers, "es"))
    assert "<https://datos.gob.gt/#catalog>" in text
    assert "127.0.0.1" not in text


def test_write_documents_writes_every_document(tmp_path, demo_manifests, demo_publishers):
    written = standards.write_documents(tmp_path, demo_manifests, demo_publishers, "es")
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {
        "catalog.ttl",
        "catalog.jsonld",
        "data.json",
        "feeds/datasets.atom",
        "sitemap.xml",
        "robots.txt",
    } <= names
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)
    rdflib.Graph().parse(tmp_path / "catalog.ttl", format="turtle")
    rdflib.Graph().parse(tmp_path / "catalog.jsonld", format="json-ld")


def test_an_empty_catalogue_is_still_valid(tmp_path, shapes):
    written = standards.write_documents(tmp_path, [], {}, "es")
    conforms, report = _conforms((tmp_path / "catalog.ttl").read_text("utf-8"), shapes)
    assert conforms, report
    assert (tmp_path / "feeds" / "datasets.atom") in written
    assert json.loads((tmp_path / "data.json").read_text("utf-8"))["dataset"] == []
