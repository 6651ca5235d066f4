"""Social indicators: declarations checked, values, rates, aggregates, ranks, trends,
targets and gaps computed on worked cases; the demo's indicators, their pages, the
fichas and the API."""

from __future__ import annotations

import copy
import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from test_api import api_client
from test_serve import AppClient

from catalog.indicators.compute import compute, compute_all, profile, ranking, ranks, trend
from catalog.indicators.declaration import check_package, declared
from catalog.indicators.published import values_rows
from catalog.release.manifest import Column, Manifest, TablePlan

REPO = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------ a worked case


def _column(name: str, kind: str, territory: str | None = None) -> Column:
    return Column(
        name=name,
        type=kind,
        sqltype="",
        title=None,
        description=None,
        format=None,
        territory=territory,
        enum=False,
        pattern=False,
        required=False,
        unique=False,
    )


def _plan(table: str, resource: str, columns: list[Column]) -> TablePlan:
    return TablePlan(
        name=table,
        resource=resource,
        title=None,
        description=None,
        path="",
        format="csv",
        columns=columns,
        primaryKey=[],
        foreignKeys=[],
        indexes=[],
        fts=[],
        rows=0,
    )


def _manifest(dataset: str, package: dict[str, Any], tables: list[TablePlan]) -> Manifest:
    publisher, name = dataset.split("/")
    return Manifest(
        dataset=dataset,
        publisher=publisher,
        name=name,
        package=package,
        readme=None,
        queries={},
        tables=tables,
    )


def _fields(*names: tuple[str, str]) -> list[dict[str, str]]:
    return [{"name": n, "type": t} for n, t in names]


CASES = {
    "id": "casos-por-mil",
    "name": {"es": "Casos por 1 000", "en": "Cases per 1,000"},
    "definition": "Casos por cada 1 000 habitantes.",
    "unit": "por 1 000",
    "resource": "casos",
    "computation": {
        "numerator": "casos",
        "per": 1000,
        "population": {"dataset": "ine/pob", "resource": "pob", "field": "personas"},
    },
    "polarity": "lower-better",
    "territory": {"field": "municipio", "level": "municipality"},
    "period": "anio",
    "disaggregations": [{"field": "sexo", "kind": "sex", "population": "sexo"}],
    "target": {"value": 5, "year": 2030},
}
COVERAGE = {
    "id": "cobertura",
    "name": "Cobertura",
    "definition": "Vacunados entre población objetivo.",
    "unit": "%",
    "resource": "vacunas",
    "filter": {"vacuna": ["SPR"]},
    "computation": {"numerator": "dosis", "denominator": "objetivo", "scale": 100},
    "polarity": "higher-better",
    "territory": {"field": "departamento", "level": "department"},
    "period": "anio",
}
ENROLMENT = {
    "id": "tasa-neta",
    "name": "Tasa neta",
    "definition": "Publicada.",
    "unit": "%",
    "resource": "tasas",
    "computation": {"value": "tasa"},
    "polarity": "higher-better",
    "territory": {"field": "departamento", "level": "department"},
    "period": "anio",
}


@pytest.fixture(scope="module")
def worked() -> tuple[list[Manifest], sqlite3.Connection]:
    """Two departments (01 with municipalities 0101 and 0102, 02 with 0201)."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        create table casos (anio integer, municipio text, sexo text, casos integer);
        insert into casos values
          (2023, '0101', 'Mujer', 10), (2023, '0101', 'Hombre', 10),
          (2024, '0101', 'Mujer', 6), (2024, '0101', 'Hombre', 12),
          (2024, '0102', 'Mujer', 1), (2024, '0102', 'Hombre', 1),
          (2024, '0201', 'Mujer', 30), (2024, '0201', 'Hombre', 30);
        create table pob (anio integer, departamento text, municipio text, sexo text,
                          personas integer);
        insert into pob values
          (2024, '01', '0101', 'Mujer', 2000), (2024, '01', '0101', 'Hombre', 2000),
          (2024, '01', '0102', 'Mujer', 500), (2024, '01', '0102', 'Hombre', 500),
          (2024, '01', '0103', 'Mujer', 2500), (2024, '01', '0103', 'Hombre', 2500),
          (2024, '02', '0201', 'Mujer', 3000), (2024, '02', '0201', 'Hombre', 3000);
        create table vacunas (anio integer, departamento text, vacuna text, dosis integer,
                              objetivo integer);
        insert into vacunas values
          (2024, '01', 'SPR', 90, 100), (2024, '01', 'BCG', 1, 100),
          (2024, '02', 'SPR', 300, 400), (2024, '03', 'SPR', 75, 100);
        create table tasas (anio integer, departamento text, tasa real);
        insert into tasas values (2023, '01', 80), (2024, '01', 90), (2024, '02', 70),
          (2024, '03', 90);
        """
    )
    cases = _plan(
        "casos",
        "casos",
        [
            _column("anio", "integer"),
            _column("municipio", "string", "municipality"),
            _column("sexo", "string"),
            _column("casos", "integer"),
        ],
    )
    population = _plan(
        "pob",
        "pob",
        [
            _column("anio", "integer"),
            _column("departamento", "string", "department"),
            _column("municipio", "string", "municipality"),
            _column("sexo", "string"),
            _column("personas", "integer"),
        ],
    )
    vaccines = _plan(
        "vacunas",
        "vacunas",
        [
            _column("anio", "integer"),
            _column("departamento", "string", "department"),
            _column("vacuna", "string"),
            _column("dosis", "integer"),
            _column("objetivo", "integer"),
        ],
    )
    rates = _plan(
        "tasas",
        "tasas",
        [
            _column("anio", "integer"),
            _column("departamento", "string", "department"),
            _column("tasa", "number"),
        ],
    )
    package = {
        "name": "x",
        "publisher": "salud",
        "resources": [
            {
                "name": "casos",
                "schema": {
                    "fields": _fields(
                        ("anio", "integer"),
                        ("municipio", "string"),
                        ("sexo", "string"),
                        ("casos", "integer"),
                    )
                },
            },
            {
                "name": "vacunas",
                "schema": {
                    "fields": _fields(
                        ("anio", "integer"),
                        ("departamento", "string"),
                        ("vacuna", "string"),
                        ("dosis", "integer"),
                        ("objetivo", "integer"),
                    )
                },
            },
            {
                "name": "tasas",
                "schema": {
                    "fields": _fields(
                        ("anio", "integer"), ("departamento", "string"), ("tasa", "number")
                    )
                },
            },
        ],
        "indicators": [CASES, COVERAGE, ENROLMENT],
    }
    manifests = [
        _manifest("salud/x", package, [cases, vaccines, rates]),
        _manifest("ine/pob", {"name": "pob", "resources": []}, [population]),
    ]
    return manifests, conn


@pytest.fixture(scope="module")
def computed(worked) -> dict[str, dict[str, Any]]:
    manifests, conn = worked
    return {i["id"]: i for i in compute_all(manifests, conn)}


def test_a_rate_per_population_at_every_level(computed):
    cases = computed["casos-por-mil"]
    municipal = cases["values"]["municipality"]
    assert municipal["0101"] == [[2023, 5.0], [2024, 4.5]]  # 2023 uses 2024's population
    assert municipal["0102"] == [[2024, 2.0]]
    # A department divides by its whole population, covered municipalities or not.
    assert cases["values"]["department"]["01"] == [[2023, 2.0], [2024, 2.0]]  # 20 / 10,000
    assert cases["values"]["department"]["02"] == [[2024, 10.0]]
    # The country: every case over every inhabitant (80 / 16,000), not a mean of rates.
    assert cases["national"] == [[2023, 1.25], [2024, 5.0]]


def test_a_ratio_filters_and_weights_its_aggregate(computed):
    coverage = computed["cobertura"]
    assert coverage["values"]["department"] == {
        "01": [[2024, 90.0]],
        "02": [[2024, 75.0]],
        "03": [[2024, 75.0]],
    }
    assert coverage["national"] == [[2024, 77.5]]  # 465 / 600, not (90 + 75 + 75) / 3


def test_a_value_column_averages_for_the_country(computed):
    enrolment = computed["tasa-neta"]
    assert enrolment["national"] == [[2023, 80.0], [2024, 83.3333]]


def test_ranks_share_ties_and_follow_polarity():
    assert ranks({"a": 3, "b": 5, "c": 5, "d": 1}, "higher-better") == {
        "b": 1,
        "c": 1,
        "a": 3,
        "d": 4,
    }
    assert ranks({"a": 3, "b": 5, "c": 5, "d": 1}, "lower-better") == {
        "d": 1,
        "a": 2,
        "b": 3,
        "c": 3,
    }


def test_ranking_of_a_level(computed):
    rows = ranking(computed["cobertura"], "department")
    assert [(r["code"], r["rank"]) for r in rows] == [("01", 1), ("02", 2), ("03", 2)]
    assert rows[0]["national_value"] == 77.5


def test_trend_follows_polarity():
    assert trend([[2023, 10], [2024, 8]], "lower-better")["direction"] == "improving"
    assert trend([[2023, 10], [2024, 8]], "higher-better")["direction"] == "worsening"
    assert trend([[2023, 100], [2024, 100.5]], "higher-better")["direction"] == "stable"
    assert trend([[2024, 1]], "higher-better") is None


def test_profile_compares_with_department_country_rank_and_target(computed):
    found = profile(computed["casos-por-mil"], "0101")
    assert found is not None
    assert (found["period"], found["value"]) == (2024, 4.5)
    assert (found["rank"], found["peers"]) == (2, 3)  # 0102 (2.0) is best, 0201 (10) worst
    assert found["department_value"] == 2.0 and found["national_value"] == 5.0
    assert found["trend"]["direction"] == "improving" and found["trend"]["change"] == -0.5
    assert found["target"] == {"target": 5.0, "year": 2030, "gap": 0.5, "met": True}


def test_gaps_by_sex_divide_by_the_same_sex(computed):
    found = profile(computed["casos-por-mil"], "0101")
    assert found is not None
    (gap,) = found["gaps"]
    # 6 women / 2,000 women and 12 men / 2,000 men, per 1,000.
    assert gap["values"] == {"Hombre": 6.0, "Mujer": 3.0}
    assert gap["gap"] == 3.0 and gap["high"] == ("Hombre", 6.0)


def test_the_sql_behind_gives_the_same_values(worked, computed):
    _manifests, conn = worked
    for ident, level in (("casos-por-mil", "municipality"), ("cobertura", "department")):
        indicator = computed[ident]
        rows = conn.execute(indicator["sql"]).fetchall()
        by_sql = {(r[0], r[1]): r[-1] for r in rows}
        for code, series in indicator["values"][level].items():
            for period, value in series:
                assert by_sql[(code, period)] == round(value, 2)


def test_values_rows_for_the_api(computed):
    rows = values_rows(computed["casos-por-mil"], "0101", 2024)
    assert rows == [
        {
            "code": "0101",
            "name": "Guatemala",
            "level": "municipality",
            "period": 2024,
            "value": 4.5,
            "rank": 2,
            "of": 3,
            "department_value": 2.0,
            "national_value": 5.0,
        }
    ]
    national = values_rows(computed["casos-por-mil"], "GT")
    assert [(r["level"], r["period"]) for r in national] == [("national", 2023), ("national", 2024)]


def test_a_missing_population_gives_no_values(worked):
    manifests, conn = worked
    (indicator,) = [i for i in declared(manifests[0]["package"]) if i["id"] == "casos-por-mil"]
    tables = {("salud/x", "casos"): manifests[0]["tables"][0]}
    result = compute(indicator, manifests[0]["tables"][0], tables, conn)
    assert result["values"]["municipality"] == {} and result["national"] == []


# ------------------------------------------------------------------ declarations


def _package(indicator: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "x",
        "publisher": "salud",
        "resources": [
            {
                "name": "vacunas",
                "schema": {
                    "fields": _fields(
                        ("anio", "integer"),
                        ("departamento", "string"),
                        ("vacuna", "string"),
                        ("dosis", "integer"),
                        ("objetivo", "integer"),
                    )
                },
            }
        ],
        "indicators": [indicator],
    }


def test_a_good_declaration_passes():
    assert check_package(_package(COVERAGE)) == []
    (found,) = declared(_package(COVERAGE))
    assert found["kind"] == "ratio" and found["name"] == {"es": "Cobertura", "en": "Cobertura"}


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ({"polarity": "up"}, "polarity", "Polaridad desconocida"),
        (
            {"computation": {"numerator": "vacuna", "denominator": "objetivo"}},
            "numerator",
            "no es numérico",
        ),
        (
            {"computation": {"numerator": "dosis", "denominator": "nada"}},
            "denominator",
            "no tiene: nada",
        ),
        ({"computation": {"numerator": "dosis"}}, "per", "necesita un campo denominador"),
        ({"territory": {"field": "departamento", "level": "region"}}, "level", "Nivel territorial"),
        ({"resource": "otra"}, "resource", "no tiene: otra"),
        ({"id": "Mal Id"}, "id", "no es válido"),
        ({"target": {"value": "alto"}}, "target", "necesita un número y un año"),
        ({"name": None}, "name", "no tiene name"),
    ],
)
def test_a_bad_declaration_is_explained(change, where, words):
    findings = check_package(_package({**copy.deepcopy(COVERAGE), **change}))
    assert findings, change
    assert all(f.type == "indicator-error" and f.blocking for f in findings)
    assert any(where in (f.fieldName or "") for f in findings)
    assert any(words in f.message("es") for f in findings), [f.message("es") for f in findings]
    assert all(f.message("en") != f.message("es") for f in findings)


def test_validate_reports_a_bad_declaration(tmp_path: Path):
    from catalog.validate import validate_paths

    source = REPO / "datasets" / "mspas" / "cobertura-vacunacion"
    folder = tmp_path / "datasets" / "mspas" / "cobertura-vacunacion"
    (folder / "data").mkdir(parents=True)
    for data in (source / "data").iterdir():
        (folder / "data" / data.name).write_bytes(data.read_bytes())
    descriptor = json.loads((source / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["indicators"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (tmp_path / "publishers").mkdir()
    publisher = REPO / "publishers" / "mspas.yaml"
    (tmp_path / "publishers" / "mspas.yaml").write_bytes(publisher.read_bytes())
    good = validate_paths([folder])
    assert not [f for f in good.findings if f.type == "indicator-error"]
    descriptor["indicators"][0]["polarity"] = "mejor"
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    bad = validate_paths([folder])
    assert not bad.valid
    (finding,) = [f for f in bad.findings if f.type == "indicator-error"]
    assert finding.to_json("en")["fieldName"] == "indicators[cobertura-vacunacion-spr].polarity"
    assert "mejor" in finding.message("en")


def test_the_demo_declares_valid_indicators():
    ids = []
    for path in sorted(REPO.glob("datasets/*/*/datapackage.json")):
        package = json.loads(path.read_text(encoding="utf-8"))
        assert check_package(package) == [], path
        ids += [i["id"] for i in declared(package)]
    assert {
        "desnutricion-aguda",
        "cobertura-vacunacion-spr",
        "cobertura-neta-primaria",
        "bono-social-cobertura",
    } <= set(ids)
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------ the demo, built


def site_of(build: Path) -> Path:
    return build / "current" / "site"


def test_indicator_pages_in_both_languages(demo_build: Path):
    site = site_of(demo_build)
    listing = (site / "indicadores/index.html").read_text(encoding="utf-8")
    assert "Indicadores sociales" in listing and "/indicadores/bono-social-cobertura/" in listing
    english = (site / "en/indicadores/index.html").read_text(encoding="utf-8")
    assert "Social indicators" in english and "/en/indicadores/desnutricion-aguda/" in english
    page = (site / "indicadores/bono-social-cobertura/index.html").read_text(encoding="utf-8")
    assert page.count('<svg class="map"') == 2  # departments and municipalities
    assert "Clasificación" in page and "/sql/catalogo?sql=" in page
    assert "/indicadores/bono-social-cobertura/valores.csv" in page
    assert "<script" not in page.split("</header>", 1)[1]
    assert ' style="' not in page
    department_only = (site / "indicadores/desnutricion-aguda/index.html").read_text("utf-8")
    assert department_only.count('<svg class="map"') == 1


def test_the_csv_download_has_every_value(demo_build: Path):
    text = (site_of(demo_build) / "indicadores/bono-social-cobertura/valores.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["nivel"] for r in rows} == {"department", "municipality", "national"}
    coban = [r for r in rows if r["codigo"] == "1601" and r["periodo"] == "2024"]
    assert len(coban) == 1 and coban[0]["territorio"] == "Cobán" and coban[0]["rango"]


def test_fichas_compare_in_plain_words(demo_build: Path):
    site = site_of(demo_build)
    alta_verapaz = (site / "territories/16/index.html").read_text(encoding="utf-8")
    assert "Indicadores sociales" in alta_verapaz
    assert "de 22 departamentos con datos" in alta_verapaz  # e.g. "Puesto 17 de 22"
    assert "valor nacional" in alta_verapaz and "para la meta" in alta_verapaz
    assert "Brecha por sexo" in alta_verapaz
    assert "/territories/16/mapa.svg" in alta_verapaz
    coban = (site / "en/territories/1601/index.html").read_text(encoding="utf-8")
    assert "municipalities with data" in coban and "Its department, Alta Verapaz" in coban
    # The datasets still follow, as before.
    assert "Datasets that cover this territory" in coban


def test_api_lists_indicators_and_their_values(demo_build: Path):
    client: AppClient = api_client(demo_build)
    listing = client.get("/api/v1/indicators")
    assert listing.status_code == 200
    items = {i["id"]: i for i in listing.json()["items"]}
    bono = items["bono-social-cobertura"]
    assert bono["dataset"] == "mides/bono-social-cobertura"
    assert bono["polarity"] == "higher-better" and bono["unit"]
    english = client.get("/api/v1/indicators", headers={"Accept-Language": "en"}).json()
    assert any(i["name"].startswith("Bono Social user families") for i in english["items"])
    values = client.get(
        "/api/v1/indicators/bono-social-cobertura/values?territory=1601&period=2024"
    )
    assert values.status_code == 200
    (row,) = values.json()["items"]
    assert row["territory"] == "1601" and row["level"] == "municipality"
    assert row["rank"] >= 1 and row["department_value"] and row["national_value"]
    missing = client.get("/api/v1/indicators/no-existe/values")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not-found"
    bad = client.get("/api/v1/indicators/bono-social-cobertura/values?territory=abc")
    assert bad.status_code == 400
    openapi = client.get("/api/openapi.json").json()
    assert "/api/v1/indicators/{indicator_id}/values" in openapi["paths"]


# ------------------------------------------------------------------ the population of a rate


def _rate_package() -> dict[str, Any]:
    fields = _fields(("anio", "integer"), ("municipio", "string"), ("sexo", "string"))
    fields += _fields(("casos", "integer"))
    return {
        "name": "casos",
        "publisher": "salud",
        "resources": [{"name": "casos", "schema": {"fields": fields}}],
        "indicators": [CASES],
    }


def test_a_rate_names_a_population_the_catalogue_has():
    from catalog.indicators.declaration import population_findings

    package = _rate_package()
    assert population_findings(package, {"ine/pob": ["pob"]}.get) == []
    (missing,) = population_findings(package, {}.get)
    assert not missing.blocking and missing.type == "indicator-error"
    assert missing.fieldName == "indicators[casos-por-mil].computation.population"
    assert "ine/pob" in missing.message("en") and "not in the catalogue" in missing.message("en")
    assert "no está en el catálogo" in missing.message("es")
    assert "datasets/ine/pob/" in missing.fix("en")
    (resource,) = population_findings(package, {"ine/pob": ["personas"]}.get)
    assert "resource pob" in resource.message("en") and "personas" in resource.fix("en")


def test_validate_warns_of_a_missing_population_dataset(tmp_path: Path):
    from catalog.validate import validate_paths

    def copy_dataset(ident: str) -> Path:
        source = REPO / "datasets" / ident
        folder = tmp_path / "datasets" / ident
        (folder / "data").mkdir(parents=True)
        for data in (source / "data").iterdir():
            (folder / "data" / data.name).write_bytes(data.read_bytes())
        (folder / "datapackage.json").write_bytes((source / "datapackage.json").read_bytes())
        publisher = ident.split("/")[0] + ".yaml"
        (tmp_path / "publishers").mkdir(exist_ok=True)
        (tmp_path / "publishers" / publisher).write_bytes(
            (REPO / "publishers" / publisher).read_bytes()
        )
        return folder

    folder = copy_dataset("sesan/desnutricion-aguda")
    run = validate_paths([folder])
    (warning,) = [f for f in run.findings if "computation.population" in (f.fieldName or "")]
    assert not warning.blocking and run.valid  # a warning: the rate waits for its population
    assert "ine/proyecciones-poblacion" in warning.message("en")
    copy_dataset("ine/proyecciones-poblacion")
    again = validate_paths([folder])
    assert not [f for f in again.findings if "computation.population" in (f.fieldName or "")]
