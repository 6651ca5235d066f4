"""Every build publishes the compliance table: datasets meet duties by themselves, the
officers' approved records (the declarations dataset) add documents, links and
not-applicable declarations, and the table is a dataset like any other."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from catalog import clock
from catalog.build import build
from catalog.release.reader import CurrentRelease
from catalog.transparency.compliance import Declaration, compute, read_declarations

OPERATOR = "segeplan"
DECLARATION_COLUMNS = [
    ("institucion", "string"),
    ("obligacion", "string"),
    ("periodo", "string"),
    ("tipo", "string"),
    ("fecha_publicacion", "date"),
    ("url", "string"),
    ("sha256", "string"),
    ("motivo", "string"),
    ("datos_de_ejemplo", "boolean"),
]


def _publisher(root: Path, slug: str, name: str, kind: str) -> None:
    (root / "publishers").mkdir(parents=True, exist_ok=True)
    (root / "publishers" / f"{slug}.yaml").write_text(
        f"name: {name}\nkind: {kind}\nemail: info@{slug}.gob.gt\njurisdiction:\n  country: GT\n",
        encoding="utf-8",
    )


def _dataset(root: Path, publisher: str, name: str, descriptor: dict, rows: list[list]) -> None:
    folder = root / "datasets" / publisher / name
    (folder / "data").mkdir(parents=True, exist_ok=True)
    fields = descriptor["resources"][0]["schema"]["fields"]
    with (folder / "data" / "data.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f["name"] for f in fields])
        writer.writerows(rows)
    base = {
        "name": name,
        "title": name.replace("-", " ").capitalize(),
        "description": "Datos de prueba para el cálculo de cumplimiento.",
        "publisher": publisher,
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "contactPoint": {"name": publisher, "email": f"datos@{publisher}.gob.gt"},
        "keywords": ["prueba"],
        "themes": ["GOVE"],
        "frequency": "monthly",
        "version": "1.0.0",
        "issued": "2026-01-01",
        "modified": "2026-11-01",
    }
    base.update(descriptor)
    for resource in base["resources"]:
        resource.update({"path": "data/data.csv", "format": "csv", "encoding": "utf-8"})
    (folder / "datapackage.json").write_text(json.dumps(base, ensure_ascii=False), "utf-8")
    (folder / "README.md").write_text(f"# {name}\n", encoding="utf-8")


def _declarations(folder: Path, rows: list[list[str]]) -> None:
    schema = {"fields": [{"name": n, "type": t} for n, t in DECLARATION_COLUMNS]}
    _dataset(
        folder,
        OPERATOR,
        "declaraciones-transparencia-activa",
        {"resources": [{"name": "declaraciones", "schema": schema}], "frequency": "daily"},
        rows,
    )
    # The build reads the file by its documented name.
    data = folder / "datasets" / OPERATOR / "declaraciones-transparencia-activa" / "data"
    (data / "data.csv").rename(data / "declaraciones.csv")
    descriptor_path = data.parent / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text("utf-8"))
    descriptor["resources"][0]["path"] = "data/declaraciones.csv"
    descriptor_path.write_text(json.dumps(descriptor), "utf-8")


@pytest.fixture
def content(tmp_path: Path) -> tuple[Path, Path]:
    root, extra = tmp_path / "content", tmp_path / "generated"
    _publisher(root, OPERATOR, "Secretaría de Planificación", "secretariat")
    _publisher(root, "minfin", "Ministerio de Finanzas", "ministry")
    (root / "datasets").mkdir(parents=True)
    deposits = {
        "fields": [
            {"name": "mes", "type": "string"},
            {"name": "banco", "type": "string"},
            {"name": "monto", "type": "number"},
        ]
    }
    _dataset(
        root,
        "minfin",
        "depositos",
        {
            "resources": [{"name": "depositos", "schema": deposits}],
            "obligations": ["GT-LAIP-10.9"],
            "temporal": {"start": "2026-06-01", "end": "2026-10-31"},
        },
        [["2026-06", "Banrural", "9000"], ["2026-10", "Crédito Hipotecario", "21000"]],
    )
    _declarations(
        extra,
        [
            ["minfin", "GT-LAIP-10.12", "2026-09", "no-aplica", "2026-10-02", "", "", "Sin viajes", "false"],
            ["minfin", "GT-LAIP-10.1", "*", "enlace", "2026-02-10", "https://minfin.gob.gt/org", "", "", "false"],
        ],
    )  # fmt: skip
    return root, extra


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


def _rows(out: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    folder = out / "state" / "generated" / "datasets" / OPERATOR
    path = folder / "cumplimiento-transparencia-activa" / "data" / "cumplimiento.csv"
    with path.open(encoding="utf-8") as handle:
        return {
            (r["institucion"], r["obligacion"], r["periodo"]): r for r in csv.DictReader(handle)
        }


def test_a_build_publishes_the_compliance_dataset(content, tmp_path, monkeypatch):
    root, extra = content
    out = tmp_path / "build"
    _at(monkeypatch, datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    report = build(root, out, extra=(extra,))
    statuses = {o.dataset: o.status for o in report.datasets}
    assert statuses[f"{OPERATOR}/cumplimiento-transparencia-activa"] == "published"
    rows = _rows(out)
    # The deposits dataset, published today (Nov 20), meets October's duty on time
    # (due 30 calendar days after Oct 31) and June's late.
    october = rows[("minfin", "GT-LAIP-10.9", "2026-10")]
    assert (october["estado"], october["fecha_publicacion"]) == ("on-time", "2026-11-20")
    assert october["evidencia"].endswith("/datasets/minfin/depositos/")
    assert october["fuente"] == "dataset"
    assert rows[("minfin", "GT-LAIP-10.9", "2026-06")]["estado"] == "late"
    # A month the dataset does not cover, and whose due date passed, is overdue.
    assert rows[("minfin", "GT-LAIP-10.9", "2026-05")]["estado"] == "overdue"
    # November's period is open.
    assert rows[("minfin", "GT-LAIP-10.9", "2026-11")]["estado"] == "due"
    travel = rows[("minfin", "GT-LAIP-10.12", "2026-09")]
    assert (travel["estado"], travel["motivo"]) == ("not-applicable", "Sin viajes")
    # A standing link meets the permanent item from February on: on time from the
    # month whose due date it beat, late before.
    assert rows[("minfin", "GT-LAIP-10.1", "2026-03")]["estado"] == "on-time"
    assert rows[("minfin", "GT-LAIP-10.1", "2025-12")]["estado"] == "late"
    # The operator has duties too (every body with a profile does).
    assert ("segeplan", "GT-LAIP-10.9", "2026-10") in rows
    # It is a catalogue dataset: in the release index, with its table.
    release = CurrentRelease(out)()
    assert release is not None
    ids = {d["id"] for d in release.index["datasets"]}
    assert f"{OPERATOR}/cumplimiento-transparencia-activa" in ids


def test_same_day_rebuild_changes_nothing_and_a_new_day_moves_states(
    content, tmp_path, monkeypatch
):
    root, extra = content
    out = tmp_path / "build"
    _at(monkeypatch, datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    build(root, out, extra=(extra,))
    again = build(root, out, extra=(extra,))
    assert not again.changed
    statuses = {o.dataset: o.status for o in again.datasets}
    assert statuses[f"{OPERATOR}/cumplimiento-transparencia-activa"] == "unchanged"
    # On New Year's Day November's deposits duty (due Dec 30) has passed unmet.
    _at(monkeypatch, datetime(2027, 1, 1, 18, 0, tzinfo=UTC))
    later = build(root, out, extra=(extra,))
    assert later.changed
    assert _rows(out)[("minfin", "GT-LAIP-10.9", "2026-11")]["estado"] == "overdue"
    # The table keeps its history in its rows: one version, not one a day.
    release = CurrentRelease(out)()
    assert release is not None
    entry = next(
        d for d in release.index["datasets"] if d["name"] == "cumplimiento-transparencia-activa"
    )
    assert len(entry["versions"]) == 1


def test_without_declarations_there_is_no_operator_and_no_table(content, tmp_path, monkeypatch):
    root, _extra = content
    _at(monkeypatch, datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    report = build(root, tmp_path / "build")
    assert all("cumplimiento" not in o.dataset for o in report.datasets)


def test_read_declarations_skips_rows_it_cannot_trust(tmp_path):
    path = tmp_path / "declaraciones.csv"
    path.write_text(
        "institucion,obligacion,periodo,tipo,fecha_publicacion,url,sha256,motivo,datos_de_ejemplo\n"
        "minfin,GT-LAIP-10.1,*,documento,2026-01-05,https://x/doc.pdf,ab12,,true\n"
        "minfin,GT-LAIP-10.2,*,borrado,2026-01-05,,,,false\n"
        "minfin,GT-LAIP-10.3,2026-01,enlace,ayer,,,,false\n"
        ",GT-LAIP-10.3,2026-01,enlace,2026-01-05,,,,false\n",
        encoding="utf-8",
    )
    found = read_declarations(path)
    assert len(found) == 1
    assert (found[0].kind, found[0].sample, found[0].sha256) == ("document", True, "ab12")
    table = compute(
        {"minfin": {"kind": "ministry", "jurisdiction": {"country": "GT"}}},
        [],
        found,
        date(2026, 3, 15),
        months=3,
    )
    cell = [c for c in table.cells if c.obligation == "GT-LAIP-10.1" and c.period == "2026-01"]
    assert cell[0].state == "on-time" and cell[0].sample


def test_the_worked_example_of_docs_scoring(repo):
    """docs/scoring.md's example, computed: the numbers in the document are the code's."""
    chile = {
        "muni-x": {
            "kind": "municipality",
            "jurisdiction": {"country": "CL"},
            "duties": ["subsidy-programmes"],
        }
    }
    records = [
        Declaration("muni-x", "CL-20285-7.a", "2026-09", "link", date(2026, 10, 9), "https://m/o"),
        Declaration("muni-x", "CL-20285-7.b", "2026-09", "link", date(2026, 10, 20), "https://m/f"),
        Declaration(
            "muni-x", "CL-20285-7.i", "2026-09", "not-applicable", date(2026, 10, 2),
            reason="Sin programas de subsidio",
        ),
    ]  # fmt: skip
    table = compute(chile, [], records, date(2026, 11, 5), months=3)
    september = table.month_cells("muni-x", "2026-09")
    assert {c.due for c in september} == {date(2026, 10, 15)}
    states = [c.state for c in september]
    assert (states.count("on-time"), states.count("late"), states.count("overdue")) == (1, 1, 10)
    assert states.count("not-applicable") == 1
    assert table.month_score("muni-x", "2026-09") == 12.5
    assert table.month_score("muni-x", "2026-10") is None
    assert table.window_score("muni-x") == 12.5
    text = (repo / "docs" / "scoring.md").read_text("utf-8")
    for figure in ("15 October 2026", "100 × (1 + 0.5) / 12 = 12.5 %", "13 November"):
        assert figure in text
