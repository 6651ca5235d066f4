"""The XLSX downloads' own writer (catalog/site/xlsx.py) against openpyxl's.

Every cell is read back with openpyxl and compared with what openpyxl's write-only
workbook (the writer the downloads used before) made of the same rows: value, type,
quote-prefix style and bold header.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from catalog.site import xlsx
from catalog.site.downloads import is_dangerous

KINDS = ["integer", "string", "number", "boolean", "date"]
NAMES = ["id", "texto", "monto", "activa", "fecha"]
TEXTS = [
    "plain",
    "=1+2",
    '=HYPERLINK("http://evil.example","clic")',
    "+cmd",
    "-x",
    "@SUM(1)",
    "\tcon tabulador",
    "\rretorno",
    "-42",
    "+3.5",
    "#N/A",
    "#DIV/0!",
    " con espacios ",
    "dos\nlíneas",
    'comillas "dobles"',
    "ünïcödé ñ 😀",
    "<b>&amp;</b>",
    "control\x01\x0b\x1fchars",
    "",
    "x" * 40_000,
    "-" + "1" * 40_000 + "x",  # a number only once cut at Excel's limit
    "=",
    "_x0041_",
    "fin\r\n",
]
NUMBERS = [1.5, -250.5, 0.0, None, 1e20, 123456789012345678, float("inf"), 2.0, -0.1, 7]


def _rows() -> list[tuple[Any, ...]]:
    return [
        (i, text, NUMBERS[i % len(NUMBERS)], [1, 0, None, 1.0][i % 4], f"2024-01-{i % 28 + 1:02d}")
        for i, text in enumerate(TEXTS)
    ]


def _openpyxl_workbook(path: Path, sheet: str, rows: list[tuple[Any, ...]]) -> None:
    """The downloads' former writer: openpyxl's write-only workbook."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(xlsx.sheet_name(sheet))
    header = []
    for name in NAMES:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for values in rows:
        cells: list[Any] = []
        for value, kind in zip(values, KINDS, strict=True):
            if value is None or isinstance(value, int | float):
                cells.append(bool(value) if kind == "boolean" and value is not None else value)
                continue
            text = xlsx.ILLEGAL.sub("", str(value))
            if is_dangerous(text):
                cell = WriteOnlyCell(ws, value=text)
                cell.data_type = "s"
                cell.quotePrefix = True
                cells.append(cell)
            else:
                cells.append(text)
        ws.append(cells)
    book.save(path)


def _ours(path: Path, sheet: str, rows: list[tuple[Any, ...]]) -> Path:
    writer = xlsx.SheetWriter(path, sheet, KINDS, is_dangerous)
    writer.header(NAMES)
    for values in rows:
        writer.row(values)
    return writer.close()


def _cells(path: Path) -> tuple[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    sheet = book.active
    found = [
        (c.coordinate, c.value, c.data_type, c.quotePrefix, bool(c.font.b), c.number_format)
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    ]
    return sheet.title, found


def test_every_cell_reads_back_as_openpyxl_wrote_it(tmp_path: Path):
    rows = _rows()
    _openpyxl_workbook(tmp_path / "theirs.xlsx", "obras", rows)
    _ours(tmp_path / "ours.xlsx", "obras", rows)
    theirs, ours = _cells(tmp_path / "theirs.xlsx"), _cells(tmp_path / "ours.xlsx")
    assert ours == theirs
    assert len(ours[1]) > 4 * len(rows)  # the comparison saw the cells


def test_formulas_stay_text_and_numbers_stay_numbers(tmp_path: Path):
    sheet = openpyxl.load_workbook(_ours(tmp_path / "t.xlsx", "obras", _rows())).active
    by_text = {row[1].value: row[1] for row in sheet.iter_rows(min_row=2) if row[1].value}
    for text in ("=1+2", "+cmd", "-x", "@SUM(1)", "\tcon tabulador", "\rretorno", "="):
        assert by_text[text].data_type == "s" and by_text[text].quotePrefix, text
    for text in ("-42", "+3.5", "plain", " con espacios "):
        assert by_text[text].data_type == "s" and not by_text[text].quotePrefix, text
    assert by_text["#N/A"].data_type == "e"  # as openpyxl writes Excel's error literals
    assert by_text["controlchars"].value == "controlchars"  # no XML-illegal character
    assert len(by_text["x" * xlsx.MAX_TEXT].value) == xlsx.MAX_TEXT
    cut = "-" + "1" * (xlsx.MAX_TEXT - 1)
    assert by_text[cut].quotePrefix  # judged on the whole text, before the cut
    assert sheet["C2"].value == 1.5 and sheet["C2"].data_type == "n"
    assert sheet["C3"].value == -250.5 and sheet["D3"].value is False
    assert sheet["D2"].value is True and sheet["D5"].value is True  # 1.0 in a boolean column
    assert sheet["A1"].value == "id" and sheet["A1"].font.b and not sheet["A2"].font.b


def test_characters_xml_cannot_hold_are_removed(tmp_path: Path):
    path = tmp_path / "t.xlsx"
    writer = xlsx.SheetWriter(path, "x", ["string", "string"], is_dangerous)
    writer.header(["a\x00b", "c"])
    writer.row(("uno\ufffe\uffffdos\x08", "=tres\x02"))
    writer.close()
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]] == ["ab", "c"]
    assert sheet["A2"].value == "unodos"
    assert sheet["B2"].value == "=tres" and sheet["B2"].quotePrefix


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("obras", "obras"),
        ("tabla:1[x]*?&/\\", "tabla_1_x___&__"),
        ("a" * 40, "a" * 31),
        ("", "datos"),
        ("\x01\x02", "datos"),
    ],
)
def test_sheet_names_are_ones_excel_accepts(tmp_path: Path, resource: str, expected: str):
    assert xlsx.sheet_name(resource) == expected
    book = openpyxl.load_workbook(_ours(tmp_path / "t.xlsx", resource, _rows()[:2]))
    assert book.sheetnames == [expected]


def test_a_large_sheet_is_spooled_and_complete(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(xlsx, "SPOOL_BYTES", 10_000)  # to a temporary file early on
    monkeypatch.setattr(xlsx, "FLUSH_ROWS", 100)
    path = tmp_path / "big.xlsx"
    writer = xlsx.SheetWriter(path, "big", ["integer", "string"], is_dangerous)
    writer.header(["n", "t"])
    for n in range(5000):
        writer.row((n, f"=n{n}" if n % 7 == 0 else f"t{n}"))
    writer.close()
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5001 and rows[0] == ("n", "t")
    assert rows[4999 + 1] == (4999, "t4999") and rows[1] == (0, "=n0")
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert "xl/worksheets/sheet1.xml" in archive.namelist()


def test_the_same_rows_make_the_same_file(tmp_path: Path):
    first = _ours(tmp_path / "a.xlsx", "obras", _rows()).read_bytes()
    assert _ours(tmp_path / "b.xlsx", "obras", _rows()).read_bytes() == first


def test_column_letters():
    letters = xlsx.column_letters(703)
    assert letters[:3] == ["A", "B", "C"]
    assert letters[25:28] == ["Z", "AA", "AB"]
    assert letters[701:] == ["ZZ", "AAA"]
