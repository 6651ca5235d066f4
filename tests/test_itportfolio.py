"""The IT-project dashboard's data side: formulas, bands, the overall rule, history and
changes, stale flags, the consistency checks, the derived dataset and the API."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from test_serve import AppClient

from catalog.api import create_api
from catalog.api.limits import LimitSettings
from catalog.build import build
from catalog.content import DatasetRef
from catalog.itportfolio import (
    Bands,
    CioRating,
    Portfolio,
    Settings,
    compute,
    cost_variance,
    overall_colour,
    overall_rating,
    schedule_variance,
)
from catalog.itportfolio.standard import TABLES, field_names, schema
from catalog.serve import make_app
from catalog.validate import validate_dataset

# ---------------------------------------------------------------- formulas and bands


@pytest.mark.parametrize(
    ("planned", "estimate", "amount", "percent", "colour"),
    [
        (1000, 1000, 0, 0.0, "green"),
        (1000, 1099, 99, 9.9, "green"),
        (1000, 1100, 100, 10.0, "yellow"),  # 10 % is yellow
        (1000, 900, -100, -10.0, "yellow"),  # absolute variance: under budget counts too
        (1000, 1299, 299, 29.9, "yellow"),
        (1000, 1300, 300, 30.0, "red"),  # 30 % is red
        (1000, 1750, 750, 75.0, "red"),
    ],
)
def test_cost_variance_and_bands(planned, estimate, amount, percent, colour):
    assert cost_variance(planned, estimate) == (amount, percent)
    assert Bands().colour(percent, amount) == colour


def test_schedule_variance_worked_case():
    # planned 2026-01-01 to 2026-11-28 (331 days), ends 2027-01-07: 40 days late, 12.08 %.
    days, percent = schedule_variance(date(2026, 1, 1), date(2026, 11, 28), date(2027, 1, 7))
    assert (days, percent) == (40, 12.08)
    assert Bands().colour(percent) == "yellow"


def test_nothing_planned_has_no_percent():
    assert cost_variance(0, 0) == (0, None) and Bands().colour(None, 0) == "green"
    assert cost_variance(0, 50) == (50, None) and Bands().colour(None, 50) == "red"


def test_bands_come_from_the_profile():
    settings = Settings.of({"it_dashboard": {"bands": {"green": 5, "red": 20}}})
    assert settings.bands.colour(5.0) == "yellow" and settings.bands.colour(20.0) == "red"
    assert Settings.of_jurisdiction("GT") == Settings()


@pytest.mark.parametrize(
    ("cost", "schedule", "cio", "overall", "colour"),
    [
        ("green", "green", None, 5.0, "green"),
        ("green", "red", None, 3.0, "yellow"),
        ("green", "green", 4, 4.0, "green"),  # lower than both points: the CIO takes over
        ("green", "yellow", 5, 4.3, "green"),  # (5 + 3 + 5) / 3
        ("green", "yellow", 2, 2.0, "red"),  # lower than both: the CIO's rating takes over
        ("yellow", "yellow", 3, 3.0, "yellow"),  # equal to the lower: the average
        ("red", "yellow", 2, 2.0, "red"),  # (1 + 3 + 2) / 3
        ("red", "red", 5, 2.3, "red"),
    ],
)
def test_overall_rule(cost, schedule, cio, overall, colour):
    assert overall_rating(cost, schedule, cio) == overall
    assert overall_colour(overall) == colour


# ---------------------------------------------------------------- compute


def _investment(period: str, ident: str, cost: float = 100.0, body: str = "mides") -> dict:
    return {
        "periodo_reporte": period,
        "id_inversion": ident,
        "institucion": body,
        "nombre": f"Inversión {ident}",
        "tipo": "Infraestructura",
        "fuente_financiamiento": "Fondos propios",
        "fecha_inicio": "2026-01-01",
        "fecha_fin": "2026-11-28",
        "costo_planificado": str(cost),
    }


def _project(period: str, ident: str, investment: str, **figures: str) -> dict:
    row = {
        "periodo_reporte": period,
        "id_proyecto": ident,
        "id_inversion": investment,
        "nombre": f"Proyecto {ident}",
        "estado": "En ejecución",
        "inicio_planificado": "2026-01-01",
        "fin_planificado": "2026-11-28",
        "costo_planificado": "100",
    }
    row.update(figures)
    return row


def _portfolio() -> Portfolio:
    investments = [
        _investment("2026-06", "A"),
        _investment("2026-09", "A"),
        _investment("2026-09", "B"),
        _investment("2026-06", "C"),
    ]
    projects = [
        _project("2026-06", "A1", "A", costo_proyectado="105", costo_real="20"),
        _project(
            "2026-09",
            "A1",
            "A",
            costo_proyectado="130",
            costo_real="60",
            fin_proyectado="2027-01-07",
        ),
        _project("2026-09", "B1", "B", costo_real="100", fin_real="2026-09-30"),
        _project("2026-06", "C1", "C"),
    ]
    return Portfolio(pl.DataFrame(investments), pl.DataFrame(projects))


def test_compute_latest_period_history_and_ratings():
    ratings = [
        CioRating("mides", "A", 4, "Bien", date(2026, 5, 1), "cio@mides"),
        CioRating("mides", "A", 2, "Preocupa", date(2026, 8, 1), "cio@mides"),
    ]
    dash = compute(_portfolio(), ratings, Settings(), today=date(2026, 10, 15))
    assert (dash.period, dash.previous, dash.periods) == (
        "2026-09",
        "2026-06",
        ["2026-06", "2026-09"],
    )
    a = dash.investments.filter(pl.col("id_inversion") == "A").row(0, named=True)
    assert a["costo_estimado"] == 130 and a["variacion_costo_pct"] == 30.0
    assert a["color_costo"] == "red" and a["variacion_plazo_dias"] == 40
    assert a["color_plazo"] == "yellow" and a["calificacion_cio"] == 2
    assert a["calificacion_general"] == 2.0 and a["color_general"] == "red"
    assert a["calificacion_cio_vencida"] is False  # 75 days old
    # B finished on time at its planned cost: its actual cost is the estimate.
    b = dash.investments.filter(pl.col("id_inversion") == "B").row(0, named=True)
    assert b["variacion_costo"] == 0 and b["color_general"] == "green"
    assert b["calificacion_cio"] is None
    # The history keeps each period with the rating then in force.
    before = dash.history.filter(
        (pl.col("periodo_reporte") == "2026-06") & (pl.col("id_inversion") == "A")
    ).row(0, named=True)
    assert before["calificacion_cio"] == 4 and before["color_costo"] == "green"
    assert dash.ratings.height == 2


def test_what_changed_since_the_previous_period():
    dash = compute(_portfolio(), today=date(2026, 10, 1))
    changes = {r["id_inversion"]: r for r in dash.changes.to_dicts()}
    assert changes["A"]["cambio"] == "worse"
    assert changes["A"]["color_general_anterior"] == "green"
    assert changes["B"]["cambio"] == "new" and changes["C"]["cambio"] == "removed"


def test_stale_rating_and_stale_portfolio():
    old = [CioRating("mides", "A", 4, "", date(2026, 6, 1), "cio")]
    fresh = compute(_portfolio(), old, today=date(2026, 8, 30))
    aged = compute(_portfolio(), old, today=date(2026, 9, 30))  # 121 days
    pick = pl.col("id_inversion") == "A"
    assert not fresh.investments.filter(pick)["calificacion_cio_vencida"][0]
    assert aged.investments.filter(pick)["calificacion_cio_vencida"][0]
    assert not compute(_portfolio(), today=date(2026, 11, 30)).stale  # two months
    assert compute(_portfolio(), today=date(2026, 12, 1)).stale  # three months
    assert compute(_portfolio(), today=date(2026, 12, 1)).totals()["stale"]


def test_spending_by_body_type_funding_and_year():
    portfolio = _portfolio()
    portfolio.monthly_costs = pl.DataFrame(
        {
            "periodo_reporte": ["2026-06", "2026-09", "2026-09"],
            "id_proyecto": ["A1", "A1", "A1"],
            "mes": ["2026-05", "2026-05", "2026-08"],
            "costo_real": ["20", "25", "35"],  # the later report of May wins
        }
    )
    dash = compute(portfolio, today=date(2026, 10, 1))
    rows = {(r["dimension"], r["valor"]): r for r in dash.spending.to_dicts()}
    assert rows[("institucion", "mides")]["inversiones"] == 2
    assert rows[("institucion", "mides")]["costo_planificado"] == 200
    assert rows[("institucion", "mides")]["en_riesgo"] == 1
    assert rows[("anio", "2026")]["costo_real"] == 60
    totals = dash.totals()
    assert totals["at_risk"] == 1 and totals["investments"] == 2 and totals["projects"] == 2


# ---------------------------------------------------------------- consistency checks


def _write_portfolio(root: Path, tables: dict[str, list[dict]], name: str = "cartera-ti") -> Path:
    (root / "publishers").mkdir(parents=True, exist_ok=True)
    for slug in ("mides", "segeplan"):
        (root / "publishers" / f"{slug}.yaml").write_text(
            f"name: {slug.upper()}\nkind: ministry\nemail: info@{slug}.gob.gt\n"
            "jurisdiction:\n  country: GT\n",
            encoding="utf-8",
        )
    folder = root / "datasets" / "mides" / name
    (folder / "data").mkdir(parents=True, exist_ok=True)
    resources = []
    for spec in TABLES:
        if spec.name not in tables:
            continue
        out = io.StringIO()
        writer = csv.DictWriter(out, field_names(spec.name), lineterminator="\n")
        writer.writeheader()
        writer.writerows(tables[spec.name])
        (folder / "data" / f"{spec.name}.csv").write_text(out.getvalue(), encoding="utf-8")
        resources.append(
            {
                "name": spec.name,
                "path": f"data/{spec.name}.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": schema(spec.name),
            }
        )
    descriptor = {
        "name": name,
        "title": "Cartera de proyectos TI de prueba",
        "description": "Cartera de prueba.",
        "conformsTo": "it-portfolio",
        "publisher": "mides",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "contactPoint": {"name": "TI", "email": "ti@mides.gob.gt"},
        "keywords": ["prueba"],
        "themes": ["TECH"],
        "frequency": "monthly",
        "version": "1.0.0",
        "issued": "2026-01-01",
        "modified": "2026-09-30",
        "resources": resources,
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (folder / "README.md").write_text("# Cartera\n", encoding="utf-8")
    return folder


def _good_tables() -> dict[str, list[dict]]:
    return {
        "inversiones": [_investment("2026-09", "A", 300)],
        "proyectos": [
            _project("2026-09", "A1", "A", costo_real="60", inicio_real="2026-01-05"),
            _project("2026-09", "A2", "A", costo_real="0"),
        ],
        "hitos": [
            {
                "periodo_reporte": "2026-09",
                "id_proyecto": "A1",
                "id_hito": "H1",
                "nombre": "Diseño",
                "fecha_planificada": "2026-03-01",
            }
        ],
        "costos_mensuales": [
            {
                "periodo_reporte": "2026-09",
                "id_proyecto": "A1",
                "mes": "2026-01",
                "costo_real": "25",
            },
            {
                "periodo_reporte": "2026-09",
                "id_proyecto": "A1",
                "mes": "2026-02",
                "costo_real": "35",
            },
        ],
    }


def _findings(root: Path, tables: dict[str, list[dict]]) -> list:
    folder = _write_portfolio(root, tables)
    report = validate_dataset(DatasetRef("mides", folder.name, folder), root=root)
    return report.findings


def test_a_consistent_portfolio_passes(tmp_path: Path):
    assert [f.to_json("en") for f in _findings(tmp_path, _good_tables()) if f.blocking] == []


def _one(findings: list, kind: str):
    found = [f for f in findings if f.type == kind]
    assert found, [f.type for f in findings]
    return found[0]


def test_end_before_start(tmp_path: Path):
    tables = _good_tables()
    tables["inversiones"][0]["fecha_fin"] = "2025-12-31"
    finding = _one(_findings(tmp_path, tables), "it-portfolio-dates")
    assert finding.resource == "inversiones" and finding.rowNumber == 2
    assert finding.fieldName == "fecha_fin"
    assert "comes before fecha_inicio" in finding.message("en")
    assert "es anterior a" in finding.message("es")
    data = finding.to_json("es")
    assert set(data) == {"type", "dataset", "resource", "rowNumber", "fieldName", "message"}


def test_negative_cost(tmp_path: Path):
    tables = _good_tables()
    tables["proyectos"][1]["costo_real"] = "-5"
    finding = _one(_findings(tmp_path, tables), "it-portfolio-negative-cost")
    assert (finding.resource, finding.rowNumber, finding.fieldName) == (
        "proyectos",
        3,
        "costo_real",
    )


def test_milestone_outside_its_project(tmp_path: Path):
    tables = _good_tables()
    tables["hitos"][0]["fecha_planificada"] = "2027-06-01"
    finding = _one(_findings(tmp_path, tables), "it-portfolio-milestone-outside")
    assert "outside its project A1" in finding.message("en")


def test_unknown_body_and_ids(tmp_path: Path):
    tables = _good_tables()
    tables["inversiones"][0]["institucion"] = "nadie"
    tables["proyectos"][1]["id_inversion"] = "Z"
    tables["costos_mensuales"][0]["id_proyecto"] = "A9"
    findings = _findings(tmp_path, tables)
    assert _one(findings, "it-portfolio-unknown-body").params["value"] == "nadie"
    unknown = [f for f in findings if f.type == "it-portfolio-unknown-id"]
    assert {(f.resource, f.params["value"]) for f in unknown} == {
        ("proyectos", "Z"),
        ("costos_mensuales", "A9"),
    }


def test_totals_that_do_not_add_up(tmp_path: Path):
    tables = _good_tables()
    tables["inversiones"][0]["costo_planificado"] = "150"  # projects plan 200
    tables["costos_mensuales"][1]["costo_real"] = "50"  # months add up to 75, not 60
    findings = [f for f in _findings(tmp_path, tables) if f.type == "it-portfolio-totals"]
    assert {f.resource for f in findings} == {"inversiones", "proyectos"}


def test_a_missing_table_of_the_standard(tmp_path: Path):
    tables = _good_tables()
    del tables["proyectos"], tables["hitos"], tables["costos_mensuales"]
    finding = _one(_findings(tmp_path, tables), "it-portfolio-structure")
    assert finding.params["table"] == "proyectos"


def test_a_dataset_without_the_marker_is_not_checked(tmp_path: Path):
    tables = _good_tables()
    tables["inversiones"][0]["fecha_fin"] = "2025-12-31"
    folder = _write_portfolio(tmp_path, tables)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    del descriptor["conformsTo"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    report = validate_dataset(DatasetRef("mides", folder.name, folder), root=tmp_path)
    assert not [f for f in report.findings if f.type.startswith("it-portfolio")]


# ---------------------------------------------------------------- build and API


RATING_COLUMNS = [
    ("institucion", "string"),
    ("inversion", "string"),
    ("calificacion", "integer"),
    ("comentario", "string"),
    ("fecha", "date"),
    ("autor", "string"),
    ("datos_de_ejemplo", "boolean"),
]


def _ratings(extra: Path, rows: list[list[str]]) -> None:
    folder = extra / "datasets" / "segeplan" / "calificaciones-cio"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    with (folder / "data" / "calificaciones.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([n for n, _t in RATING_COLUMNS])
        writer.writerows(rows)
    descriptor = {
        "name": "calificaciones-cio",
        "title": "Calificaciones CIO",
        "description": "Calificaciones de riesgo de los CIO.",
        "publisher": "segeplan",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "contactPoint": {"name": "TI", "email": "ti@segeplan.gob.gt"},
        "keywords": ["prueba"],
        "themes": ["TECH"],
        "frequency": "daily",
        "version": "1.0.0",
        "issued": "2026-01-01",
        "modified": "2026-09-30",
        "resources": [
            {
                "name": "calificaciones",
                "path": "data/calificaciones.csv",
                "format": "csv",
                "encoding": "utf-8",
                "schema": {"fields": [{"name": n, "type": t} for n, t in RATING_COLUMNS]},
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    (folder / "README.md").write_text("# Calificaciones\n", encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("itportfolio")
    root, extra, out = base / "content", base / "extra", base / "build"
    tables = _good_tables()
    tables["inversiones"].append(_investment("2026-09", "B", 100))
    tables["proyectos"].append(
        _project("2026-09", "B1", "B", costo_proyectado="160", costo_real="80")
    )
    _write_portfolio(root, tables)
    _ratings(extra, [["mides", "A", "4", "En curso", "2026-09-15", "cio@mides", "true"]])
    report = build(root, out, extra=(extra,))
    assert report.all_published, report.summary("en")
    return out


@pytest.fixture(scope="module")
def client(built: Path) -> AppClient:
    app = make_app(built)
    app.api = create_api(app.current, limits=LimitSettings(None))
    return AppClient(app)


def test_the_build_publishes_the_dashboard_dataset(built: Path):
    report = json.loads((built / "report.json").read_text())
    statuses = {d["dataset"]: d["status"] for d in report["datasets"]}
    assert statuses["mides/tablero-proyectos-ti"] == "published"
    generated = built / "state" / "generated" / "datasets" / "mides" / "tablero-proyectos-ti"
    rows = list(csv.DictReader((generated / "data" / "inversiones.csv").open(encoding="utf-8")))
    a = next(r for r in rows if r["id_inversion"] == "A")
    assert a["calificacion_cio"] == "4" and a["color_costo"] == "green"


def test_api_investments_shape_and_filters(client: AppClient):
    body = client.get("/api/v1/it/investments").json()
    assert body["period"] == "2026-09" and len(body["items"]) == 2
    item = {i["id"]: i for i in body["items"]}["B"]
    for key in ("id", "publisher", "name", "planned_cost", "actual_cost", "cost_variance_pct"):
        assert key in item
    assert item["cost_variance_pct"] == 60.0 and item["cost_colour"] == "red"
    assert item["schedule_colour"] == "green" and item["cio_rating"] is None
    assert item["overall"] == 3.0 and item["cio_rating_date"] is None
    a = client.get("/api/v1/it/investments", params={"rating": 4}).json()["items"]
    assert [i["id"] for i in a] == ["A"] and a[0]["cio_rating_date"] == "2026-09-15"
    assert client.get("/api/v1/it/investments", params={"colour": "red"}).json()["items"] == []
    assert len(client.get("/api/v1/it/investments", params={"body": "mides"}).json()["items"]) == 2
    assert client.get("/api/v1/it/investments", params={"publisher": "x"}).json()["items"] == []


def test_api_projects_of_an_investment(client: AppClient):
    body = client.get("/api/v1/it/projects", params={"investment": "A"}).json()
    assert body["investment"] == "A" and [p["id"] for p in body["items"]] == ["A1", "A2"]
    first = body["items"][0]
    assert first["planned_cost"] == 100 and first["actual_cost"] == 60
    assert first["planned_end"] == "2026-11-28" and first["cost_colour"] == "green"


def test_api_errors_are_the_json_envelope(client: AppClient):
    missing = client.get("/api/v1/it/projects", params={"investment": "nope"})
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not-found"
    assert "nope" in missing.json()["error"]["message"]
    for params in ({"rating": 9}, {"colour": "blue"}, {"rating": "x"}):
        bad = client.get("/api/v1/it/investments", params=params)
        assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid-parameter"
    assert client.get("/api/v1/it/projects").status_code == 400


def test_api_template_and_openapi(client: AppClient):
    zipped = client.get("/api/v1/it/template")
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
    assert "cartera-proyectos-ti/datapackage.json" in names
    assert "cartera-proyectos-ti/schemas/proyectos.json" in names
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/it/investments", "/api/v1/it/projects", "/api/v1/it/template"} <= set(paths)
