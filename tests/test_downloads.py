"""Downloads: CSV, CSV for Excel, JSON, XLSX and the Data Package ZIP, from the release DB."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from catalog import urls
from catalog.build.publish import read_manifest
from catalog.release.naming import quote
from catalog.site import downloads

CELLS = [
    (1, '=HYPERLINK("http://evil.example","clic")', 100.0, 1),
    (2, "@SUM(1+1)", -250.5, 0),
    (3, "-2+3", 0.0, 1),
    (4, "+cmd", 10.0, None),
    (5, "\tdato con tabulador", 1.0, 0),
    (6, "\rretorno", 1.0, 0),
    (7, "-42", -7.0, 1),
    (8, "Obra normal", None, 1),
]
PLAN = {
    "name": "mides__obras__obras",
    "resource": "obras",
    "rows": len(CELLS),
    "columns": [
        {"name": "id", "type": "integer"},
        {"name": "descripcion", "type": "string"},
        {"name": "monto", "type": "number"},
        {"name": "activa", "type": "boolean"},
    ],
}


@pytest.fixture
def obras(tmp_path: Path) -> tuple[Path, dict]:
    """Downloads of a table whose text cells try to run as spreadsheet formulas."""
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    conn.execute(f"create table {quote(PLAN['name'])} (id, descripcion, monto, activa)")
    conn.executemany(f"insert into {quote(PLAN['name'])} values (?, ?, ?, ?)", CELLS)
    conn.commit()
    manifest = {
        "dataset": "mides/obras",
        "publisher": "mides",
        "name": "obras",
        "readme": "# Obras\n",
        "package": {
            "name": "obras",
            "modified": "2025-06-30",
            "resources": [
                {
                    "name": "obras",
                    "path": "data/obras.csv",
                    "format": "csv",
                    "dialect": {"delimiter": ";"},
                    "schema": {
                        "fields": [
                            {"name": "id", "type": "integer"},
                            {"name": "descripcion", "type": "string"},
                            {"name": "monto", "type": "number", "decimalChar": ","},
                            {"name": "activa", "type": "boolean", "trueValues": ["sí"]},
                        ]
                    },
                }
            ],
        },
        "tables": [PLAN],
    }
    site = tmp_path / "site"
    written = downloads.write_downloads(site, manifest, conn)
    conn.close()
    assert sorted(str(p.relative_to(site)) for p in written) == sorted(downloads.files_of(manifest))
    return site, manifest


def _file(site: Path, kind: str) -> Path:
    return site / urls.download("mides", "obras", "obras", kind).lstrip("/")


def test_csv_for_excel_neutralises_formulas_and_keeps_numbers(obras):
    site, _manifest = obras
    raw = _file(site, "excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["id", "descripcion", "monto", "activa"]
    text = {r[0]: r[1] for r in rows[1:]}
    assert text["1"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert text["2"] == "'@SUM(1+1)"
    assert text["3"] == "'-2+3"
    assert text["4"] == "'+cmd"
    assert text["5"] == "'\tdato con tabulador"
    assert text["6"] == "'\rretorno"
    assert text["7"] == "-42"  # text that is just a number cannot be a formula
    assert text["8"] == "Obra normal"
    amounts = {r[0]: r[2] for r in rows[1:]}
    assert amounts["2"] == "-250.5" and amounts["7"] == "-7" and amounts["8"] == ""


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers(obras):
    site, _manifest = obras
    sheet = openpyxl.load_workbook(_file(site, "xlsx")).active
    rows = list(sheet.iter_rows(min_row=2))
    by_id = {row[0].value: row for row in rows}
    assert len(rows) == len(CELLS)
    formula = by_id[1][1]
    assert formula.value == '=HYPERLINK("http://evil.example","clic")'
    assert formula.data_type == "s" and formula.quotePrefix
    for key in (2, 3, 4, 5):
        assert by_id[key][1].data_type == "s" and by_id[key][1].quotePrefix
    assert not by_id[8][1].quotePrefix
    assert by_id[2][2].value == -250.5 and by_id[2][2].data_type == "n"
    assert by_id[1][3].value is True and by_id[2][3].value is False
    assert sheet["A1"].value == "id" and sheet["A1"].font.b


def test_plain_csv_and_json_keep_every_value(obras):
    site, _manifest = obras
    rows = list(csv.reader(_file(site, "csv").open(encoding="utf-8", newline="")))
    assert rows[1] == ["1", '=HYPERLINK("http://evil.example","clic")', "100", "true"]
    assert rows[4] == ["4", "+cmd", "10", ""]
    records = json.loads(_file(site, "json").read_text(encoding="utf-8"))
    assert records[1] == {"id": 2, "descripcion": "@SUM(1+1)", "monto": -250.5, "activa": False}
    assert records[7]["monto"] is None


def test_zip_is_a_data_package_of_the_published_csv(obras):
    site, _manifest = obras
    with zipfile.ZipFile(site / urls.package_zip("mides", "obras").lstrip("/")) as archive:
        assert sorted(archive.namelist()) == ["README.md", "data/obras.csv", "datapackage.json"]
        descriptor = json.loads(archive.read("datapackage.json"))
        assert archive.read("data/obras.csv") == _file(site, "csv").read_bytes()
    resource = descriptor["resources"][0]
    assert resource["path"] == "data/obras.csv" and "dialect" not in resource
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert "decimalChar" not in fields["monto"] and "trueValues" not in fields["activa"]


# --------------------------------------------------------------- the demo


def _manifests(build: Path) -> list[dict]:
    state = json.loads((build / "state" / "state.json").read_text())
    return [
        read_manifest(build / "state" / "datasets" / d["published"]["snapshot"])
        for d in state["datasets"].values()
        if d.get("published")
    ]


def test_demo_downloads_match_the_published_tables(demo_build: Path):
    site = demo_build / "current" / "site"
    db = sqlite3.connect(demo_build / "current" / "sql" / "catalogo.db")
    checked = 0
    for manifest in _manifests(demo_build):
        for plan in manifest["tables"]:
            kinds = [c["type"] for c in plan["columns"]]
            names = [c["name"] for c in plan["columns"]]
            stored = db.execute(
                f"select {', '.join(quote(n) for n in names)} from {quote(plan['name'])}"
            ).fetchall()

            def path(kind: str, manifest: dict = manifest, plan: dict = plan) -> Path:
                url = urls.download(manifest["publisher"], manifest["name"], plan["resource"], kind)
                return site / url.lstrip("/")

            rows = list(csv.reader(path("csv").open(encoding="utf-8", newline="")))
            assert rows[0] == names
            expected = [
                [downloads._text(v, k) for v, k in zip(r, kinds, strict=True)] for r in stored
            ]
            assert rows[1:] == expected, plan["name"]
            records = json.loads(path("json").read_text(encoding="utf-8"))
            assert len(records) == len(stored) == plan["rows"]
            if stored:  # a published table may be empty (a header only)
                assert [records[0][n] for n in names if kinds[names.index(n)] != "boolean"] == [
                    v for v, k in zip(stored[0], kinds, strict=True) if k != "boolean"
                ]
            with gzip.open(path("csv.gz"), "rt", encoding="utf-8", newline="") as fh:
                assert list(csv.reader(fh)) == rows
            parquet = pl.read_parquet(path("parquet"))
            assert parquet.columns == names and parquet.height == len(stored)
            sheet = openpyxl.load_workbook(path("xlsx"), read_only=True).active
            assert sum(1 for _row in sheet.iter_rows()) == len(stored) + 1
            checked += 1
    assert checked >= 35  # every published table of the demo (it grows)


def test_demo_zip_validates_as_a_data_package(demo_build: Path, tmp_path: Path):
    from frictionless import Package

    site = demo_build / "current" / "site"
    for dataset in ("mides/bono-social-cobertura", "minfin/ejecucion-presupuestaria"):
        publisher, name = dataset.split("/")
        folder = tmp_path / name
        with zipfile.ZipFile(site / urls.package_zip(publisher, name).lstrip("/")) as archive:
            archive.extractall(folder)
        report = Package(str(folder / "datapackage.json")).validate()
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


# --------------------------------------------------------------- large-data formats


def test_parquet_read_back_equals_the_csv(obras):
    site, _manifest = obras
    parquet = pl.read_parquet(_file(site, "parquet"))
    assert parquet.schema == {
        "id": pl.Int64,
        "descripcion": pl.Utf8,
        "monto": pl.Float64,
        "activa": pl.Boolean,
    }
    from_csv = pl.read_csv(_file(site, "csv"), schema=parquet.schema)
    assert parquet.equals(from_csv)
    assert parquet.row(1) == (2, "@SUM(1+1)", -250.5, False)


def test_gzip_csv_is_the_csv_compressed(obras):
    site, _manifest = obras
    assert gzip.decompress(_file(site, "csv.gz").read_bytes()) == _file(site, "csv").read_bytes()


def _big_table(tmp_path: Path, rows: int, kinds: list[str]) -> tuple[Path, dict]:
    conn = sqlite3.connect(tmp_path / "big.sqlite")
    conn.execute("create table t (id, fecha, monto, nota)")
    conn.executemany(
        "insert into t values (?, ?, ?, ?)",
        ((n, f"2024-01-{n % 28 + 1:02d}", n / 4, None if n % 5 else f"n{n}") for n in range(rows)),
    )
    conn.commit()
    plan = {
        "name": "t",
        "resource": "t",
        "rows": rows,
        "columns": [
            {"name": "id", "type": "integer"},
            {"name": "fecha", "type": "date"},
            {"name": "monto", "type": "number"},
            {"name": "nota", "type": "string"},
        ],
    }
    folder = tmp_path / "out"
    folder.mkdir()
    written = downloads.write_table(folder, plan, conn)
    conn.close()
    assert sorted(p.name for p in written) == sorted(f"t.{k}" for k in kinds)
    return folder, plan


def test_a_large_table_gets_ndjson_and_no_xlsx(tmp_path, monkeypatch):
    monkeypatch.setattr(urls, "MAX_JSON_ROWS", 100)
    monkeypatch.setattr(urls, "MAX_XLSX_ROWS", 200)
    monkeypatch.setattr(downloads, "PARQUET_ROWS", 70)  # several row groups, joined
    folder, _plan = _big_table(tmp_path, 250, ["csv", "csv.gz", "excel.csv", "parquet", "ndjson"])
    lines = (folder / "t.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 250
    assert json.loads(lines[5]) == {"id": 5, "fecha": "2024-01-06", "monto": 1.25, "nota": "n5"}
    parquet = pl.read_parquet(folder / "t.parquet")
    assert parquet.schema["fecha"] == pl.Date and parquet.height == 250
    assert parquet.equals(pl.read_csv(folder / "t.csv", schema=parquet.schema))
    assert not list(folder.glob("*.parts"))  # the parts are gone


def test_a_small_table_keeps_json_and_xlsx(tmp_path):
    _big_table(tmp_path, 20, ["csv", "csv.gz", "excel.csv", "parquet", "json", "xlsx"])


def test_download_kinds_follow_the_size():
    assert urls.download_kinds(urls.MAX_JSON_ROWS)[-2:] == ["json", "xlsx"]
    assert urls.download_kinds(urls.MAX_JSON_ROWS + 1)[-2:] == ["ndjson", "xlsx"]
    assert "xlsx" in urls.download_kinds(1_048_575)
    assert "xlsx" not in urls.download_kinds(1_048_576)  # with the header: Excel's limit
    assert set(urls.download_kinds(10**7)) <= set(urls.DOWNLOAD_MEDIA_TYPES)


def test_files_are_the_same_written_in_one_batch_or_many(obras, tmp_path, monkeypatch):
    """Rows are formatted a batch at a time and a small CSV goes into the ZIP from memory:
    neither shows in the files (the JSON's commas, the gzip stream, the ZIP's CSV)."""
    site, manifest = obras
    monkeypatch.setattr(downloads, "FETCH_ROWS", 3)  # three batches of the eight rows
    monkeypatch.setattr(downloads, "KEEP_CSV_BYTES", 1)  # the ZIP reads the CSV file
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    again = tmp_path / "again"
    written = downloads.write_downloads(again, manifest, conn)
    conn.close()
    assert len(written) == len(downloads.files_of(manifest))
    for path in downloads.files_of(manifest):
        assert (again / path).read_bytes() == (site / path).read_bytes(), path


def test_an_empty_table_has_a_header_and_an_empty_json_list(tmp_path):
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    conn.execute("create table vacia (a, b)")
    plan = {
        "name": "vacia",
        "resource": "vacia",
        "rows": 0,
        "columns": [{"name": "a", "type": "string"}, {"name": "b", "type": "number"}],
    }
    written = downloads.write_table(tmp_path, plan, conn)
    conn.close()
    assert (tmp_path / "vacia.csv").read_text(encoding="utf-8") == "a,b\n"
    assert (tmp_path / "vacia.excel.csv").read_bytes() == b"\xef\xbb\xbfa,b\r\n"
    assert json.loads((tmp_path / "vacia.json").read_text(encoding="utf-8")) == []
    assert gzip.decompress((tmp_path / "vacia.csv.gz").read_bytes()) == b"a,b\n"
    assert pl.read_parquet(tmp_path / "vacia.parquet").columns == ["a", "b"]
    sheet = openpyxl.load_workbook(tmp_path / "vacia.xlsx").active
    assert [c.value for c in sheet[1]] == ["a", "b"] and sheet.max_row == 1
    assert len(written) == 6
