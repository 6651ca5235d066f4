"""schema.org Dataset JSON-LD of dataset pages."""

from __future__ import annotations

import copy
import json

from catalog import urls
from catalog.standards import facts, jsonld_script, schema_org
from catalog.standards.schemaorg import MAX_DESCRIPTION, MIN_DESCRIPTION

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _coban(demo_manifests):
    return next(m for m in demo_manifests if m["dataset"] == "muni-coban/presupuesto-municipal")


def test_a_dataset_page_in_detail(demo_manifests, demo_publishers):
    manifest = _coban(demo_manifests)
    package = manifest["package"]
    data = schema_org(manifest, demo_publishers["muni-coban"], "es")
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Dataset"
    assert data["name"] == package["title"]
    assert data["url"] == urls.absolute(urls.dataset("muni-coban", "presupuesto-municipal"))
    assert data["identifier"] == "muni-coban--presupuesto-municipal"
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["keywords"] == package["keywords"]
    assert data["isAccessibleForFree"] is True
    assert data["inLanguage"] == "es"
    assert data["temporalCoverage"] == "2024-01-01/2024-12-31"
    assert data["dateModified"] == package["modified"]
    assert data["datePublished"] == package["issued"]
    assert data["creator"] == data["publisher"]
    assert data["publisher"]["@type"] == "GovernmentOrganization"
    assert data["publisher"]["name"] == "Municipalidad de Cobán"
    assert data["publisher"]["email"] == "informacionpublica@municoban.gob.gt"
    place = data["spatialCoverage"]
    assert place["name"] == "Cobán, Alta Verapaz"
    assert place["containedInPlace"]["name"] == "Guatemala"


def test_every_download_is_a_data_download(demo_manifests, demo_publishers):
    manifest = _coban(demo_manifests)
    data = schema_org(manifest, demo_publishers["muni-coban"], "es")
    downloads = {d["contentUrl"]: d["encodingFormat"] for d in data["distribution"]}
    assert all(d["@type"] == "DataDownload" for d in data["distribution"])
    base = urls.absolute("/datasets/muni-coban/presupuesto-municipal/downloads/")
    assert downloads == {
        base + "presupuesto.csv": "text/csv",
        base + "presupuesto.csv.gz": "application/gzip",
        base + "presupuesto.parquet": "application/vnd.apache.parquet",
        base + "presupuesto.excel.csv": "text/csv",
        base + "presupuesto.json": "application/json",
        base + "presupuesto.xlsx": XLSX,
        base + "presupuesto-municipal.zip": "application/zip",
    }


def test_every_demo_description_has_an_accepted_length(demo_manifests, demo_publishers):
    for manifest in demo_manifests:
        data = schema_org(manifest, demo_publishers[manifest["publisher"]], "es")
        assert MIN_DESCRIPTION <= len(data["description"]) <= MAX_DESCRIPTION, manifest["dataset"]


def test_a_short_description_is_completed_from_the_readme(demo_manifests, demo_publishers):
    manifest = copy.deepcopy(_coban(demo_manifests))
    manifest["package"]["description"] = "Presupuesto."
    data = schema_org(manifest, demo_publishers["muni-coban"], "es")
    assert data["description"].startswith("Presupuesto. Datos de ejemplo. Este conjunto")
    assert MIN_DESCRIPTION <= len(data["description"]) <= MAX_DESCRIPTION
    assert "**" not in data["description"]  # Markdown is rendered to plain text


def test_a_short_description_without_readme_is_completed(demo_manifests, demo_publishers):
    manifest = copy.deepcopy(_coban(demo_manifests))
    manifest["package"]["description"] = "Corto."
    manifest["readme"] = "# Título\n\n| a | b |\n|---|---|\n"
    data = schema_org(manifest, demo_publishers["muni-coban"], "es")
    assert data["description"].startswith("Corto. ")
    assert "publicados por Municipalidad de Cobán" in data["description"]
    assert len(data["description"]) >= MIN_DESCRIPTION


def test_a_long_description_is_cut_at_a_sentence(demo_manifests, demo_publishers):
    manifest = copy.deepcopy(_coban(demo_manifests))
    manifest["package"]["description"] = "Una oración de prueba bastante larga. " * 200
    description = schema_org(manifest, demo_publishers["muni-coban"], "es")["description"]
    assert len(description) <= MAX_DESCRIPTION
    assert description.endswith("larga.")


def test_the_english_page(demo_manifests, demo_publishers):
    data = schema_org(_coban(demo_manifests), demo_publishers["muni-coban"], "en")
    assert data["url"] == urls.absolute(urls.dataset("muni-coban", "presupuesto-municipal", "en"))
    assert data["includedInDataCatalog"]["name"] == "Open data catalogue of Guatemala"
    assert data["inLanguage"] == "es"  # the data itself is in Spanish


def test_national_data_covers_the_country(demo_manifests, demo_publishers):
    manifest = next(m for m in demo_manifests if m["dataset"] == "mineduc/matricula-escolar")
    data = schema_org(manifest, demo_publishers["mineduc"], "es")
    assert data["spatialCoverage"] == {"@type": "Country", "name": "Guatemala", "identifier": "GT"}


def test_the_script_cannot_be_closed_by_a_title(hostile):
    manifest, publishers = hostile
    data = schema_org(manifest, publishers[manifest["publisher"]], "es")
    text = jsonld_script(data)
    assert "</script>" not in text and "<" not in text
    assert json.loads(text)["name"] == facts.clean(manifest["package"]["title"])
