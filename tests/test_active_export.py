"""Active-transparency exports: the audit export (CSV, XLSX, formulas neutralised), its
command, and the open dataset of approved records, which passes ``catalog validate``."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime

import openpyxl
import pytest

from catalog import clock
from catalog.transparency import accounts, opendata
from catalog.transparency.active_export import (
    COLUMNS,
    audit_rows,
    export_bytes,
)
from catalog.transparency.compliance import read_declarations
from catalog.transparency.requests import Actor

_today = clock.today()
PERIOD = f"{_today.year - (_today.month == 1):04d}-{(_today.month - 2) % 12 + 1:02d}"
AT = datetime.combine(_today, datetime.min.time(), tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def approved(workspace):
    with workspace.db.write() as session:
        users = [
            accounts.add_user(
                session, f"{n}@mides.gob.gt", n, "clave-de-prueba-1", "officer", ["mides"]
            )  # fmt: skip
            for n in ("ana", "luis")
        ]
        session.flush()
        for u in users:
            session.expunge(u)
    ana, luis = (Actor("officer", u) for u in users)
    service = workspace.active
    steps = [
        ("GT-LAIP-10.12", PERIOD, "link", {"url": "https://mides.gob.gt/viajes?mes=1"}),
        ("GT-LAIP-10.27", PERIOD, "not-applicable", {"reason": "=SUMA(1) sin fideicomisos"}),
        ("GT-LAIP-10.1", "*", "document", {"document": ("Organigrama.pdf", PDF)}),
    ]
    for item, period, kind, extra in steps:
        service.record(ana, "mides", item, period, kind, at=AT, **extra)
        service.submit(ana, "mides", item, period, at=AT)
        service.approve(luis, "mides", item, period, at=AT)
    return workspace


def test_audit_rows_and_csv(approved):
    first = f"{_today.year - 1:04d}-{_today.month:02d}"
    last = f"{_today.year:04d}-{_today.month:02d}"
    rows = audit_rows(approved, "mides", first, last)
    mine = [r for r in rows if r["obligacion"] == "GT-LAIP-10.12" and r["periodo"] == PERIOD]
    assert mine and mine[0]["estado"] in ("on-time", "late") and mine[0]["fuente"] == "link"
    assert "Aprobada y publicada" in mine[0]["historial"]
    data, media, name = export_bytes(approved, "mides", first, last, "csv")
    assert media.startswith("text/csv") and name.endswith(".csv")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    reasons = [r["motivo"] for r in table if r["obligacion"] == "GT-LAIP-10.27" and r["motivo"]]
    assert reasons == ["'=SUMA(1) sin fideicomisos"]  # a formula never runs
    assert {"institucion", "titulo", "vence", "historial"} <= set(table[0])


def test_xlsx_keeps_formulas_as_text(approved):
    first = f"{_today.year - 1:04d}-{_today.month:02d}"
    last = f"{_today.year:04d}-{_today.month:02d}"
    data, _media, _name = export_bytes(approved, "mides", first, last, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "=SUMA(1) sin fideicomisos" in values
    cell = next(
        c for row in sheet.iter_rows() for c in row if c.value == "=SUMA(1) sin fideicomisos"
    )
    assert cell.data_type == "s" and cell.quotePrefix


def test_bad_ranges_are_refused(approved):
    from catalog.errors import CatalogError

    for first, last, kind in [("2099-01", "2099-02", "csv"), ("2025-06", "2025-01", "csv"),
                              ("2025-01", "2025-02", "pdf"), ("enero", "2025-02", "csv")]:  # fmt: skip
        with pytest.raises(CatalogError):
            export_bytes(approved, "mides", first, last, kind)


def test_the_export_command_says_what_is_wrong(catalog_cmd, tmp_path):
    done = catalog_cmd("obligations", "export", "--publisher", "nadie", "--from", "2025-01",
                       "--to", "2025-02", "--output", str(tmp_path / "x.csv"),
                       "--data-dir", str(tmp_path))  # fmt: skip
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "nadie" in done.stderr


def test_open_dataset_of_declarations_validates(approved, repo, tmp_path, catalog_cmd):
    opendata.export(approved, repo, "segeplan", tmp_path)
    (tmp_path / "publishers").mkdir()  # generated content beside its publisher, as built
    shutil.copy(repo / "publishers" / "segeplan.yaml", tmp_path / "publishers")
    folder = tmp_path / "datasets" / "segeplan" / "declaraciones-transparencia-activa"
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    fields = descriptor["resources"][0]["schema"]["fields"]
    assert [(f["name"], f["type"]) for f in fields] == [(c[0], c[1]) for c in COLUMNS]
    with (folder / "data" / "declaraciones.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["tipo"] for r in rows) == ["documento", "enlace", "no-aplica"]
    document = next(r for r in rows if r["tipo"] == "documento")
    assert document["periodo"] == "*" and len(document["sha256"]) == 64
    assert "/transparencia/activa/documentos/" in document["url"]
    assert (folder / "README.md").is_file()
    done = catalog_cmd("validate", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    declared = read_declarations(folder / "data" / "declaraciones.csv")
    assert sorted(d.kind for d in declared) == ["document", "link", "not-applicable"]
    assert sorted(declared, key=lambda d: d.obligation) == sorted(
        approved.active.declarations(), key=lambda d: d.obligation
    )
