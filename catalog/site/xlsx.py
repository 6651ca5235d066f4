"""A one-sheet XLSX download written straight into its zip: rows of typed cells.

openpyxl's write-only workbook builds a stylesheet, a theme and an object per cell
before writing a byte: about 8 ms for a five-row table, more than every other
download of it together, which at 50,000 datasets is most of a site's build. This
writer emits the worksheet XML itself, a row at a time, with the cells openpyxl's
writer made for the same values (tests/test_xlsx.py reads both back and compares
every cell's value, type and style):

- a number is a numeric cell written as ``%.16g`` (NaN and infinities have no
  value); a boolean column's numbers are ``TRUE``/``FALSE`` cells;
- text is an inline string, never a formula: a text cell that a spreadsheet could
  read as a formula (``downloads.is_dangerous``) gets the quote-prefix style, so it
  stays text when edited; Excel's error literals (``#N/A``...) are error cells, as
  openpyxl makes them;
- characters XML 1.0 cannot hold are removed and a text is cut at Excel's 32,767
  characters; the header row is bold.

The worksheet is spooled (in memory up to ``SPOOL_BYTES``, then a temporary file)
and added to the zip with its size known, so a sheet of a million rows needs no
memory and a zip64 entry only when it is that big.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

MAX_TEXT = 32_767  # characters in one cell
SPOOL_BYTES = 8 << 20
FLUSH_ROWS = 2000  # rows of XML held as text before they are encoded
ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
# XML 1.0 has no place for these (control characters but tab, line feed and return).
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
STAMP = (1980, 1, 1, 0, 0, 0)  # every part's time: the same rows give the same file

# Cell styles (cellXfs): 0 plain, 1 bold (the header), 2 quote prefix (risky text).
BOLD, QUOTED = 1, 2
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPES}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPES}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPES}.styles+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<worksheet xmlns="{_MAIN}"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def sheet_name(name: str) -> str:
    """A worksheet's name from a resource's: no ``[]:*?/\\``, at most 31 characters."""
    return SHEET_UNSAFE.sub("_", ILLEGAL.sub("", name))[:31] or "datos"


def _workbook(sheet: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name="{sheet.translate(_ATTRIBUTE)}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


def column_letters(count: int) -> list[str]:
    """``A``, ``B``, ... ``Z``, ``AA``, ...: the first ``count`` column names."""
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _text_cell(ref: str, text: str, style: int) -> str:
    """An inline-string cell (``xml:space`` kept when the text has outer blanks)."""
    styled = f' s="{style}"' if style else ""
    if not text:
        return f'<c r="{ref}"{styled} t="inlineStr"/>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    body = text.translate(_ESCAPES)
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{body}</t></is></c>'


def _number(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return ""  # no value: openpyxl writes NaN and infinities so
    return f"{value:.16g}"


class SheetWriter:
    """One worksheet's XLSX: ``header`` once, ``row`` for each row, then ``close``.

    ``kinds`` are the columns' Table Schema types (a ``boolean`` column's numbers are
    booleans); ``dangerous`` says whether a text could run as a formula."""

    def __init__(
        self,
        path: Path,
        sheet: str,
        kinds: Sequence[str],
        dangerous: Callable[[str], bool],
    ) -> None:
        self.path = path
        self.sheet = sheet_name(sheet)
        self.letters = column_letters(len(kinds))
        self.booleans = [kind == "boolean" for kind in kinds]
        self.dangerous = dangerous
        self.count = 0
        self.chunks: list[str] = [SHEET_HEAD]
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed in close

    def header(self, names: Sequence[str]) -> None:
        self.count += 1
        cells = "".join(
            _text_cell(f"{letter}1", ILLEGAL.sub("", name)[:MAX_TEXT], BOLD)
            for letter, name in zip(self.letters, names, strict=True)
        )
        self.chunks.append(f'<row r="1">{cells}</row>')

    def row(self, values: Sequence[Any]) -> None:
        self.count += 1
        n = self.count
        cells = []
        for letter, boolean, value in zip(self.letters, self.booleans, values, strict=True):
            if value is None:
                continue
            if isinstance(value, int | float):
                if boolean:
                    cells.append(f'<c r="{letter}{n}" t="b"><v>{1 if value else 0}</v></c>')
                else:
                    cells.append(f'<c r="{letter}{n}" t="n"><v>{_number(value)}</v></c>')
                continue
            cells.append(self._text(f"{letter}{n}", str(value)))
        self.chunks.append(f'<row r="{n}">{"".join(cells)}</row>')
        if len(self.chunks) >= FLUSH_ROWS:
            self._flush()

    def _text(self, ref: str, value: str) -> str:
        text = ILLEGAL.sub("", value)
        risky = self.dangerous(text)  # judged on the whole text, as the CSV for Excel is
        text = text[:MAX_TEXT]
        if risky:
            return _text_cell(ref, text, QUOTED)
        if text in ERROR_CODES:
            return f'<c r="{ref}" t="e"><v>{text}</v></c>'
        return _text_cell(ref, text, 0)

    def _flush(self) -> None:
        self.spool.write("".join(self.chunks).encode("utf-8"))
        self.chunks = []

    def close(self) -> Path:
        """Write the file; returns its path."""
        self.chunks.append(SHEET_TAIL)
        self._flush()
        try:
            with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, text in (
                    ("[Content_Types].xml", CONTENT_TYPES),
                    ("_rels/.rels", PACKAGE_RELS),
                    ("xl/workbook.xml", _workbook(self.sheet)),
                    ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                    ("xl/styles.xml", STYLES),
                ):
                    archive.writestr(_info(name), text)
                self._add_sheet(archive)
        finally:
            self.spool.close()
        return self.path

    def _add_sheet(self, archive: zipfile.ZipFile) -> None:
        info = _info("xl/worksheets/sheet1.xml")
        info.file_size = self.spool.tell()  # lets zipfile choose zip64 only when needed
        self.spool.seek(0)
        with archive.open(info, "w") as target:
            while chunk := self.spool.read(1 << 20):
                target.write(chunk)


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
