"""Territory code lists of Guatemala, Chile and Paraguay, and their use by validation,
coverage and indicators for a publisher of each country."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from catalog import territories, territory_values
from catalog.indicators.compute import compute_all, profile, ranking
from catalog.metadata import check_publishers
from catalog.release.manifest import Column, Manifest, TablePlan
from catalog.site.facts import dataset_facts
from catalog.validate import validate_paths

# ------------------------------------------------------------------ the lists


@pytest.mark.parametrize(
    ("country", "first", "second", "digits"),
    [("GT", 22, 340, (2, 4)), ("CL", 16, 346, (2, 5)), ("PY", 18, 263, (2, 4))],
)
def test_each_list_is_complete_and_unique(country, first, second, digits):
    spec = territories.COUNTRIES[country]
    with (territories.FOLDER / spec.file).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = [row["codigo"] for row in rows]
    assert len(codes) == len(set(codes)) == first + second
    assert all(row["nombre"].strip() == row["nombre"] and row["nombre"] for row in rows)
    departments = territories.departments(country)
    municipalities = territories.municipalities(country=country)
    assert (len(departments), len(municipalities)) == (first, second)
    for d in departments:
        assert len(territories.split(d["code"])[1]) == digits[0]
    for m in municipalities:
        bare = territories.split(m["code"])[1]
        assert len(bare) == digits[1] and bare.isdigit()
        assert m["department"] == territories.key(bare[:2], country)  # its parent's prefix
        assert territories.name(m["department"])
    # Names are unique within a first-level territory.
    for d in departments:
        names = [m["name"] for m in territories.municipalities(d["code"])]
        assert len(names) == len(set(names)), d


def test_chilean_regions_and_comunas():
    regions = {d["code"]: d["name"] for d in territories.departments("CL")}
    assert list(regions) == [f"CL-{n:02d}" for n in range(1, 17)]
    assert regions["CL-13"] == "Metropolitana de Santiago" and regions["CL-16"] == "Ñuble"
    counts = {r: len(territories.municipalities(r)) for r in regions}
    assert counts["CL-13"] == 52 and counts["CL-05"] == 38 and counts["CL-16"] == 21
    assert territories.name("13101", "CL") == territories.name("CL-13101") == "Santiago"
    assert territories.name("16101", "CL") == "Chillán"
    assert territories.department_of("CL-08101") == "CL-08"  # Concepción, Biobío
    assert territories.department_of("08101", "CL") == "08"  # bare in, bare out


def test_paraguay_departments_the_capital_and_districts():
    departments = {d["code"]: d["name"] for d in territories.departments("PY")}
    assert departments["PY-00"] == "Asunción" and departments["PY-11"] == "Central"
    assert departments["PY-17"] == "Alto Paraguay" and len(departments) == 18
    counts = {d: len(territories.municipalities(d)) for d in departments}
    assert counts["PY-00"] == 1 and counts["PY-11"] == 19 and counts["PY-07"] == 30
    assert counts["PY-16"] == 4 and counts["PY-01"] == 14  # with the districts of 2013-2021
    assert territories.name("0000", "PY") == "Asunción"  # the capital, district 00 of 00
    assert territories.department_of("PY-0000") == "PY-00"
    assert (
        territories.name("PY-1101") == "Areguá" and territories.department_of("1101", "PY") == "11"
    )
    assert territories.name("1606", "PY") == "Boquerón"  # Ley 6688 of 2021
    assert territories.name("1511", "PY") == "Nueva Asunción"  # Ley 6731 of 2021
    assert territories.is_municipality("1101", "PY") and not territories.is_municipality(
        "1501", "PY"
    )
    assert territories.example("PY", "municipality") == "1101 (Areguá)"


def test_guatemala_callers_are_unchanged():
    assert territories.name("13") == "Huehuetenango"  # not Chile's region 13
    assert territories.is_department("01") and territories.is_municipality("1601")
    assert territories.department_of("1601") == "16"
    assert territories.key("1601") == "1601" and territories.key("1601", "GT") == "1601"
    assert not territories.is_municipality("13101")  # a Chilean code is not Guatemalan
    assert territories.name(13) is None  # type: ignore[arg-type]
    assert territories.country_of("CL-13101") == "CL" and territories.country_of("0101") == "GT"


def test_a_dataset_country_comes_from_spatial_then_publisher():
    chile = {"jurisdiction": {"country": "CL"}}
    assert territories.dataset_country({}, chile) == "CL"
    assert territories.dataset_country({"spatial": {"country": "py"}}, chile) == "PY"
    assert territories.dataset_country({}, None) == "GT"


# ------------------------------------------------------------------ validation


def _content(root: Path, country: str, municipalities: list[str], codes: list[str]) -> Path:
    """A content root with one publisher of ``country`` and one dataset of comunas."""
    (root / "publishers").mkdir(parents=True)
    (root / "publishers" / "muni.yaml").write_text(
        "name: Municipalidad\nkind: ministry\n"
        f"jurisdiction:\n  country: {country}\nemail: transparencia@muni.cl\n",
        encoding="utf-8",
    )
    folder = root / "datasets" / "muni" / "atenciones"
    (folder / "data").mkdir(parents=True)
    rows = "".join(f"2024,{code},{n}\n" for n, code in enumerate(codes, start=1))
    (folder / "data" / "atenciones.csv").write_text("anio,comuna,atenciones\n" + rows, "utf-8")
    descriptor = {
        "name": "atenciones",
        "publisher": "muni",
        "title": "Atenciones por comuna",
        "description": "Atenciones de salud primaria por comuna y año.",
        "keywords": ["salud"],
        "themes": ["HEAL"],
        "licenses": [{"name": "CC-BY-4.0"}],
        "frequency": "annual",
        "contactPoint": {"name": "Unidad de datos", "email": "datos@muni.cl"},
        "version": "1.0.0",
        "issued": "2024-01-01",
        "modified": "2024-06-01",
        "spatial": {"municipalities": municipalities},
        "resources": [
            {
                "name": "atenciones",
                "path": "data/atenciones.csv",
                "format": "csv",
                "schema": {
                    "fields": [
                        {"name": "anio", "type": "integer"},
                        {"name": "comuna", "type": "string", "territory": "municipality"},
                        {"name": "atenciones", "type": "integer"},
                    ]
                },
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def _spatial(findings: list[Any]) -> list[Any]:
    return [f for f in findings if str(f.params.get("property", "")).startswith("spatial")]


def test_a_chilean_publishers_comuna_validates(tmp_path: Path):
    folder = _content(tmp_path, "CL", ["13101", "05101"], ["13101", "05101"])
    run = validate_paths([folder])
    assert not _spatial(run.findings), [f.message("en") for f in run.findings]
    assert run.valid, [f.message("en") for f in run.findings]


def test_a_wrong_comuna_is_refused_with_a_clear_message(tmp_path: Path):
    folder = _content(tmp_path, "CL", ["13101", "13999", "0101"], ["13101"])
    run = validate_paths([folder])
    assert not run.valid
    found = _spatial(run.findings)
    assert [f.params["value"] for f in found] == ["13999", "0101"]  # a Guatemalan code too
    english, spanish = found[0].message("en"), found[0].message("es")
    assert '"13999" is not a code of the comunas of CL (spatial.municipalities)' in english
    assert "5 digits" in english and "13101" in english and "cl_territories.csv" in english
    assert "no es un código de comunas de CL" in spanish


def test_the_same_code_is_guatemalan_for_a_guatemalan_publisher(tmp_path: Path):
    folder = _content(tmp_path, "GT", ["13101"], ["0101"])
    (found,) = _spatial(validate_paths([folder]).findings)
    assert "INE municipality code" in found.message("en")


def test_a_paraguayan_district_dataset_validates(tmp_path: Path):
    folder = _content(tmp_path, "PY", ["1101", "0000"], ["1101", "0000", "1606"])
    run = validate_paths([folder])
    assert run.valid, [f.message("en") for f in run.findings]


def test_a_wrong_paraguayan_district_is_refused(tmp_path: Path):
    folder = _content(tmp_path, "PY", ["1101", "1120"], ["1101"])
    (found,) = _spatial(validate_paths([folder]).findings)
    english = found.message("en")
    assert '"1120" is not a code of the distritos of PY (spatial.municipalities)' in english
    assert "4 digits" in english and "1101 (Areguá)" in english and "py_territories" in english


def test_a_chilean_comuna_dataset_validates_with_its_column(tmp_path: Path):
    folder = _content(tmp_path, "CL", ["13101"], ["13101", "", "05502", "16206"])
    run = validate_paths([folder])
    assert run.valid and not run.findings, [f.message("en") for f in run.findings]


# ------------------------------------------------------------------ territory columns


def _column_findings(run: Any) -> list[Any]:
    return [f for f in run.findings if f.type == territory_values.TYPE]


def test_a_territory_column_with_unknown_codes_is_a_finding(tmp_path: Path):
    codes = ["13101", "99999", "99999", "", "0101", "13102", "CL-13101"]
    folder = _content(tmp_path, "CL", ["13101"], codes)
    run = validate_paths([folder])
    assert not run.valid
    (found,) = _column_findings(run)
    assert (found.fieldName, found.resource) == ("comuna", "atenciones")
    assert found.params["count"] == 4 and found.params["distinct"] == 3
    assert found.params["row"] == 3  # the header is row 1, "13101" row 2
    english, spanish = found.message("en"), found.message("es")
    assert (
        "Column comuna has 4 cells that are not codes of the comunas of Chile "
        '(3 different values, e.g. "99999", "0101", "CL-13101"; the first at row 3).'
    ) in english
    assert "5 digits" in english and "13101 (Santiago)" in english and "cl_territories" in english
    assert "La columna comuna tiene 4 celdas que no son códigos de comunas de Chile" in spanish


def test_codes_that_lost_their_zeros_are_named_so(tmp_path: Path):
    folder = _content(tmp_path, "CL", ["13101"], ["13101", "5101", "8101"])
    (found,) = _column_findings(validate_paths([folder]))
    assert "lost their leading zeros (5101 → 05101, 8101 → 08101)" in found.message("en")
    assert "perdieron sus ceros a la izquierda" in found.message("es")


def test_the_same_column_is_read_with_the_publishers_country(tmp_path: Path):
    folder = _content(tmp_path, "GT", ["0101"], ["0101", "13101"])  # a comuna in Guatemala
    (found,) = _column_findings(validate_paths([folder]))
    assert found.params["country"] == "Guatemala" and found.params["examples"] == '"13101"'


def test_the_counts_are_the_same_when_the_file_is_read_in_blocks(tmp_path: Path):
    from catalog.content import resolve_target
    from catalog.validate import validate_dataset

    codes = ["13101", "99999"] * 400 + ["0101"]
    folder = _content(tmp_path, "CL", ["13101"], codes)
    whole = validate_dataset(resolve_target(folder))
    blocks = validate_dataset(resolve_target(folder), batch_bytes=2048)
    found = [_column_findings(r)[0].params for r in (whole, blocks)]
    assert found[0] == found[1] and found[0]["count"] == 401 and found[0]["row"] == 3


def test_an_indicators_territory_field_is_a_territory_column():
    resource = {
        "name": "atenciones",
        "schema": {
            "fields": [
                {"name": "comuna", "type": "string"},
                {"name": "region", "type": "string", "territory": "department"},
                {"name": "anio", "type": "integer", "territory": "department"},  # not text
            ]
        },
    }
    package = {"indicators": [INDICATOR, {**INDICATOR, "resource": "otro"}]}
    assert territory_values.columns(package, resource) == {
        "region": "department",
        "comuna": "municipality",
    }


def test_a_chilean_publisher_names_a_real_comuna(tmp_path: Path):
    (tmp_path / "publishers").mkdir()
    (tmp_path / "publishers" / "santiago.yaml").write_text(
        "name: Municipalidad de Santiago\nkind: ministry\nemail: t@munistgo.cl\n"
        "jurisdiction:\n  country: CL\n  department: '13'\n  municipality: '13101'\n",
        encoding="utf-8",
    )
    assert not check_publishers(tmp_path)
    (tmp_path / "publishers" / "santiago.yaml").write_text(
        "name: Municipalidad de Santiago\nkind: ministry\nemail: t@munistgo.cl\n"
        "jurisdiction:\n  country: CL\n  department: '05'\n  municipality: '13101'\n",
        encoding="utf-8",
    )
    (found,) = check_publishers(tmp_path)
    assert found.params["property"] == "jurisdiction.municipality"


# ------------------------------------------------------------------ coverage and fichas


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


INDICATOR = {
    "id": "cobertura-comunal",
    "name": "Cobertura",
    "definition": "Atendidos entre población objetivo.",
    "unit": "%",
    "resource": "atenciones",
    "computation": {"numerator": "atendidos", "denominator": "objetivo", "scale": 100},
    "polarity": "higher-better",
    "territory": {"field": "comuna", "level": "municipality"},
    "period": "anio",
}


@pytest.fixture
def chile() -> tuple[Manifest, sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        create table atenciones (anio integer, comuna text, atendidos integer, objetivo integer);
        insert into atenciones values
          (2024, '13101', 80, 100), (2024, '13102', 50, 100), (2024, '05101', 30, 100),
          (2024, '99999', 1, 1);
        """
    )
    columns = [
        _column("anio", "integer"),
        _column("comuna", "string", "municipality"),
        _column("atendidos", "integer"),
        _column("objetivo", "integer"),
    ]
    package = {
        "name": "atenciones",
        "publisher": "minsal",
        "resources": [
            {
                "name": "atenciones",
                "schema": {
                    "fields": [
                        {"name": "anio", "type": "integer"},
                        {"name": "comuna", "type": "string"},
                        {"name": "atendidos", "type": "integer"},
                        {"name": "objetivo", "type": "integer"},
                    ]
                },
            }
        ],
        "indicators": [INDICATOR],
    }
    manifest = Manifest(
        dataset="minsal/atenciones",
        publisher="minsal",
        name="atenciones",
        package=package,
        readme=None,
        queries={},
        tables=[_plan("atenciones", "atenciones", columns)],
    )
    return manifest, conn


def test_coverage_of_a_chilean_dataset(chile):
    manifest, conn = chile
    found = dataset_facts(manifest, conn, "CL")
    assert found["territories"] == ["CL-05", "CL-05101", "CL-13", "CL-13101", "CL-13102"]
    (figure,) = found["figures"]
    assert set(figure["values"]["municipality"]) == {"CL-05101", "CL-13101", "CL-13102"}
    # Read as Guatemalan codes (no country given), the comunas are nothing and their first
    # two digits two wrong departments: the publisher's country matters.
    assert dataset_facts(manifest, conn)["territories"] == ["05", "13"]


def test_a_chilean_ficha_compares_with_region_and_country(chile):
    manifest, conn = chile
    publishers = {"minsal": {"jurisdiction": {"country": "CL"}}}
    (indicator,) = compute_all([manifest], conn, publishers)
    assert indicator["country"] == "CL"
    assert indicator["values"]["department"]["CL-13"] == [[2024, 65.0]]
    assert indicator["national"] == [[2024, round(100 * 160 / 300, 4)]]
    found = profile(indicator, "CL-13102")
    assert found is not None
    assert (found["name"], found["department"], found["rank"], found["peers"]) == (
        "Cerrillos",
        "CL-13",
        2,
        3,
    )
    assert found["department_value"] == 65.0
    assert [r["code"] for r in ranking(indicator, "municipality")] == [
        "CL-13101",
        "CL-13102",
        "CL-05101",
    ]
    # Without the publisher's country the codes are read as Guatemalan: nothing matches.
    (gt,) = compute_all([manifest], conn)
    assert gt["values"]["municipality"] == {}


# ------------------------------------------------------------------ the site


def test_a_chilean_catalogue_gets_fichas_where_it_has_data(tmp_path: Path):
    from catalog.build import build

    content = tmp_path / "content"
    folder = _content(content, "CL", ["13101"], ["13101", "13102", "05101"])
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["indicators"] = [
        {
            **INDICATOR,
            "computation": {"value": "atenciones", "aggregate": "sum"},
        }
    ]
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = build(content, tmp_path / "build")
    assert report.all_published, [f.message("en") for d in report.datasets for f in d.findings]
    site = tmp_path / "build" / "current" / "site"
    pages = {p.parent.name for p in (site / "territories").glob("CL-*/index.html")}
    assert pages == {"CL-05", "CL-05101", "CL-13", "CL-13101", "CL-13102"}  # only with data
    page = (site / "territories" / "CL-13102" / "index.html").read_text(encoding="utf-8")
    assert "Comuna Cerrillos, en Metropolitana de Santiago, Chile; código oficial 13102." in page
    assert "Puesto 2 de 3" in page  # the ficha compares with the other comunas
    assert not (site / "territories" / "CL-13102" / "mapa.svg").exists()  # no boundaries
    english = (site / "en" / "territories" / "CL-13" / "index.html").read_text(encoding="utf-8")
    assert "Region Metropolitana de Santiago, Chile; official code 13." in english
    listing = (site / "territories" / "index.html").read_text(encoding="utf-8")
    assert "Metropolitana de Santiago (Chile)" in listing
    indicator = (site / "indicadores" / "cobertura-comunal" / "index.html").read_text("utf-8")
    assert "<svg" not in indicator and "Cerrillos" in indicator  # a ranking, no map
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/territories/CL-13102/" in sitemap and "/indicadores/cobertura-comunal/" in sitemap


def test_a_paraguayan_catalogue_gets_district_fichas(tmp_path: Path):
    from catalog.build import build

    content = tmp_path / "content"
    folder = _content(content, "PY", ["1101"], ["1101", "1114", "0000", "1606"])
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["indicators"] = [
        {**INDICATOR, "id": "atenciones-distrito", "computation": {"value": "atenciones"}}
    ]
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = build(content, tmp_path / "build")
    assert report.all_published, [f.message("en") for d in report.datasets for f in d.findings]
    site = tmp_path / "build" / "current" / "site"
    pages = {p.parent.name for p in (site / "territories").glob("PY-*/index.html")}
    assert pages == {"PY-00", "PY-0000", "PY-11", "PY-1101", "PY-1114", "PY-16", "PY-1606"}
    page = (site / "territories" / "PY-1114" / "index.html").read_text(encoding="utf-8")
    assert "Distrito San Lorenzo, en Central, Paraguay; código oficial 1114." in page
    assert "Puesto 3 de 4" in page  # ranked among the districts with data
    english = (site / "en" / "territories" / "PY-1606" / "index.html").read_text("utf-8")
    assert "District Boquerón, in Boquerón, Paraguay; official code 1606." in english
    assert not (site / "territories" / "PY-1114" / "mapa.svg").exists()  # no boundaries
    indicator = (site / "indicadores" / "atenciones-distrito" / "index.html").read_text("utf-8")
    assert "<svg" not in indicator and "San Lorenzo" in indicator


# ------------------------------------------------------------------ open metadata


def test_open_metadata_takes_the_country_from_the_publisher(chile):
    from catalog.standards import datajson, dcat, facts, schemaorg

    manifest, _conn = chile
    package = {**manifest["package"], "spatial": {"municipalities": ["13101"]}}
    manifest = {**manifest, "package": package}  # no spatial.country: the publisher's
    publisher = {"name": "Ministerio de Salud", "jurisdiction": {"country": "CL"}}
    assert facts.country(manifest, publisher) == "CL" and facts.country(manifest) == "GT"
    assert facts.declared_territories(manifest, publisher) == ["CL-13101"]
    record = datajson.dataset(manifest, {"minsal": publisher}, "es")
    assert record["spatial"] == "Santiago, Metropolitana de Santiago, Chile"
    place = schemaorg.dataset(manifest, publisher, "es")["spatialCoverage"]
    assert place["identifier"] == "CL-13101" and place["containedInPlace"]["identifier"] == "CL"
    turtle = dcat.turtle(dcat.graph([manifest], {"minsal": publisher}, "es"))
    assert "country/CHL" in turtle and "/territories/CL-13101/#place" in turtle
    spanish = {**package, "spatial": {"country": "PY"}}  # the dataset's own country wins
    assert facts.country({**manifest, "package": spanish}, publisher) == "PY"
