"""Validation in bounded memory: a CSV file read in blocks gives the findings of one read.

Every test validates the same package twice, once whole (one batch) and once in blocks
of a few hundred bytes (many batches), and compares the findings: type, row, field and
message. No timing or memory is asserted here (the benchmark measures those).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog import tables
from catalog.content import DatasetRef
from catalog.tables import read_batches, read_resource
from catalog.validate import LIMIT_ERRORS, validate_dataset

SMALL = 200  # bytes per block: a few rows per batch


def package(folder: Path, resources: list[dict], files: dict[str, bytes | str]) -> DatasetRef:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_text(
        json.dumps({"name": folder.name, "resources": resources}), encoding="utf-8"
    )
    for path, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / path).write_bytes(data)
    return DatasetRef("lotes", folder.name, folder)


def findings(ref: DatasetRef, **options) -> list[tuple]:
    report = validate_dataset(ref, **options)
    return [
        (f.type, f.resource, f.rowNumber, f.fieldName, f.message("en"))
        for f in report.findings
        if f.type != "metadata-error"
    ]


def same_in_batches(ref: DatasetRef) -> list[tuple]:
    whole = findings(ref)
    assert findings(ref, batch_bytes=SMALL) == whole
    assert findings(ref, fast=False) == whole
    return whole


def rows_text(count: int, broken: dict[int, str]) -> str:
    lines = ["id,municipio,programa,monto,codigo"]
    for number in range(1, count + 1):
        lines.append(broken.get(number, f"{number},{number % 7:04d},Bono,{number}.5,C{number}"))
    return "\n".join(lines) + "\n"


FIELDS = [
    {"name": "id", "type": "integer", "constraints": {"required": True, "minimum": 1}},
    {"name": "municipio", "type": "string", "constraints": {"pattern": "[0-9]{4}"}},
    {"name": "programa", "type": "string", "constraints": {"enum": ["Bono", "Beca"]}},
    {"name": "monto", "type": "number"},
    {"name": "codigo", "type": "string", "constraints": {"unique": True}},
]


def test_a_large_csv_comes_in_several_batches_with_running_row_numbers(tmp_path):
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": rows_text(100, {})},
    )
    resource = json.loads(ref.descriptor_path.read_text())["resources"][0]
    batches = list(read_batches(ref.folder, resource, batch_bytes=SMALL))
    assert len(batches) > 10
    numbers = [n for batch in batches for n in batch.row_numbers.to_list()]
    assert numbers == list(range(2, 102))
    whole = read_resource(ref.folder, resource)
    joined = [row for batch in batches for row in batch.frame.rows()]
    assert joined == whole.frame.rows()


def test_cell_errors_keys_and_blank_rows_across_batches(tmp_path):
    broken = {
        5: "x,0001,Bono,1,C5",  # type-error
        9: "9,12,Bono,1,C9",  # pattern
        20: ",,,,",  # blank row
        33: "33,0002,Otro,1,C33",  # enum
        47: "3,0003,Bono,1,C47",  # repeats the primary key of row 4 (id 3)
        60: "60,0004,Bono,abc,C2",  # type-error and a unique code repeated from far above
        98: "0,0005,Beca,1,C98",  # minimum
    }
    ref = package(
        tmp_path / "p",
        [
            {
                "name": "t",
                "path": "data/t.csv",
                "rows": 100,
                "schema": {"fields": FIELDS, "primaryKey": ["id"]},
            }
        ],
        {"data/t.csv": rows_text(100, broken)},
    )
    found = same_in_batches(ref)
    kinds = {(t, row, field) for t, _r, row, field, _m in found}
    assert kinds == {
        ("type-error", 6, "id"),
        ("primary-key", 6, None),  # an id that is not an integer leaves the key empty
        ("constraint-error", 10, "municipio"),
        ("blank-row", 21, None),
        ("primary-key", 21, None),
        ("constraint-error", 34, "programa"),
        ("primary-key", 48, None),
        ("type-error", 61, "monto"),
        ("unique-error", 61, "codigo"),
        ("constraint-error", 99, "id"),
    }


def test_foreign_keys_to_another_resource_read_in_batches(tmp_path):
    codes = "codigo,nombre\n" + "".join(f"{n:04d},M{n}\n" for n in range(0, 6))
    broken = {40: "40,0009,Bono,1,C40", 77: "77,0008,Bono,1,C77"}
    schema = {
        "fields": FIELDS,
        "foreignKeys": [
            {"fields": "municipio", "reference": {"resource": "m", "fields": "codigo"}}
        ],
    }
    ref = package(
        tmp_path / "p",
        [
            {"name": "t", "path": "data/t.csv", "schema": schema},
            {
                "name": "m",
                "path": "data/m.csv",
                "schema": {"fields": [{"name": "codigo"}, {"name": "nombre"}]},
            },
        ],
        {"data/t.csv": rows_text(90, broken), "data/m.csv": codes},
    )
    found = same_in_batches(ref)
    fk_rows = sorted(row for t, _r, row, _f, _m in found if t == "foreign-key")
    # municipio cycles 0000..0006 and the lookup has 0000..0005: every 7th row, plus 40 and 77.
    expected = sorted({n + 1 for n in range(1, 91) if n % 7 == 6 and n not in broken} | {41, 78})
    assert fk_rows == expected


def test_the_error_limit_is_the_same_in_batches(tmp_path):
    broken = {n: f"x{n},0001,Bono,1,C{n}" for n in range(1, LIMIT_ERRORS + 50)}
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": rows_text(LIMIT_ERRORS + 60, broken)},
    )
    whole = findings(ref)
    assert findings(ref, batch_bytes=4096) == whole
    assert [t for t, *_ in whole].count("type-error") == LIMIT_ERRORS
    assert whole[-1][0] == "error-limit"


def test_k_anonymity_counts_groups_across_batches(tmp_path):
    lines = ["departamento,sexo,edad,monto"]
    for n in range(1, 121):
        # Groups of 6 rows each, spread over the whole file, so that every batch holds
        # fewer than k of each; one combination appears only twice.
        lines.append(f"{n % 20:02d},{'F' if n % 2 else 'M'},{n % 3},{n}")
    lines.append("99,F,1,1")
    lines.append("99,F,1,2")
    privacy = {"quasiIdentifiers": ["departamento", "sexo"], "k": 5}
    fields = [
        {"name": "departamento"},
        {"name": "sexo"},
        {"name": "edad", "type": "integer"},
        {"name": "monto", "type": "integer"},
    ]
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "privacy": privacy, "schema": {"fields": fields}}],
        {"data/t.csv": "\n".join(lines) + "\n"},
    )
    whole = findings(ref)
    batched = findings(ref, batch_bytes=SMALL)
    k_whole = [(t, row) for t, _r, row, _f, _m in whole if t == "privacy-k-anonymity"]
    k_batched = [(t, row) for t, _r, row, _f, _m in batched if t == "privacy-k-anonymity"]
    assert k_whole == k_batched == [("privacy-k-anonymity", 122)]
    assert [f[4] for f in whole if f[0] == "privacy-k-anonymity"] == [
        f[4] for f in batched if f[0] == "privacy-k-anonymity"
    ]


def test_invalid_utf8_after_the_first_block_is_read_again_exactly(tmp_path):
    text = rows_text(60, {}).encode("utf-8") + "61,0001,Bono,1,Cob\xe1n\n".encode("cp1252")
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": text},
    )
    whole = findings(ref)
    assert findings(ref, batch_bytes=SMALL) == whole
    assert [t for t, *_ in whole] == ["encoding-error"]


def test_the_size_limit_is_a_setting(monkeypatch):
    monkeypatch.setenv("CATALOG_MAX_RESOURCE_BYTES", "2048")
    assert tables._setting("CATALOG_MAX_RESOURCE_BYTES", 1) == 2048
    monkeypatch.setenv("CATALOG_MAX_RESOURCE_BYTES", "0")
    assert tables._setting("CATALOG_MAX_RESOURCE_BYTES", 1) >= 1 << 60  # no limit
    monkeypatch.setenv("CATALOG_MAX_RESOURCE_BYTES", "many")
    assert tables._setting("CATALOG_MAX_RESOURCE_BYTES", 7) == 7


def test_a_csv_read_in_blocks_has_no_whole_file_limit(tmp_path, monkeypatch):
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": rows_text(50, {})},
    )
    monkeypatch.setattr(tables, "MAX_RESOURCE_BYTES", 100)
    assert findings(ref, batch_bytes=SMALL) == []  # streamed: never held whole
    monkeypatch.setattr(tables, "MAX_STREAMED_BYTES", 100)
    [finding] = findings(ref, batch_bytes=SMALL)
    assert finding[0] == "source-error" and "too large" in finding[4]


@pytest.mark.parametrize("title", ["Cobertura 2024", "# exportado el 2024-01-31"])
def test_a_title_line_above_the_header_is_skipped_in_batches_too(tmp_path, title):
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": title + "\n" + rows_text(30, {4: "x,0001,Bono,1,C4"})},
    )
    found = same_in_batches(ref)
    assert [(t, row) for t, _r, row, _f, _m in found] == [("type-error", 6)]


def _snapshot(ref: DatasetRef, target: Path) -> tuple[list[dict], list[tuple]]:
    import sqlite3

    from catalog.build.publish import SNAPSHOT_DB, plan_tables, tabular, write_snapshot

    package = json.loads(ref.descriptor_path.read_text(encoding="utf-8"))
    plans, problems = plan_tables(ref, tabular(package), {})
    assert not problems
    write_snapshot(ref, package, plans, {}, target)
    conn = sqlite3.connect(target / SNAPSHOT_DB)
    rows = conn.execute(f'select * from "{plans[0]["name"]}"').fetchall()
    conn.close()
    return plans, rows


def test_the_build_loads_a_table_in_batches_as_in_one(tmp_path, monkeypatch):
    text = rows_text(300, {}).replace(",Bono,", ",Beca,", 50)
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS, "primaryKey": ["id"]}}],
        {"data/t.csv": text},
    )
    whole_plans, whole_rows = _snapshot(ref, tmp_path / "whole")
    monkeypatch.setattr(tables, "BATCH_BYTES", SMALL)
    assert len(list(read_batches(ref.folder, {"name": "t", "path": "data/t.csv"}))) > 10
    plans, rows = _snapshot(ref, tmp_path / "batched")
    assert rows == whole_rows and len(rows) == 300
    assert rows[0] == (1, "0001", "Beca", 1.5, "C1")
    assert plans == whole_plans  # the same row count, indexes and full-text columns
    assert ["programa"] in plans[0]["indexes"]


def test_a_quote_far_into_the_file_sends_it_to_the_whole_reader(tmp_path):
    # The first blocks stream; the block with quotes is not one record per line as far as
    # a plain split knows, so the file is read again whole, with the same findings.
    broken = {5: "x,0001,Bono,1,C5", 80: '80,0001,"Bono, Beca",1,C80'}
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": rows_text(100, broken)},
    )
    found = same_in_batches(ref)
    assert [(t, row, f) for t, _r, row, f, _m in found] == [
        ("type-error", 6, "id"),
        ("constraint-error", 81, "programa"),
    ]


@pytest.mark.parametrize(
    "line", ["7,0001,Bono,1", "7,0001,Bono,1,C7,extra", "", "7,0001\r,Bono,1,C7"]
)
def test_a_ragged_or_odd_line_far_into_the_file_gives_the_findings_of_one_read(tmp_path, line):
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": rows_text(90, {70: line})},
    )
    found = same_in_batches(ref)
    assert min(row for _t, _r, row, _f, _m in found if row is not None) == 71


def test_a_file_with_its_header_only_is_one_empty_batch(tmp_path):
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": "id,municipio,programa,monto,codigo_mal\n"},
    )
    resource = json.loads(ref.descriptor_path.read_text())["resources"][0]
    [batch] = list(read_batches(ref.folder, resource, batch_bytes=SMALL))
    assert batch.frame.height == 0 and batch.labels[-1] == "codigo_mal"
    assert [(t, f) for t, _r, _row, f, _m in same_in_batches(ref)] == [
        ("incorrect-label", "codigo")
    ]


def test_direct_identifiers_are_one_finding_per_column_with_counts_over_all_batches(tmp_path):
    lines = ["id,correo,telefono,departamento,sexo,edad"]
    for n in range(1, 200):
        lines.append(f"{n},persona{n}@correo.gt,5{n:07d},{n % 3:02d},{'FM'[n % 2]},{n % 90}")
    fields = [
        {"name": "id", "type": "integer"},
        {"name": "correo"},
        {"name": "telefono"},
        {"name": "departamento"},
        {"name": "sexo"},
        {"name": "edad", "type": "integer"},
    ]
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": fields}}],
        {"data/t.csv": "\n".join(lines) + "\n"},
    )
    whole = findings(ref)
    assert findings(ref, batch_bytes=300) == whole
    direct = [f for f in whole if f[0] == "privacy-direct-identifier"]
    assert [(f[2], f[3]) for f in direct] == [(2, "correo"), (2, "telefono")]
    assert all("199 of 199 values" in f[4] for f in direct)


@pytest.mark.parametrize("where", [1, 2, 60, 101])
def test_a_line_too_long_is_found_as_the_file_is_read_in_blocks(tmp_path, monkeypatch, where):
    # A file read in blocks has its lines checked block by block, not in a pass of its
    # own: the same finding (the first long line, its number) as the check of the whole.
    monkeypatch.setattr(tables, "MAX_LINE_BYTES", 120)
    long = "9," + "0" * 150 + ",Bono,1,C9"
    text = rows_text(100, {where - 1: long} if where > 1 else {})
    if where == 1:
        text = long + "\n" + text
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": text},
    )
    found = same_in_batches(ref)
    assert [(t, m) for t, _r, _row, _f, m in found] == [
        (
            "source-error",
            f"Resource t: line {where} of t.csv is longer than 120 bytes. "
            + found[0][4].split("bytes. ", 1)[1],
        )
    ]


def test_a_line_too_long_is_reported_before_a_header_too_wide(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_LINE_BYTES", 120)
    monkeypatch.setattr(tables, "MAX_COLUMNS", 3)
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS[:3]}}],
        {"data/t.csv": rows_text(50, {40: "9," + "0" * 150 + ",Bono,1,C9"})},
    )
    [(kind, _r, _row, _f, message)] = same_in_batches(ref)
    assert kind == "source-error" and "line 41 of t.csv is longer" in message


def test_lines_ending_in_a_lone_carriage_return_give_the_findings_of_one_read(tmp_path):
    text = rows_text(60, {5: "x,0001,Bono,1,C5"}).replace("\n", "\r")
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": text},
    )
    found = same_in_batches(ref)
    assert ("type-error", 6, "id") in [(t, row, f) for t, _r, row, f, _m in found]


def test_a_file_with_quoted_cells_is_read_in_blocks_with_the_findings_of_one_read(tmp_path):
    # Quotes on every line (an export that quotes all text): still one record per line,
    # so the file streams; the quoted cells are read by Python's csv, as Frictionless.
    lines = ["id,municipio,programa,monto,codigo"]
    for n in range(1, 120):
        programme = '"Bono, Social"' if n % 3 else '"Beca ""A"""'
        lines.append(f'{n},"{n % 7:04d}",{programme},{n}.5,"C{n}"')
    lines[40] = '40,"0001","Beca",x,"C40"'
    fields = [dict(f) for f in FIELDS]
    fields[2] = {"name": "programa", "type": "string"}
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": fields}}],
        {"data/t.csv": "\n".join(lines) + "\n"},
    )
    resource = json.loads(ref.descriptor_path.read_text())["resources"][0]
    batches = list(read_batches(ref.folder, resource, batch_bytes=SMALL))
    assert len(batches) > 10 and all(b.fast for b in batches)
    joined = [row for batch in batches for row in batch.frame.rows()]
    assert joined == read_resource(ref.folder, resource, fast=False).frame.rows()
    assert joined[2][2] == 'Beca "A"' and joined[0][2] == "Bono, Social"
    found = same_in_batches(ref)
    assert [(t, row, f) for t, _r, row, f, _m in found] == [("type-error", 41, "monto")]


@pytest.mark.parametrize(
    "line",
    ['7,"0001\n",Bono,1,C7', '7,"00"01",Bono,1,C7', '7,"0001",Bono,1', '7,"0001",Bono,1,C7,"x"'],
)
def test_a_quoted_line_that_is_not_one_record_gives_the_findings_of_one_read(tmp_path, line):
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": rows_text(90, {70: line, 3: '3,"0003",Bono,3.5,C3'})},
    )
    same_in_batches(ref)


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_quoted_cells_of_every_shape_are_read_as_python_csv_reads_them(tmp_path, separator):
    # Well-formed quoted cells are read by polars, the others by Python's csv module:
    # either way each cell is what Frictionless (the csv module) reads.
    s = separator
    shapes = [
        f'1{s}"0001"{s}Bono{s}1.5{s}"C1"',
        f'2{s}""{s}Bono{s}1{s}"C{s}2"',
        f'3{s}"00""03"{s}Beca{s}2{s}"C3 ""x"" y"',
        f'4{s}0004{s}"Bono"{s}3{s}""',
        f'5{s}"áéí ñ"{s}Beca{s}4{s}C5',
        f'6{s}"ab"c{s}Bono{s}5{s}C6',
        f'7{s}ab"c{s}Bono{s}6{s}C7',
        f'8{s}"ab" {s}Bono{s}7{s}C8',
        f'9{s} "ab"{s}Bono{s}8{s}C9',
        f'10{s}"{s}"{s}Bono{s}9{s}"C10"',
    ]
    header = s.join(["id", "municipio", "programa", "monto", "codigo"])
    body = [shapes[n % len(shapes)].replace("C", f"C{n}-", 1) for n in range(60)]
    fields = [dict(f) for f in FIELDS]
    fields[4] = {"name": "codigo", "type": "string"}
    dialect = {"delimiter": s}
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "dialect": dialect, "schema": {"fields": fields}}],
        {"data/t.csv": "\n".join([header, *body]) + "\n"},
    )
    resource = json.loads(ref.descriptor_path.read_text())["resources"][0]
    exact = read_resource(ref.folder, resource, fast=False).frame.rows()
    assert read_resource(ref.folder, resource).frame.rows() == exact
    same_in_batches(ref)
    # Quotes that do not enclose whole cells ("ab"c) are for the csv module alone: polars
    # refuses the block, which is then read whole. Well-formed ones stream.
    streams = [line for line in body if '"ab"' not in line and 'ab"c' not in line]
    (ref.folder / "data" / "t.csv").write_text("\n".join([header, *streams]) + "\n")
    exact = read_resource(ref.folder, resource, fast=False).frame.rows()
    batches = list(read_batches(ref.folder, resource, batch_bytes=SMALL))
    assert [row for batch in batches for row in batch.frame.rows()] == exact
    same_in_batches(ref)


def test_a_quoted_csv_read_in_blocks_has_no_whole_file_limit_either(tmp_path, monkeypatch):
    text = rows_text(50, {}).replace(",Bono,", ',"Bono",')
    ref = package(
        tmp_path / "p",
        [{"name": "t", "path": "data/t.csv", "schema": {"fields": FIELDS}}],
        {"data/t.csv": text},
    )
    monkeypatch.setattr(tables, "MAX_RESOURCE_BYTES", 100)
    assert findings(ref, batch_bytes=SMALL) == []  # streamed: never held whole
