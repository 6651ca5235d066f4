"""The Table Schema templates of the structured active-transparency items: valid schemas,
named by the profiles, served by the API, and enforced by ``catalog validate`` on the
datasets that cite them (missing field, wrong type, weaker constraint, unknown item)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from frictionless import Schema
from test_serve import AppClient

from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.content import resolve_target
from catalog.findings import JSON_KEYS
from catalog.report import render_json
from catalog.transparency.obligations import find, obligations
from catalog.transparency.templates import TEMPLATES, check_package, template_for, template_path
from catalog.validate import ValidationRun, validate_dataset

REPO = Path(__file__).resolve().parent.parent
PAY = "GT-LAIP-10.4"
# The structured items that must ship a template (the list).
STRUCTURED = {
    "GT-LAIP-10.3": "directorio",
    "GT-LAIP-10.4": "personal",
    "GT-LAIP-10.7": "presupuesto",
    "GT-LAIP-10.8": "ejecucion-presupuestaria",
    "GT-LAIP-10.10": "adquisiciones",
    "GT-LAIP-10.11": "adquisiciones",
    "GT-LAIP-10.12": "viajes",
    "GT-LAIP-10.15": "programas-subsidios",
    "GT-LAIP-10.18": "obras",
    "GT-LAIP-10.20": "adquisiciones",
    "GT-LAIP-10.22": "adquisiciones",
    "GT-LAIP-10.27": "asesores",
    "CL-20285-7.d": "personal",
    "CL-20285-7.e": "contrataciones",
    "CL-20285-7.f": "transferencias",
    "CL-20285-7.i": "programas-subsidios",
    "CL-20285-7.k": "ejecucion-presupuestaria",
    "PY-5282-8.e": "funcionarios",
    "PY-5282-8.i": "viajes",
    "PY-5282-8.j": "contratos",
    "PY-5189-1": "funcionarios",
}


# ------------------------------------------------------------------ the templates


def test_every_template_is_a_valid_table_schema():
    files = sorted(TEMPLATES.glob("*/*.json"))
    assert len(files) == 17
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        schema = Schema.from_descriptor(data)
        schema.to_descriptor(validate=True)  # raises on an invalid schema
        assert data["name"] == path.stem and data["title"] and data["description"]
        assert data["missingValues"] == [""]
        names = [f["name"] for f in data["fields"]]
        assert len(names) == len(set(names)) >= 5, path
        for field in data["fields"]:
            assert field["name"] == field["name"].lower() and " " not in field["name"]
            assert field["title"] and field["description"], (path, field["name"])
        for declared in data.get("privacy", {}).get("publicPersonalData", []):
            assert declared["field"] in names and declared["legalBasis"]


def test_the_structured_items_name_an_existing_template():
    named = {
        o.id: o.template for code in ("GT", "CL", "PY") for o in obligations(code) if o.template
    }
    assert named == STRUCTURED
    used = set()
    for identifier in named:
        item = find(identifier)
        assert item is not None and item.fulfilled_by == "dataset"
        path = template_path(item)
        assert path is not None and path.is_file(), identifier
        used.add(path)
    assert used == set(TEMPLATES.glob("*/*.json"))  # no template is left unused


def test_templates_that_carry_names_of_public_servants_say_so():
    for identifier in ("GT-LAIP-10.4", "GT-LAIP-10.27", "GT-LAIP-10.12", "CL-20285-7.d"):
        template = template_for(identifier)
        assert template is not None and template["privacy"]["publicPersonalData"], identifier
        assert template["personalDataNote"]
    assert "privacy" not in (template_for("GT-LAIP-10.8") or {})
    assert template_for("GT-LAIP-10.1") is None  # a document item
    assert template_for("GT-LAIP-10.99") is None  # unknown


# ------------------------------------------------------------------ conformance


def _pay_fields() -> list[dict[str, Any]]:
    template = template_for(PAY)
    assert template is not None
    return json.loads(json.dumps(template["fields"]))


ROW = ["2026", "5", "Ana López", "Directora", "011", "Despacho", "22000.00", "250.00", "22250.00"]


def _dataset(
    root: Path,
    fields: list[dict[str, Any]],
    *,
    obligations_: list[str] | None = None,
    rows: list[list[str]] | None = None,
    publisher: dict[str, Any] | None = None,
) -> Path:
    (root / "publishers").mkdir(parents=True, exist_ok=True)
    info = publisher or {
        "name": "Ministerio de Prueba",
        "kind": "ministry",
        "jurisdiction": {"country": "GT"},
        "email": "informacion@prueba.gob.gt",
    }
    import yaml

    (root / "publishers" / "prueba.yaml").write_text(
        yaml.safe_dump(info, allow_unicode=True), encoding="utf-8"
    )
    folder = root / "datasets" / "prueba" / "planilla"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    header = ",".join(f["name"] for f in fields)
    body = "\n".join(",".join(r) for r in (rows if rows is not None else [ROW]))
    (folder / "data" / "personal.csv").write_text(f"{header}\n{body}\n", encoding="utf-8")
    descriptor = {
        "name": "planilla",
        "title": "Planilla (prueba)",
        "description": "Personal y remuneraciones, datos de prueba.",
        "publisher": "prueba",
        "keywords": ["personal"],
        "themes": ["GOVE"],
        "licenses": [{"name": "CC-BY-4.0"}],
        "frequency": "monthly",
        "contactPoint": {"name": "UIP", "email": "informacion@prueba.gob.gt"},
        "version": "1.0.0",
        "issued": "2026-01-01",
        "modified": "2026-06-01",
        "temporal": {"start": "2026-05-01", "end": "2026-05-31"},
        "obligations": obligations_ if obligations_ is not None else [PAY],
        "resources": [
            {
                "name": "personal",
                "path": "data/personal.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": {"fields": fields},
                "privacy": {
                    "publicPersonalData": [
                        {"field": "nombre", "legalBasis": "Decreto 57-2008, art. 10, num. 4"}
                    ]
                },
            }
        ],
    }
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False), encoding="utf-8"
    )
    return folder


def _template_findings(folder: Path) -> list[Any]:
    report = validate_dataset(resolve_target(folder))
    return [f for f in report.findings if f.type == "template-error"]


def test_a_dataset_with_the_template_fields_passes(tmp_path: Path):
    report = validate_dataset(resolve_target(_dataset(tmp_path, _pay_fields())))
    assert report.valid, [f.message("en") for f in report.findings if f.blocking]


def test_a_missing_field_is_an_error_naming_dataset_item_resource_field_and_fix(tmp_path: Path):
    fields = [f for f in _pay_fields() if f["name"] != "renglon"]
    rows = [[v for i, v in enumerate(ROW) if i != 4]]
    folder = _dataset(tmp_path, fields, rows=rows)
    report = validate_dataset(resolve_target(folder))
    assert not report.valid
    [finding] = [f for f in report.findings if f.type == "template-error"]
    assert (finding.dataset, finding.resource, finding.fieldName) == (
        "prueba/planilla",
        "personal",
        "renglon",
    )
    english = finding.message("en")
    assert "prueba/planilla" in english and PAY in english and '"renglon"' in english
    assert 'Add a field "renglon" of type string to resource "personal"' in english
    assert f"/api/v1/transparency/templates/{PAY}" in english
    spanish = finding.message()  # Spanish by default
    assert 'no tiene el campo "renglon"' in spanish and "Agregue un campo" in spanish


def test_a_field_spelt_with_other_case_is_told_to_be_renamed(tmp_path: Path):
    fields = _pay_fields()
    fields[3]["name"] = "Puesto"
    [finding] = _template_findings(_dataset(tmp_path, fields))
    assert finding.fieldName == "puesto"
    assert 'Rename the field "Puesto" to "puesto"' in finding.message("en")


def test_a_wrong_type_is_an_error_and_integer_meets_number(tmp_path: Path):
    fields = _pay_fields()
    by_name = {f["name"]: f for f in fields}
    by_name["mes"]["type"] = "string"  # wrong: the template asks for integer
    by_name["bonificaciones"]["type"] = "integer"  # fine: an integer is a number
    rows = [[*ROW[:7], "250", ROW[8]]]
    [finding] = _template_findings(_dataset(tmp_path, fields, rows=rows))
    assert finding.fieldName == "mes"
    message = finding.message("en")
    assert "has type string" in message and "asks for integer" in message
    assert 'Declare "type": "integer" for "mes"' in message


def test_weaker_constraints_are_errors(tmp_path: Path):
    fields = _pay_fields()
    by_name = {f["name"]: f for f in fields}
    del by_name["nombre"]["constraints"]  # may be empty: the template requires it
    by_name["renglon"]["constraints"] = {"required": True}  # lost the pattern
    by_name["mes"]["constraints"] = {"required": True, "minimum": 0, "maximum": 12}
    found = {
        (f.fieldName, f.message("en").split(";")[0])
        for f in _template_findings(_dataset(tmp_path, fields))
    }
    assert {name for name, _ in found} == {"nombre", "renglon", "mes"}
    messages = " ".join(m for _, m in found)
    assert 'Field "nombre" of resource "personal" may be empty' in messages
    assert "does not keep the pattern ^[0-9]{3}$" in messages
    assert "lacks the minimum 1" in messages


def test_an_enum_inside_the_pattern_keeps_it(tmp_path: Path):
    fields = _pay_fields()
    renglon = next(f for f in fields if f["name"] == "renglon")
    renglon["constraints"] = {"required": True, "enum": ["011", "029"]}
    assert _template_findings(_dataset(tmp_path, fields)) == []


def test_the_resource_holding_most_template_fields_is_the_one_checked():
    package = {
        "name": "x",
        "publisher": "p",
        "obligations": [PAY, PAY],  # cited twice: checked once
        "resources": [
            {"name": "otra", "schema": {"fields": [{"name": "anio", "type": "integer"}]}},
            {"name": "personal", "schema": {"fields": _pay_fields()[:-1]}},
        ],
    }
    [finding] = check_package(package)
    assert (finding.resource, finding.fieldName) == ("personal", "total_mensual")
    empty = check_package({"name": "x", "publisher": "p", "obligations": [PAY], "resources": []})
    assert len(empty) == 1 and "has no table with a Table Schema" in empty[0].message("en")
    assert check_package({"obligations": "GT-LAIP-10.4"}) == []  # metadata.py reports it


def test_an_unknown_obligation_fails_the_dataset(tmp_path: Path):
    folder = _dataset(tmp_path, _pay_fields(), obligations_=[PAY, "GT-LAIP-10.99"])
    report = validate_dataset(resolve_target(folder))
    assert not report.valid
    [finding] = [f for f in report.findings if f.blocking]
    assert finding.type == "metadata-error" and "GT-LAIP-10.99" in finding.message("en")


def test_an_item_that_does_not_bind_the_publisher_is_a_notice(tmp_path: Path):
    folder = _dataset(tmp_path, _pay_fields(), obligations_=[PAY, "GT-LAIP-10.21"])
    report = validate_dataset(resolve_target(folder))
    assert report.valid  # a notice, not an error
    [notice] = [f for f in report.findings if f.type == "obligation-not-applicable"]
    assert not notice.blocking and "trusts" in notice.message("en")
    assert "publishers/prueba.yaml" in notice.message("en")
    chilean = _dataset(tmp_path / "cl", _pay_fields(), obligations_=[PAY], publisher={
        "name": "Servicio", "kind": "ministry", "jurisdiction": {"country": "CL"},
        "email": "oirs@servicio.cl",
    })  # fmt: skip
    notices = [f.message("en") for f in validate_dataset(resolve_target(chilean)).findings]
    assert any("an item of GT, but its publisher answers to CL" in m for m in notices)


def test_the_json_report_keeps_its_contract(tmp_path: Path):
    fields = [f for f in _pay_fields() if f["name"] != "renglon"]
    folder = _dataset(tmp_path, fields, rows=[[v for i, v in enumerate(ROW) if i != 4]])
    report = json.loads(render_json(ValidationRun([validate_dataset(resolve_target(folder))])))
    assert set(report) == {"valid", "errors"} and report["valid"] is False
    for error in report["errors"]:
        assert tuple(error) == JSON_KEYS
    [error] = [e for e in report["errors"] if e["type"] == "template-error"]
    assert error["fieldName"] == "renglon" and error["resource"] == "personal"


def test_catalog_validate_exits_1_on_a_template_error(tmp_path: Path):
    fields = [f for f in _pay_fields() if f["name"] != "renglon"]
    folder = _dataset(tmp_path, fields, rows=[[v for i, v in enumerate(ROW) if i != 4]])
    cli = Path(sys.executable).parent / "catalog"
    done = subprocess.run(
        [str(cli), "validate", "--json", str(folder)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["errors"][0]["fieldName"] == "renglon"


def test_the_demo_datasets_that_cite_structured_items_conform():
    for descriptor in sorted((REPO / "datasets").glob("*/*/datapackage.json")):
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        if not any(i in STRUCTURED for i in package.get("obligations", [])):
            continue
        report = validate_dataset(resolve_target(descriptor.parent))
        assert [f for f in report.findings if f.type.startswith("template")] == [], descriptor


# ------------------------------------------------------------------ the API


@pytest.fixture
def client() -> AppClient:
    return AppClient(create_api(lambda: None, limits=LimitSettings(None)))


def test_the_api_serves_a_template(client: AppClient):
    answer = client.get(f"/api/v1/transparency/templates/{PAY}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert 'filename="GT-LAIP-10.4-personal.json"' in answer.headers["content-disposition"]
    assert answer.json() == template_for(PAY)
    chile = client.get("/api/v1/transparency/templates/CL-20285-7.f").json()
    assert chile["name"] == "transferencias"


@pytest.mark.parametrize(
    ("identifier", "words"),
    [("GT-LAIP-10.1", "no tiene plantilla"), ("GT-LAIP-10.99", "desconocida")],
)
def test_the_api_answers_404_in_its_envelope(client: AppClient, identifier: str, words: str):
    answer = client.get(f"/api/v1/transparency/templates/{identifier}")
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["type"] == "not-found" and words in error["message"] and error["hint"]
    english = client.get(
        f"/api/v1/transparency/templates/{identifier}", headers={"Accept-Language": "en"}
    )
    assert identifier in english.json()["error"]["message"]


def test_the_template_route_is_in_the_openapi_document(client: AppClient):
    paths = client.get("/api/openapi.json").json()["paths"]
    route = paths["/api/v1/transparency/templates/{obligation_id}"]["get"]
    assert {"200", "404"} <= set(route["responses"])
