"""Reading resources into frames of raw cells, and casting them to Table Schema types."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from catalog.errors import ContentError
from catalog.tables import TableError, read_resource, typed_frame

CORPUS = Path(__file__).parent / "corpus"


def resource_of(name: str, index: int = 0) -> tuple[Path, dict]:
    folder = CORPUS / name
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return folder, descriptor["resources"][index]


def write(tmp_path: Path, content: bytes | str, **resource: object) -> tuple[Path, dict]:
    data = content.encode("utf-8") if isinstance(content, str) else content
    (tmp_path / "data.csv").write_bytes(data)
    return tmp_path, {"name": "t", "path": "data.csv", **resource}


def test_frame_is_raw_strings_with_empty_and_absent_cells_told_apart(tmp_path):
    folder, resource = write(tmp_path, "a,b,c\n1,,3\n4,5\n")
    table = read_resource(folder, resource)
    assert table.labels == ["a", "b", "c"]
    assert table.frame.schema == pl.Schema({"a": pl.Utf8, "b": pl.Utf8, "c": pl.Utf8})
    assert table.frame.rows() == [("1", "", "3"), ("4", "5", None)]
    assert table.row_numbers.to_list() == [2, 3]


@pytest.mark.parametrize(
    "name",
    [
        "bad-integer",
        "quoted-cells",
        "crlf",
        "bom",
        "group-char",
        "semicolon-sniffed",
        "many-errors",
        "unique",
    ],
)
def test_fast_reader_gives_the_same_table_as_the_exact_one(name):
    folder, resource = resource_of(name)
    fast = read_resource(folder, resource)
    exact = read_resource(folder, resource, fast=False)
    assert fast.fast and not exact.fast
    assert fast.frame.equals(exact.frame)
    assert fast.row_numbers.to_list() == exact.row_numbers.to_list()
    assert fast.labels == exact.labels


@pytest.mark.parametrize(
    "name", ["blank-row", "extra-cell", "missing-cell", "quoted-newlines", "windows-1252-declared"]
)
def test_irregular_files_take_the_exact_reader(name):
    folder, resource = resource_of(name)
    assert not read_resource(folder, resource).fast


def test_quoted_newlines_keep_frictionless_row_numbers():
    folder, resource = resource_of("quoted-newlines")
    table = read_resource(folder, resource)
    assert table.row_numbers.to_list() == [2, 3, 4, 5, 6]
    assert table.frame["nota"][0] == "una\nlínea"
    assert table.frame["nota"][2] == 'con "comillas"'


def test_extra_cells_are_kept_aside_with_their_position():
    folder, resource = resource_of("extra-cell")
    table = read_resource(folder, resource)
    assert table.extra_cells == [(3, 3, "5"), (4, 3, ""), (4, 4, ""), (5, 3, "9")]
    assert table.frame.width == 2


def test_blank_line_is_a_row_of_absent_cells():
    folder, resource = resource_of("blank-row")
    table = read_resource(folder, resource)
    assert table.frame.row(1) == (None, None)
    assert table.frame.row(2) == ("", "")


def test_semicolon_is_sniffed_when_not_declared():
    folder, resource = resource_of("semicolon-sniffed")
    table = read_resource(folder, resource)
    assert table.labels == ["id", "municipio"]
    assert table.frame["municipio"].to_list() == ["Mixco", "Villa Nueva", "Cobán"]


def test_declared_windows_1252_is_decoded():
    folder, resource = resource_of("windows-1252-declared")
    table = read_resource(folder, resource)
    assert table.encoding == "cp1252"
    assert table.guessed_encoding is None
    assert table.frame["municipio"].to_list() == ["Cobán", "Sololá", "Petén"]


def test_undeclared_windows_1252_is_read_and_flagged():
    folder, resource = resource_of("windows-1252-undeclared")
    table = read_resource(folder, resource)
    assert table.guessed_encoding == "windows-1252"
    assert table.frame["municipio"].to_list() == ["Cobán", "Sololá", "Petén"]


def test_declared_utf8_with_latin1_bytes_is_an_encoding_error():
    folder, resource = resource_of("utf8-declared-latin1-bytes")
    with pytest.raises(TableError) as caught:
        read_resource(folder, resource)
    assert caught.value.code == "encoding-error"
    assert "windows-1252" in caught.value.message("en")


def test_bom_is_not_part_of_the_first_label():
    folder, resource = resource_of("bom")
    table = read_resource(folder, resource)
    assert table.labels[0] == "id"
    assert table.encoding == "utf-8-sig"


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "data/../../x.csv", ""])
def test_paths_outside_the_dataset_are_refused(tmp_path, path):
    with pytest.raises(ContentError) as caught:
        read_resource(tmp_path, {"name": "t", "path": path})
    assert "passwd" not in caught.value.message("en") or "outside" in caught.value.message("en")


def test_binary_garbage_is_a_clear_error(tmp_path):
    folder, resource = write(tmp_path, bytes(range(256)) * 40)
    with pytest.raises(TableError) as caught:
        read_resource(folder, resource)
    assert caught.value.code == "source-error"
    assert "binary" in caught.value.message("en")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(TableError) as caught:
        read_resource(tmp_path, {"name": "t", "path": "nope.csv"})
    assert caught.value.code == "scheme-error"


def test_huge_file_is_refused_before_reading(tmp_path, monkeypatch):
    import catalog.tables as tables

    folder, resource = write(tmp_path, "a\n1\n")
    monkeypatch.setattr(tables, "MAX_RESOURCE_BYTES", 3)
    with pytest.raises(TableError) as caught:
        read_resource(folder, resource)
    assert "too large" in caught.value.message("en")


def test_xlsx_cells_become_text():
    folder, resource = resource_of("xlsx")
    table = read_resource(folder, resource)
    assert not table.exact
    assert table.labels == ["id", "valor", "fecha"]
    assert table.frame.row(0) == ("1", "2.5", "2024-01-01")
    assert table.row_numbers.to_list() == [2, 3, 4]


def test_json_rows_become_text():
    folder, resource = resource_of("json-rows")
    table = read_resource(folder, resource)
    assert table.frame.rows() == [("1", "2"), ("2", "x"), ("2", "3")]


def test_typed_frame_honours_the_schema(tmp_path):
    folder, resource = write(
        tmp_path,
        "n;monto;activo;fecha;anio;nota\n"
        "1;1.234,5;sí;31/01/2024;2024;hola\n"
        "n/d;12,5;no;01/02/2024;2023;\n",
        dialect={"delimiter": ";"},
    )
    schema = {
        "fields": [
            {"name": "n", "type": "integer"},
            {"name": "monto", "type": "number", "decimalChar": ",", "groupChar": "."},
            {"name": "activo", "type": "boolean", "trueValues": ["sí"], "falseValues": ["no"]},
            {"name": "fecha", "type": "date", "format": "%d/%m/%Y"},
            {"name": "anio", "type": "year"},
            {"name": "nota", "type": "string"},
        ],
        "missingValues": ["", "n/d"],
    }
    frame = typed_frame(read_resource(folder, resource), schema)
    assert frame.schema == pl.Schema(
        {
            "n": pl.Int64,
            "monto": pl.Float64,
            "activo": pl.Boolean,
            "fecha": pl.Date,
            "anio": pl.Int64,
            "nota": pl.Utf8,
        }
    )
    assert frame.row(0) == (1, 1234.5, True, dt.date(2024, 1, 31), 2024, "hola")
    assert frame.row(1) == (None, 12.5, False, dt.date(2024, 2, 1), 2023, None)


def test_typed_frame_reads_edge_cases_as_frictionless_does(tmp_path):
    folder, resource = write(tmp_path, "i,x,t\n+5,1e3,2024-01-31T10:00:00Z\n 7 ,.5,x\n")
    schema = {
        "fields": [
            {"name": "i", "type": "integer"},
            {"name": "x", "type": "number"},
            {"name": "t", "type": "datetime"},
        ]
    }
    frame = typed_frame(read_resource(folder, resource), schema)
    assert frame["i"].to_list() == [5, 7]
    assert frame["x"].to_list() == [1000.0, 0.5]
    assert frame["t"].to_list() == [dt.datetime(2024, 1, 31, 10, 0), None]


@pytest.mark.parametrize(
    "sample",
    [
        "a,b,c\n1,2,3\n",
        "a;b;c\n1;2;3\n",
        "a\tb\tc\n1\t2\t3\n",
        "a|b\n1|2\n",
        "'a','b'\n'1','2'\n",
        'a,"b,c",d\n1,"2,3",4\n',
        '"a";"b"\n"1";"2"\n',
        "single\n1\n2\n",
        "",
        "a, b, c\n1, 2, 3\n",
        "a,b\r\n1,2\r\n",
        "x\\,y,z\n1\\,2,3\n",
        "a;b,c\n1;2,3\n",
        "a:b\n1:2\n",
        "título\nid,nombre\n1,ana\n",
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "txt"])
def test_an_undeclared_dialect_is_sniffed_as_frictionless_does_without_importing_it(sample, fmt):
    from catalog.tables import _frictionless_dialect, csv_dialect

    names = ["delimiter", "lineterminator", "escapechar", "quotechar", "skipinitialspace"]
    names += ["doublequote", "quoting"]
    ours, theirs = csv_dialect(sample, None, fmt), _frictionless_dialect(sample, None, fmt)
    assert [getattr(ours, n) for n in names] == [getattr(theirs, n) for n in names]
