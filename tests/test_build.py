"""catalog build: tables, types, keys, FTS, catalogue tables, incremental and atomic builds."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from catalog.build import build
from catalog.errors import CatalogError

MIDES = """\
name: Ministerio de Desarrollo Social
acronym: MIDES
kind: ministry
jurisdiction: {country: GT}
website: https://www.mides.gob.gt
email: uip@mides.gob.gt
description: Rector de las políticas de desarrollo social.
"""

MIXCO = """\
name: Municipalidad de Mixco
kind: municipality
jurisdiction: {country: GT, department: "01", municipality: "0108"}
website: https://www.munimixco.gob.gt
email: informacion@munimixco.gob.gt
"""


def _package(publisher: str, name: str, title: str, resources: list[dict]) -> dict:
    return {
        "name": name,
        "title": title,
        "description": f"{title}: datos de ejemplo para las pruebas.",
        "keywords": ["ejemplo", "pruebas"],
        "themes": ["SOCI"],
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "publisher": publisher,
        "frequency": "annual",
        "contactPoint": {"name": "Unidad de Información Pública", "email": "uip@mides.gob.gt"},
        "version": "1.0.0",
        "issued": "2024-01-15",
        "modified": "2024-06-30",
        "resources": resources,
    }


README = "# Bono Social\n\nEntregas del **Bono Social**.\n\n<script>alert(1)</script>\n"
DEPARTAMENTOS = "codigo,nombre\n01,Guatemala\n05,Escuintla\n16,Alta Verapaz\n"
COBERTURA = """\
id,anio,departamento,programa,beneficiarios,monto,fecha,observaciones
1,2023,01,Bono Social,1200,350000.50,2023-03-01,Entrega en la cabecera departamental
2,2023,05,Bono Social,800,240000.00,2023-03-15,Pago por transferencia bancaria
3,2023,16,Bolsa Social,1500,410000.25,2023-04-01,Distribución en escuelas rurales
4,2024,01,Bolsa Social,1300,390000.00,2024-02-01,Entrega en centros comunitarios
5,2024,16,Bono Social,1700,505000.75,2024-02-20,Pago por transferencia en agencias
6,2024,05,Bono Social,900,270000.00,2024-03-05,Educación y salud como corresponsabilidad
"""

BONO_RESOURCES = [
    {
        "name": "departamentos",
        "path": "data/departamentos.csv",
        "format": "csv",
        "title": "Departamentos",
        "schema": {
            "fields": [
                {
                    "name": "codigo",
                    "type": "string",
                    "territory": "department",
                    "description": "Código INE del departamento",
                },
                {"name": "nombre", "type": "string", "description": "Nombre del departamento"},
            ],
            "primaryKey": "codigo",
        },
    },
    {
        "name": "cobertura",
        "path": "data/cobertura.csv",
        "format": "csv",
        "title": "Cobertura por departamento",
        "description": "Beneficiarios por año.",
        "schema": {
            "fields": [
                {"name": "id", "type": "integer"},
                {"name": "anio", "type": "integer", "description": "Año de la entrega"},
                {
                    "name": "departamento",
                    "type": "string",
                    "territory": "department",
                    "description": "Código INE del departamento",
                },
                {
                    "name": "programa",
                    "type": "string",
                    "constraints": {"enum": ["Bono Social", "Bolsa Social"]},
                },
                {
                    "name": "beneficiarios",
                    "type": "integer",
                    "description": "Hogares beneficiarios",
                },
                {"name": "monto", "type": "number", "description": "Monto entregado (GTQ)"},
                {"name": "fecha", "type": "date"},
                {"name": "observaciones", "type": "string"},
            ],
            "primaryKey": "id",
            "foreignKeys": [
                {
                    "fields": "departamento",
                    "reference": {"resource": "departamentos", "fields": "codigo"},
                }
            ],
        },
    },
]

QUERIES = """\
# Name this dataset's tables by resource name; the build rewrites them.
cobertura_por_departamento:
  title: Cobertura por departamento
  sql: >
    select d.nombre, sum(c.beneficiarios) as beneficiarios
    from cobertura c join departamentos d on d.codigo = c.departamento
    group by d.nombre order by d.nombre
"""

LICENCIAS = """\
numero,tipo,zona,fecha,descripcion
101,Construcción,1,2024-01-10,Ampliación de vivienda de dos niveles
102,Remodelación,3,2024-01-12,Cambio de fachada y techo
103,Construcción,1,2024-02-01,Local comercial con parqueo
"""

LICENCIAS_RESOURCES = [
    {
        "name": "licencias",
        "path": "data/licencias.csv",
        "format": "csv",
        "schema": {
            "fields": [
                {"name": "numero", "type": "integer"},
                {
                    "name": "tipo",
                    "type": "string",
                    "constraints": {"enum": ["Construcción", "Remodelación"]},
                },
                {"name": "zona", "type": "integer"},
                {"name": "fecha", "type": "date"},
                {"name": "descripcion", "type": "string", "description": "Obra autorizada"},
            ],
            "primaryKey": "numero",
        },
    },
]


def write_dataset(
    root: Path, publisher: str, name: str, title: str, resources: list[dict], files: dict[str, str]
) -> Path:
    folder = root / "datasets" / publisher / name
    (folder / "data").mkdir(parents=True, exist_ok=True)
    package = _package(publisher, name, title, resources)
    (folder / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    for rel, text in files.items():
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def write_content(root: Path) -> Path:
    """A small content tree: two publishers, two datasets (one with two related tables)."""
    (root / "publishers").mkdir(parents=True, exist_ok=True)
    (root / "publishers" / "mides.yaml").write_text(MIDES, encoding="utf-8")
    (root / "publishers" / "muni-mixco.yaml").write_text(MIXCO, encoding="utf-8")
    write_dataset(
        root,
        "mides",
        "bono-social",
        "Bono Social",
        BONO_RESOURCES,
        {
            "data/departamentos.csv": DEPARTAMENTOS,
            "data/cobertura.csv": COBERTURA,
            "README.md": README,
            "queries.yaml": QUERIES,
        },
    )
    write_dataset(
        root,
        "muni-mixco",
        "licencias",
        "Licencias de construcción",
        LICENCIAS_RESOURCES,
        {"data/licencias.csv": LICENCIAS},
    )
    return root


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content")


def statuses(report) -> dict[str, str]:
    return {d.dataset: d.status for d in report.datasets}


def connect(out: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(out / "sql" / "catalogo.db")
    conn.row_factory = sqlite3.Row
    return conn


def columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    return {r["name"]: r["type"] for r in conn.execute(f'PRAGMA table_info("{table}")')}


@pytest.fixture
def built(content: Path, tmp_path: Path) -> Path:
    out = tmp_path / "build"
    report = build(content, out)
    assert report.all_published, [f.message("en") for d in report.datasets for f in d.findings]
    return out


def snapshot_db(out: Path, dataset: str) -> Path:
    state = json.loads((out / "state" / "state.json").read_text())
    folder = state["datasets"][dataset]["published"]["snapshot"]
    return out / "state" / "datasets" / folder / "data.db"


COBERTURA_TABLE = "mides__bono_social__cobertura"
DEPARTAMENTOS_TABLE = "mides__bono_social__departamentos"
LICENCIAS_TABLE = "muni_mixco__licencias__licencias"


# ------------------------------------------------------------------ first build


def test_first_build_publishes_valid_datasets(content: Path, tmp_path: Path):
    out = tmp_path / "build"
    report = build(content, out)
    assert statuses(report) == {
        "mides/bono-social": "published",
        "muni-mixco/licencias": "published",
    }
    assert report.all_published and report.changed
    data = json.loads((out / "report.json").read_text())
    assert data["summary"]["published"] == 2
    assert {d["dataset"]: d["status"] for d in data["datasets"]} == statuses(report)
    with connect(out) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert {COBERTURA_TABLE, DEPARTAMENTOS_TABLE, LICENCIAS_TABLE} <= tables


def test_tables_have_schema_types_and_keys(built: Path):
    with connect(built) as conn:
        assert columns(conn, COBERTURA_TABLE) == {
            "id": "INTEGER",
            "anio": "INTEGER",
            "departamento": "TEXT",
            "programa": "TEXT",
            "beneficiarios": "INTEGER",
            "monto": "REAL",
            "fecha": "TEXT",
            "observaciones": "TEXT",
        }
        pks = {r["name"]: r["pk"] for r in conn.execute(f'PRAGMA table_info("{COBERTURA_TABLE}")')}
        assert pks["id"] == 1 and sum(pks.values()) == 1
        departamentos_pk = [
            r["name"]
            for r in conn.execute(f'PRAGMA table_info("{DEPARTAMENTOS_TABLE}")')
            if r["pk"]
        ]
        assert departamentos_pk == ["codigo"]
        fks = [
            (r["from"], r["table"], r["to"])
            for r in conn.execute(f'PRAGMA foreign_key_list("{COBERTURA_TABLE}")')
        ]
        assert fks == [("departamento", DEPARTAMENTOS_TABLE, "codigo")]
        row = conn.execute(f'select * from "{COBERTURA_TABLE}" where id = 1').fetchone()
        assert (row["anio"], row["departamento"], row["monto"], row["fecha"]) == (
            2023,
            "01",
            350000.5,
            "2023-03-01",
        )
        assert isinstance(row["beneficiarios"], int)
        # Types survive as SQLite storage classes, so sums and comparisons work.
        total = conn.execute(f'select sum(beneficiarios) from "{COBERTURA_TABLE}"').fetchone()[0]
        assert total == 7400


def test_indexes_for_filters_and_facets(built: Path):
    with connect(built) as conn:
        indexed = set()
        for index in conn.execute(f'PRAGMA index_list("{COBERTURA_TABLE}")'):
            indexed |= {r["name"] for r in conn.execute(f'PRAGMA index_info("{index["name"]}")')}
    # enum, territory and foreign key columns; not the free text nor the measures
    assert {"programa", "departamento"} <= indexed
    assert not {"observaciones", "monto", "beneficiarios"} & indexed


def test_full_text_search_on_text_columns(built: Path):
    with connect(built) as conn:
        fts = f"{COBERTURA_TABLE}_fts"
        hits = [
            r[0]
            for r in conn.execute(
                f'select rowid from "{fts}" where "{fts}" match ? order by rowid', ["educacion"]
            )
        ]
        assert hits == [6]  # "Educación": accents do not matter
        hits = [
            r[0]
            for r in conn.execute(
                f'select rowid from "{fts}" where "{fts}" match ? order by rowid', ["transferencia"]
            )
        ]
        assert hits == [2, 5]
        # codes and enums are not in the full-text index
        fts_columns = [r["name"] for r in conn.execute(f'PRAGMA table_info("{fts}")')]
        assert fts_columns == ["observaciones"]


def test_catalogue_tables_describe_the_catalogue(built: Path):
    with connect(built) as conn:
        publishers = {r["slug"]: dict(r) for r in conn.execute("select * from publishers")}
        assert publishers["mides"]["name"] == "Ministerio de Desarrollo Social"
        assert publishers["mides"]["datasets"] == 1
        dataset = dict(
            conn.execute("select * from datasets where id = 'mides/bono-social'").fetchone()
        )
        assert dataset["title"] == "Bono Social"
        assert dataset["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
        assert dataset["url"] == "/datasets/mides/bono-social/"
        assert json.loads(dataset["keywords"]) == ["ejemplo", "pruebas"]
        resources = {r["table_name"]: r["rows"] for r in conn.execute("select * from resources")}
        assert resources == {COBERTURA_TABLE: 6, DEPARTAMENTOS_TABLE: 3, LICENCIAS_TABLE: 3}
        field = conn.execute(
            "select * from fields where table_name = ? and name = 'monto'", [COBERTURA_TABLE]
        ).fetchone()
        assert (field["type"], field["description"]) == ("number", "Monto entregado (GTQ)")
        # The catalogue joins with itself and is searchable.
        joined = conn.execute(
            "select p.acronym from fields f join resources r on r.table_name = f.table_name "
            "join datasets d on d.id = r.dataset join publishers p on p.slug = d.publisher "
            "where f.name = 'monto'"
        ).fetchall()
        assert [r[0] for r in joined] == ["MIDES"]
        found = conn.execute(
            "select d.id from datasets_fts join datasets d on d.rowid = datasets_fts.rowid "
            "where datasets_fts match 'construccion'"
        ).fetchall()
        assert [r[0] for r in found] == ["muni-mixco/licencias"]


def test_journalists_can_join_across_publishers(built: Path):
    with connect(built) as conn:
        rows = conn.execute(
            f'select count(*) from "{COBERTURA_TABLE}" c, "{LICENCIAS_TABLE}" l '
            "where c.fecha < l.fecha"
        ).fetchone()[0]
    assert rows > 0


def test_datasette_metadata_and_canned_queries(built: Path):
    meta = json.loads((built / "sql" / "metadata.json").read_text())
    database = meta["databases"]["catalogo"]
    table = database["tables"][COBERTURA_TABLE]
    assert table["title"] == "Cobertura por departamento"
    assert table["description"] == "Beneficiarios por año."
    assert table["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert table["source"] == "Ministerio de Desarrollo Social"
    assert table["about_url"] == "/datasets/mides/bono-social/"
    assert table["columns"]["monto"] == "Monto entregado (GTQ)"
    assert table["catalog"]["publisher"]["url"] == "https://www.mides.gob.gt"
    query = database["queries"]["mides__bono_social__cobertura_por_departamento"]
    assert query["title"] == "Cobertura por departamento"
    # Resource names in the SQL were rewritten to the published table names.
    assert f'from "{COBERTURA_TABLE}" c join "{DEPARTAMENTOS_TABLE}" d' in query["sql"]
    with connect(built) as conn:
        rows = conn.execute(query["sql"]).fetchall()
    assert [tuple(r) for r in rows] == [
        ("Alta Verapaz", 3200),
        ("Escuintla", 1700),
        ("Guatemala", 2500),
    ]


def test_inspect_file_matches_the_database(built: Path):
    inspect = json.loads((built / "sql" / "inspect.json").read_text())["catalogo"]
    assert inspect["file"] == "catalogo.db"
    assert inspect["size"] == (built / "sql" / "catalogo.db").stat().st_size
    assert inspect["tables"][COBERTURA_TABLE]["count"] == 6
    assert inspect["tables"]["datasets"]["count"] == 2
    from datasette.inspect import inspect_hash

    assert inspect["hash"] == inspect_hash(built / "sql" / "catalogo.db")


def test_site_pages_are_written_and_sanitised(built: Path):
    index = (built / "site" / "index.html").read_text()
    assert "Bono Social" in index and "/datasets/mides/bono-social/" in index
    assert "Catálogo de datos abiertos" in index  # Spanish by default
    page = (built / "site" / "datasets" / "mides" / "bono-social" / "index.html").read_text()
    assert "<strong>Bono Social</strong>" in page  # README rendered from Markdown
    assert "<script>" not in page  # and sanitised
    assert f"/sql/catalogo/{COBERTURA_TABLE}" in page
    assert "Ministerio de Desarrollo Social" in page


# ------------------------------------------------------------------ incremental


def count_validations(monkeypatch) -> list[str]:
    """The ids of the datasets validated from now on (validation still runs)."""
    import catalog.validate

    validated: list[str] = []
    real = catalog.validate.validate_dataset
    monkeypatch.setattr(
        catalog.validate,
        "validate_dataset",
        lambda ref, **kw: validated.append(ref.id) or real(ref, **kw),
    )
    return validated


def test_second_build_does_no_work(built: Path, content: Path):
    db = snapshot_db(built, "mides/bono-social")
    mtime = db.stat().st_mtime_ns
    current = (built / "current").resolve()
    report = build(content, built)
    assert set(statuses(report).values()) == {"unchanged"}
    assert not report.changed
    assert db.stat().st_mtime_ns == mtime
    assert (built / "current").resolve() == current
    assert json.loads((built / "report.json").read_text())["summary"]["unchanged"] == 2


def test_one_changed_dataset_is_rebuilt_alone(built: Path, content: Path, monkeypatch):
    db = snapshot_db(built, "mides/bono-social")
    mtime = db.stat().st_mtime_ns
    old = (built / "current").resolve()
    csv = content / "datasets" / "muni-mixco" / "licencias" / "data" / "licencias.csv"
    csv.write_text(LICENCIAS + "104,Remodelación,7,2024-03-01,Muro perimetral\n", encoding="utf-8")
    validated = count_validations(monkeypatch)
    report = build(content, built)
    assert statuses(report) == {
        "mides/bono-social": "unchanged",
        "muni-mixco/licencias": "published",
    }
    assert validated == ["muni-mixco/licencias"]
    assert db.stat().st_mtime_ns == mtime
    new = (built / "current").resolve()
    assert new != old and old.is_dir()  # the previous release stays for running servers
    with connect(built) as conn:
        assert conn.execute(f'select count(*) from "{LICENCIAS_TABLE}"').fetchone()[0] == 4
        assert conn.execute(f'select count(*) from "{COBERTURA_TABLE}"').fetchone()[0] == 6
        assert conn.execute(f'select count(*) from "{COBERTURA_TABLE}_fts"').fetchone()[0] == 6
    # The old release's database was not touched: a reader of it sees the old data.
    old_db = sqlite3.connect(old / "sql" / "catalogo.db")
    assert old_db.execute(f'select count(*) from "{LICENCIAS_TABLE}"').fetchone()[0] == 3
    old_db.close()


def test_stable_paths_point_at_the_current_release(built: Path):
    for name in ("sql", "site", "index.json"):
        assert (built / name).is_symlink()
        assert (built / name).resolve().parent == (built / "current").resolve()


# --------------------------------------------------------------- extra content


def test_extra_content_is_published_beside_the_root(content: Path, tmp_path: Path):
    """A folder of generated content (datasets only: publishers come from the root) is
    built with the root, and the root is left as it was."""
    generated = tmp_path / "generated"
    shutil.copytree(content / "datasets" / "muni-mixco", generated / "datasets" / "muni-mixco")
    shutil.rmtree(content / "datasets" / "muni-mixco")
    before = sorted(p.relative_to(content) for p in content.rglob("*"))
    out = tmp_path / "build"
    report = build(content, out, extra=(generated,))
    assert statuses(report) == {
        "mides/bono-social": "published",
        "muni-mixco/licencias": "published",
    }
    assert connect(out).execute(f"select count(*) from {LICENCIAS_TABLE}").fetchone()[0] == 3
    assert sorted(p.relative_to(content) for p in content.rglob("*")) == before
    # Without the folder, its dataset leaves the catalogue like any removed one.
    assert statuses(build(content, out))["muni-mixco/licencias"] == "removed"


def test_a_dataset_in_the_root_wins_over_its_copy_in_extra_content(content: Path, tmp_path):
    generated = tmp_path / "generated"
    shutil.copytree(content / "datasets" / "mides", generated / "datasets" / "mides")
    report = build(content, tmp_path / "build", extra=(generated,))
    assert report.all_published and len(report.datasets) == 2
    [finding] = report.findings
    assert finding.type == "duplicate-dataset" and finding.dataset == "mides/bono-social"
    assert str(content) in finding.message("en") and str(generated) in finding.message("en")


def test_extra_content_must_exist_and_hold_no_build(content: Path, tmp_path: Path):
    with pytest.raises(CatalogError) as error:
        build(content, tmp_path / "build", extra=(tmp_path / "missing",))
    assert "does not exist" in error.value.message("en")
    generated = tmp_path / "generated"
    generated.mkdir()
    with pytest.raises(CatalogError) as error:
        build(content, generated / "build", extra=(generated,))
    assert "inside the content folders" in error.value.message("en")


# ------------------------------------------------------------ breaking datasets


def break_cobertura(content: Path) -> None:
    csv = content / "datasets" / "mides" / "bono-social" / "data" / "cobertura.csv"
    csv.write_text(COBERTURA.replace(",1200,", ",muchos,"), encoding="utf-8")


def test_broken_dataset_keeps_its_last_good_version(built: Path, content: Path):
    break_cobertura(content)
    report = build(content, built)
    assert statuses(report)["mides/bono-social"] == "kept-previous"
    assert not report.all_published
    outcome = next(d for d in report.datasets if d.dataset == "mides/bono-social")
    assert any(f.type == "type-error" and f.fieldName == "beneficiarios" for f in outcome.blocking)
    with connect(built) as conn:
        assert (
            conn.execute(f'select sum(beneficiarios) from "{COBERTURA_TABLE}"').fetchone()[0]
            == 7400
        )
        status = conn.execute("select status from datasets where id = 'mides/bono-social'")
        assert status.fetchone()[0] == "kept-previous"
    data = json.loads((built / "report.json").read_text())
    entry = next(d for d in data["datasets"] if d["dataset"] == "mides/bono-social")
    assert entry["status"] == "kept-previous"
    assert any(
        f["type"] == "type-error" and f["fieldName"] == "beneficiarios" for f in entry["findings"]
    )
    summary = (built / "report.md").read_text()
    assert "mides/bono-social" in summary and "se mantiene la versión anterior" in summary
    # Unchanged and still broken: still flagged, with its findings, at no cost.
    again = build(content, built)
    assert statuses(again)["mides/bono-social"] == "kept-previous"
    assert any(f.type == "type-error" for f in again.datasets[0].findings)


def test_a_kept_finding_is_worded_anew_in_each_report(built: Path, content: Path, monkeypatch):
    # The state keeps a finding as its English msgid, so translations are not part of the
    # data code version (build/state.py): a report in another language needs no validation.
    break_cobertura(content)
    build(content, built)
    state = json.loads((built / "state" / "state.json").read_text())
    kept = state["datasets"]["mides/bono-social"]["attempt"]["findings"]
    assert any(f["text"].startswith("The value ") for f in kept)  # the msgid, untranslated
    validated = count_validations(monkeypatch)
    build(content, built, lang="en")
    assert validated == []
    report = json.loads((built / "report.json").read_text())
    [outcome] = [d for d in report["datasets"] if d["dataset"] == "mides/bono-social"]
    assert outcome["findings"][0]["message"].startswith("The value ")


def test_last_good_version_is_republished_from_its_snapshot(built: Path, content: Path):
    break_cobertura(content)
    (content / "datasets" / "mides" / "bono-social" / "data" / "departamentos.csv").unlink()
    build(content, built)
    # Lose every published release: the next build composes from the snapshots alone.
    for link in ("current", "sql", "site", "index.json"):
        (built / link).unlink()
    for release in (built / "releases").iterdir():
        shutil.rmtree(release)
    report = build(content, built)
    assert statuses(report)["mides/bono-social"] == "kept-previous"
    with connect(built) as conn:
        assert conn.execute(f'select count(*) from "{DEPARTAMENTOS_TABLE}"').fetchone()[0] == 3
        assert conn.execute(f'select count(*) from "{COBERTURA_TABLE}_fts"').fetchone()[0] == 6
    assert (built / "site" / "datasets" / "mides" / "bono-social" / "index.html").is_file()


def test_fixed_dataset_is_published_again(built: Path, content: Path):
    break_cobertura(content)
    build(content, built)
    csv = content / "datasets" / "mides" / "bono-social" / "data" / "cobertura.csv"
    csv.write_text(COBERTURA.replace(",1200,", ",1250,"), encoding="utf-8")
    report = build(content, built)
    assert statuses(report)["mides/bono-social"] == "published"
    with connect(built) as conn:
        assert (
            conn.execute(f'select sum(beneficiarios) from "{COBERTURA_TABLE}"').fetchone()[0]
            == 7450
        )


def test_removed_dataset_leaves_the_catalogue(built: Path, content: Path):
    shutil.rmtree(content / "datasets" / "muni-mixco" / "licencias")
    report = build(content, built)
    assert statuses(report)["muni-mixco/licencias"] == "removed"
    with connect(built) as conn:
        names = {r[0] for r in conn.execute("select name from sqlite_master")}
        assert LICENCIAS_TABLE not in names and f"{LICENCIAS_TABLE}_fts" not in names
        assert conn.execute("select count(*) from datasets").fetchone()[0] == 1
    assert not (built / "site" / "datasets" / "muni-mixco" / "licencias").exists()
    # Reported once; afterwards it is simply gone.
    assert "muni-mixco/licencias" not in statuses(build(content, built))


# --------------------------------------------------------------------- bad input


def test_bad_datasets_are_rejected_and_the_rest_published(content: Path, tmp_path: Path):
    datasets = content / "datasets"
    broken = datasets / "mides" / "json-roto"
    broken.mkdir(parents=True)
    (broken / "datapackage.json").write_text('{"name": "json-roto", "title": ', encoding="utf-8")
    write_dataset(
        content,
        "mides",
        "basura",
        "Basura binaria",
        [{**LICENCIAS_RESOURCES[0], "name": "basura", "path": "data/basura.csv"}],
        {},
    )
    (datasets / "mides" / "basura" / "data" / "basura.csv").write_bytes(bytes(range(256)) * 64)
    write_dataset(
        content,
        "mides",
        "esquema-distinto",
        "Esquema distinto",
        LICENCIAS_RESOURCES,
        {"data/licencias.csv": "a,b\n1,2\n"},
    )
    write_dataset(
        content,
        "mides",
        "ruta-trampa",
        "Ruta con trampa",
        [{**LICENCIAS_RESOURCES[0], "path": "../../../../../etc/passwd"}],
        {},
    )
    write_dataset(
        content,
        "mides",
        "yaml-roto",
        "YAML roto",
        LICENCIAS_RESOURCES,
        {"data/licencias.csv": LICENCIAS, "queries.yaml": "a: [unclosed\n  b: {"},
    )
    write_dataset(
        content,
        "mides",
        "Nombre Raro",
        "Nombre raro",
        LICENCIAS_RESOURCES,
        {"data/licencias.csv": LICENCIAS},
    )
    (content / "publishers" / "roto.yaml").write_text("name: [roto\n  kind: {", encoding="utf-8")
    write_dataset(
        content,
        "roto",
        "licencias",
        "Publicador roto",
        LICENCIAS_RESOURCES,
        {"data/licencias.csv": LICENCIAS},
    )
    out = tmp_path / "build"
    report = build(content, out)
    result = statuses(report)
    assert result["mides/bono-social"] == "published"
    assert result["muni-mixco/licencias"] == "published"
    bad = [
        "mides/json-roto",
        "mides/basura",
        "mides/esquema-distinto",
        "mides/ruta-trampa",
        "mides/yaml-roto",
        "mides/Nombre Raro",
        "roto/licencias",
    ]
    assert {d: result[d] for d in bad} == dict.fromkeys(bad, "rejected")
    for outcome in report.datasets:
        if outcome.dataset in bad:
            assert outcome.blocking, outcome.dataset
    findings = {d.dataset: {f.type for f in d.findings} for d in report.datasets}
    assert "queries-error" in findings["mides/yaml-roto"]
    assert "invalid-name" in findings["mides/Nombre Raro"]
    with connect(out) as conn:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        published = {r[0] for r in conn.execute("select id from datasets")}
    assert not any(
        n.startswith(("mides__basura", "mides__esquema", "mides__ruta", "mides__yaml"))
        for n in names
    )
    assert published == {"mides/bono-social", "muni-mixco/licencias"}
    data = json.loads((out / "report.json").read_text())
    assert data["summary"]["rejected"] == len(bad)
    assert [f["file"] for f in data["findings"]] == ["publishers/roto.yaml"]


def test_table_name_collisions_are_rejected(built: Path, content: Path):
    write_dataset(
        content,
        "mides",
        "bono_social",
        "Otro bono",
        BONO_RESOURCES,
        {"data/departamentos.csv": DEPARTAMENTOS, "data/cobertura.csv": COBERTURA},
    )
    report = build(content, built)
    assert statuses(report)["mides/bono_social"] == "rejected"
    assert statuses(report)["mides/bono-social"] == "unchanged"
    outcome = next(d for d in report.datasets if d.dataset == "mides/bono_social")
    assert {f.type for f in outcome.findings} == {"table-name-collision"}


def test_broken_canned_query_is_left_out_with_a_notice(content: Path, tmp_path: Path):
    queries = content / "datasets" / "mides" / "bono-social" / "queries.yaml"
    queries.write_text(QUERIES + "rota:\n  sql: select nada from ninguna_tabla\n", encoding="utf-8")
    out = tmp_path / "build"
    report = build(content, out)
    outcome = next(d for d in report.datasets if d.dataset == "mides/bono-social")
    assert outcome.status == "published"
    notice = next(f for f in outcome.findings if f.type == "query-error")
    assert not notice.blocking and "ninguna_tabla" in notice.message("en")
    meta = json.loads((out / "sql" / "metadata.json").read_text())
    assert list(meta["databases"]["catalogo"]["queries"]) == [
        "mides__bono_social__cobertura_por_departamento"
    ]


def test_build_cannot_start_without_datasets_folder(tmp_path: Path):
    with pytest.raises(CatalogError) as error:
        build(tmp_path / "empty", tmp_path / "build")
    assert "datasets/" in error.value.message("en")
    assert "--root" in error.value.message("en")


def test_build_cannot_start_when_out_is_not_writable(content: Path, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(CatalogError) as error:
        build(content, blocker / "build")
    assert "--build-dir" in error.value.message("en")


def test_two_builds_cannot_run_at_once(content: Path, tmp_path: Path):
    from catalog.build.release import Layout

    layout = Layout(tmp_path / "build")
    layout.prepare()
    with layout.lock():
        with pytest.raises(CatalogError) as error:
            build(content, tmp_path / "build")
    assert "Another build" in str(error.value)
    assert build(content, tmp_path / "build").all_published  # the lock is released


def test_interrupted_build_publishes_nothing(built: Path, content: Path, monkeypatch):
    import catalog.build

    current = (built / "current").resolve()
    csv = content / "datasets" / "muni-mixco" / "licencias" / "data" / "licencias.csv"
    csv.write_text(LICENCIAS + "104,Remodelación,7,2024-03-01,Muro perimetral\n", encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(catalog.build, "write_site", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(content, built)
    assert (built / "current").resolve() == current
    assert not [p for p in (built / "releases").iterdir() if p.name.startswith(".tmp-")]
    with connect(built) as conn:
        assert conn.execute(f'select count(*) from "{LICENCIAS_TABLE}"').fetchone()[0] == 3
    monkeypatch.undo()
    report = build(content, built)  # the next build finishes the job
    assert statuses(report)["muni-mixco/licencias"] == "published"


def test_summary_in_spanish_and_english(content: Path, tmp_path: Path):
    report = build(content, tmp_path / "build")
    assert "publicado: 2" in report.summary("es")
    assert "published: 2" in report.summary("en")


def test_queries_rewrite_only_table_positions():
    from catalog.build.queries import rewrite

    tables = {"cobertura": "mides__bono_social__cobertura", "deps": "mides__bono_social__deps"}
    sql = (
        "with cobertura_2024 as (select * from cobertura where anio = 2024) "
        "select cobertura, 'from cobertura' from cobertura_2024, deps -- from cobertura\n"
        'join "cobertura" c on c.x = deps.y'
    )
    assert rewrite(sql, tables) == (
        'with cobertura_2024 as (select * from "mides__bono_social__cobertura" where anio = 2024) '
        "select cobertura, 'from cobertura' from cobertura_2024, \"mides__bono_social__deps\" "
        "-- from cobertura\n"
        'join "mides__bono_social__cobertura" c on c.x = deps.y'
    )
    assert (
        rewrite("with cobertura as (select 1) select * from cobertura", tables)
        == "with cobertura as (select 1) select * from cobertura"
    )


def test_licence_title_and_url_come_from_the_vocabulary_when_missing():
    from catalog.release.manifest import license_of

    assert license_of({"licenses": [{"name": "CC0-1.0"}]}) == (
        "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    )
    assert license_of({"licenses": [{"name": "CC-BY-4.0", "title": "CC BY", "path": "u"}]}) == (
        "CC BY",
        "u",
    )


def test_site_templates_and_plugin_strings_have_spanish_translations():
    import re

    from catalog.i18n import gettext
    from catalog_plugins.catalog_links import LABELS

    repo = Path(__file__).resolve().parent.parent
    msgids = set(LABELS.values())
    for template in (repo / "site" / "templates").glob("*.html"):
        msgids |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', template.read_text(encoding="utf-8")))
    untranslated = sorted(m for m in msgids if gettext(m, "es") == m and m != "API")
    assert not untranslated
