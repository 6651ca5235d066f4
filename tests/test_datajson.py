"""data.json: DCAT-US 1.1 (Project Open Data metadata schema v1.1)."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from catalog import urls
from catalog.standards import datajson, facts

# The required fields and formats of DCAT-US 1.1, written from the specification
# (https://resources.data.gov/resources/dcat-us/); bureauCode and programCode are
# required of US federal agencies only.
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
SCHEMA = {
    "type": "object",
    "required": ["@context", "@type", "conformsTo", "dataset"],
    "properties": {
        "conformsTo": {"const": "https://project-open-data.cio.gov/v1.1/schema"},
        "@type": {"const": "dcat:Catalog"},
        "dataset": {"type": "array", "items": {"$ref": "#/$defs/dataset"}},
    },
    "$defs": {
        "dataset": {
            "type": "object",
            "required": [
                "title",
                "description",
                "keyword",
                "modified",
                "publisher",
                "contactPoint",
                "identifier",
                "accessLevel",
            ],
            "properties": {
                "@type": {"const": "dcat:Dataset"},
                "title": {"type": "string", "minLength": 1},
                "description": {"type": "string", "minLength": 1},
                "keyword": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "modified": {"type": "string", "pattern": ISO_DATE},
                "issued": {"type": "string", "pattern": ISO_DATE},
                "publisher": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"@type": {"const": "org:Organization"}},
                },
                "contactPoint": {
                    "type": "object",
                    "required": ["fn", "hasEmail"],
                    "properties": {"hasEmail": {"type": "string", "pattern": r"^mailto:[^@\s]+@"}},
                },
                "identifier": {"type": "string", "minLength": 1},
                "accessLevel": {"enum": ["public", "restricted public", "non-public"]},
                "license": {"type": "string", "pattern": r"^https?://"},
                "spatial": {"type": "string", "minLength": 1},
                "temporal": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}$"},
                "accrualPeriodicity": {"type": "string", "pattern": r"^(R/P\d+[YMWD]|irregular)$"},
                "language": {"type": "array", "items": {"type": "string"}},
                "landingPage": {"type": "string", "pattern": r"^https?://"},
                "theme": {"type": "array", "items": {"type": "string"}},
                "distribution": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["downloadURL", "mediaType"],
                        "properties": {
                            "@type": {"const": "dcat:Distribution"},
                            "downloadURL": {"type": "string", "pattern": r"^https?://"},
                            "mediaType": {"type": "string", "pattern": r"^[a-z]+/[\w.+-]+$"},
                            "format": {"type": "string"},
                            "title": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}


@pytest.fixture(scope="module")
def document(demo_manifests, demo_publishers) -> dict:
    return datajson.document(demo_manifests, demo_publishers, "es")


def test_the_catalogue_meets_the_required_fields(document, demo_manifests):
    jsonschema.validate(document, SCHEMA)
    assert len(document["dataset"]) == len(demo_manifests)
    identifiers = [d["identifier"] for d in document["dataset"]]
    assert len(set(identifiers)) == len(identifiers)


def test_the_schema_check_has_teeth(document):
    broken = copy.deepcopy(document)
    del broken["dataset"][0]["contactPoint"]["hasEmail"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_a_dataset_in_detail(document, demo_manifests):
    record = next(
        d for d in document["dataset"] if d["identifier"] == "muni-coban--presupuesto-municipal"
    )
    manifest = next(m for m in demo_manifests if m["dataset"] == "muni-coban/presupuesto-municipal")
    package = manifest["package"]
    assert record["title"] == package["title"]
    assert record["keyword"] == package["keywords"]
    assert record["modified"] == package["modified"]
    assert record["issued"] == package["issued"]
    assert record["publisher"]["name"] == "Municipalidad de Cobán"
    assert record["contactPoint"] == {
        "@type": "vcard:Contact",
        "fn": package["contactPoint"]["name"],
        "hasEmail": "mailto:" + package["contactPoint"]["email"],
    }
    assert record["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert record["temporal"] == "2024-01-01/2024-12-31"
    assert record["accrualPeriodicity"] == "R/P1Y"
    assert record["spatial"] == "Cobán, Alta Verapaz, Guatemala"
    assert record["language"] == ["es"]
    assert record["landingPage"] == urls.absolute(
        urls.dataset("muni-coban", "presupuesto-municipal")
    )
    assert record["theme"] == ["Gobierno y sector público", "Economía y finanzas"]
    downloads = {d["downloadURL"]: d for d in record["distribution"]}
    xlsx = urls.absolute(
        urls.download("muni-coban", "presupuesto-municipal", "presupuesto", "xlsx")
    )
    assert downloads[xlsx]["mediaType"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert downloads[xlsx]["format"] == "XLSX"
    assert urls.absolute(urls.package_zip("muni-coban", "presupuesto-municipal")) in downloads


def test_frequencies_become_iso_8601_repeating_durations(demo_manifests, demo_publishers):
    manifest = copy.deepcopy(demo_manifests[0])
    expected = {
        "monthly": "R/P1M",
        "quarterly": "R/P3M",
        "weekly": "R/P1W",
        "irregular": "irregular",
        "never": None,
    }
    for code, periodicity in expected.items():
        manifest["package"]["frequency"] = code
        record = datajson.dataset(manifest, demo_publishers, "es")
        assert record.get("accrualPeriodicity") == periodicity


def test_national_data_covers_the_country(document):
    record = next(d for d in document["dataset"] if d["identifier"] == "mineduc--matricula-escolar")
    assert record["spatial"] == "Guatemala"


def test_a_parent_body_is_named(demo_manifests, demo_publishers):
    publishers = copy.deepcopy(demo_publishers)
    manifest = demo_manifests[0]
    publishers[manifest["publisher"]]["parent"] = "minfin"
    record = datajson.dataset(manifest, publishers, "es")
    assert record["publisher"]["subOrganizationOf"]["name"] == publishers["minfin"]["name"]


def test_hostile_text_round_trips(hostile, tmp_path):
    manifest, publishers = hostile
    text = json.dumps(datajson.document([manifest], publishers, "es"), ensure_ascii=False)
    record = json.loads(text)["dataset"][0]
    assert record["title"] == facts.clean(manifest["package"]["title"])
    assert record["publisher"]["name"] == facts.clean(publishers[manifest["publisher"]]["name"])
    assert "\x01" not in text
