"""Reading one tabular resource (CSV, XLSX, JSON) into a polars frame of raw cell strings.

The frame keeps the cells exactly as Frictionless sees them before any typing:
one ``pl.Utf8`` column per header label, in file order; an empty cell is ``""``;
a cell that is absent because the row is short is ``null``. Each frame row
carries its Frictionless row number (the header is row 1; every record of the
file counts, blank lines included).

CSV is read two ways that give the same table:

* the fast way, polars, when a cheap scan of the lines proves that every line
  is one record with as many cells as the header (the common case);
* the exact way, Python's ``csv`` module with the dialect Frictionless would
  use (it sniffs the same sample), for ragged rows, blank lines, line breaks
  inside quoted cells and the like.

XLSX, JSON and CSV dialects beyond the plain ones are read through Frictionless
itself; ``Table.exact`` is False for those, which tells the validator to let
Frictionless validate them too.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from catalog.content import inside
from catalog.errors import ContentError
from catalog.i18n import _
from catalog.schema import cast_frame

# Above this a file is refused rather than read (a 2 GB upload would need several
# GB of memory); split such tables into several resources.
MAX_RESOURCE_BYTES = 1024 * 1024 * 1024
CSV_FORMATS = ("csv", "tsv", "txt")
SNIFF_LINES = 100  # what Frictionless samples to sniff the dialect
CHUNK_ROWS = 100_000
HEAD_BYTES = 1 << 20  # enough for the 100 lines the dialect is sniffed from
LINE_SEPARATOR = "\x1f"  # reading whole lines: a byte that never occurs in text
# Dialect properties the CSV readers here implement; anything else goes to Frictionless.
PLAIN_DIALECT = {
    "delimiter",
    "quoteChar",
    "doubleQuote",
    "escapeChar",
    "skipInitialSpace",
    "lineTerminator",
    "header",
    "caseSensitiveHeader",
    "csvddfVersion",
    "csv",
    "$schema",
}


class TableError(ContentError):
    """A resource file that cannot be read; ``code`` is the Frictionless error type."""

    def __init__(self, code: str, text: str, hint: str = "", **params: object) -> None:
        super().__init__(text, hint, **params)
        self.code = code


@dataclass
class Table:
    """One resource's cells as read from its file, before typing."""

    frame: pl.DataFrame  # Utf8 columns; "" = empty cell, null = cell absent (short row)
    row_numbers: pl.Series  # Frictionless row number of each frame row (header = 1)
    labels: list[str]  # the header row as written
    encoding: str  # the encoding the file was read with
    format: str = "csv"
    path: Path | None = None
    # Cells beyond the header's width: (row number, 1-based position, value).
    extra_cells: list[tuple[int, int, str]] = field(default_factory=list)
    # Set when the encoding was not declared and the file is not UTF-8 (e.g. Windows-1252).
    guessed_encoding: str | None = None
    exact: bool = True  # read the way Frictionless reads it, cell for cell
    fast: bool = False  # read by polars (for tests and benchmarks)

    @property
    def columns(self) -> list[str]:
        return self.frame.columns


# ---------------------------------------------------------------- locating the file


def resource_path(folder: Path, resource: dict[str, Any]) -> Path:
    """The resource's file, refusing paths that leave the dataset folder."""
    name = resource.get("name", "?")
    path = resource.get("path")
    if isinstance(path, list):
        raise TableError(
            "resource-error",
            _("Resource {resource}: multipart paths are not supported."),
            _("Join the parts into one file."),
            resource=name,
        )
    if not isinstance(path, str) or not path:
        raise TableError(
            "resource-error",
            _("Resource {resource} has no path to a data file."),
            _('Add a relative "path" such as "data/{resource}.csv".'),
            resource=name,
        )
    target = inside(folder, path)
    if target is None:
        raise TableError(
            "resource-error",
            _("Resource {resource}: the path {path} points outside the dataset folder."),
            _('Use a relative path inside the dataset folder, such as "data/file.csv".'),
            resource=name,
            path=path,
        )
    if not target.is_file():
        raise TableError(
            "scheme-error",
            _("Resource {resource}: file not found: {path}."),
            _("Check the resource's path; it is relative to the dataset folder."),
            resource=name,
            path=path,
        )
    size = target.stat().st_size
    if size > MAX_RESOURCE_BYTES:
        raise TableError(
            "source-error",
            _("Resource {resource}: {path} is too large ({size} bytes; the limit is {limit})."),
            _("Split the table into several resources (for example one per year)."),
            resource=name,
            path=path,
            size=size,
            limit=MAX_RESOURCE_BYTES,
        )
    return target


def resource_format(resource: dict[str, Any]) -> str:
    fmt = resource.get("format")
    if isinstance(fmt, str) and fmt:
        return fmt.lower()
    path = resource.get("path")
    if isinstance(path, str) and "." in path:
        return path.rsplit(".", 1)[-1].lower()
    return "csv"


# ---------------------------------------------------------------- public API


def read_resource(folder: Path, resource: dict[str, Any], *, fast: bool = True) -> Table:
    """Read a resource's cells; ``fast=False`` forces the exact CSV reader (tests)."""
    path = resource_path(folder, resource)
    fmt = resource_format(resource)
    if fmt in CSV_FORMATS and _plain_dialect(resource.get("dialect")):
        return _read_csv(path, resource, fmt, fast=fast)
    return _read_with_frictionless(folder, path, resource, fmt)


def typed_frame(table: Table, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of ``table`` cast to their Table Schema types, columns named by field names.

    Cells that are missing or do not fit their type are null: the build loads only
    valid datasets, so in practice that means missing values.
    """
    return cast_frame(table.frame, schema)


# ---------------------------------------------------------------- CSV


def _plain_dialect(dialect: Any) -> bool:
    if dialect is None:
        return True
    if not isinstance(dialect, dict):
        return False
    if not set(dialect) <= PLAIN_DIALECT:
        return False
    if dialect.get("header") is False or dialect.get("caseSensitiveHeader") is False:
        return False
    inner = dialect.get("csv", {})
    return isinstance(inner, dict) and set(inner) <= PLAIN_DIALECT


def _read_csv(path: Path, resource: dict[str, Any], fmt: str, *, fast: bool) -> Table:
    name = resource.get("name", "?")
    declared = resource.get("encoding")
    table = None
    if fast and _plain_utf8(declared):
        # UTF-8 is validated by polars itself: the file is never loaded into Python.
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
        if _looks_binary(head):
            decode(head, None, name)  # raises the binary-file error
        if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            sample = head.decode("utf-8-sig", errors="ignore")
            dialect = csv_dialect(sample, resource.get("dialect"), fmt)
            table = _read_csv_fast(path, dialect, sample)
            encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
            guessed = None
    if table is None:
        raw = path.read_bytes()
        text, encoding, guessed = decode(raw, declared, name)
        del raw
        dialect = csv_dialect(text[:HEAD_BYTES], resource.get("dialect"), fmt)
        table = _read_csv_exact(text, dialect)
    table.encoding = encoding
    table.guessed_encoding = guessed
    table.path = path
    table.format = fmt
    return table


def _plain_utf8(declared: Any) -> bool:
    if not declared:
        return True
    try:
        return codecs.lookup(str(declared)).name == "utf-8"
    except LookupError:
        return False


def decode(raw: bytes, declared: Any, resource: str) -> tuple[str, str, str | None]:
    """The file's text, the encoding used, and the guessed encoding if it was not declared UTF-8.

    Frictionless guesses an undeclared encoding with chardet; we read UTF-8 (with or
    without BOM) and otherwise say it is Windows-1252, which is what a non-UTF-8
    file from a Latin American office almost always is, so the publisher declares it.
    """
    if _looks_binary(raw):
        raise TableError(
            "source-error",
            _("Resource {resource}: the file is binary, not text."),
            _("Export the table as CSV text (UTF-8) and check the resource's path and format."),
            resource=resource,
        )
    if declared:
        try:
            name = codecs.lookup(str(declared)).name
        except LookupError:
            raise TableError(
                "encoding-error",
                _("Resource {resource}: unknown encoding {encoding}."),
                _('Declare "utf-8" or "windows-1252".'),
                resource=resource,
                encoding=str(declared),
            ) from None
        if name == "utf-8" and raw.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            return raw.decode(name), name, None
        except UnicodeDecodeError as exc:
            hint = _("Save the file as {encoding}, or declare the encoding it really has.")
            if name.startswith("utf-8") and _decodes(raw, "cp1252"):
                hint = _(
                    "The file looks like Windows-1252 (Latin-1): declare "
                    '"encoding": "windows-1252" or save it again as UTF-8.'
                )
            raise TableError(
                "encoding-error",
                _(
                    "Resource {resource}: the file is not valid {encoding} (byte {byte} at "
                    "position {position})."
                ),
                hint,
                resource=resource,
                encoding=name,
                byte=f"0x{raw[exc.start]:02x}",
                position=exc.start,
            ) from None
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig", None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16", None
    try:
        return raw.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError:
        pass
    if _decodes(raw, "cp1252"):
        return raw.decode("cp1252"), "cp1252", "windows-1252"
    return raw.decode("latin-1"), "iso8859-1", "iso-8859-1"


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(raw: bytes) -> bool:
    head = raw[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def csv_dialect(sample: str, declared: Any, fmt: str) -> csv.Dialect:
    """The Python csv dialect Frictionless would read this file with (declared, then sniffed).

    ``sample`` is the start of the text; like Frictionless we sniff its first 100 lines.
    """
    from frictionless import Dialect
    from frictionless.formats import CsvControl

    dialect = Dialect.from_descriptor(declared) if isinstance(declared, dict) else Dialect()
    control = CsvControl.from_dialect(dialect)
    if fmt == "tsv":
        control.set_not_defined("delimiter", "\t")
    lines = io.StringIO(sample, newline="").readlines()[:SNIFF_LINES]
    try:
        sniffed = csv.Sniffer().sniff(
            "".join(lines), control.get_defined("delimiter", default=",\t;|")
        )
    except csv.Error:
        sniffed = csv.excel()
    if sniffed.quotechar == "'":
        sniffed.quotechar = '"'
    control.set_not_defined("delimiter", sniffed.delimiter, distinct=True)
    control.set_not_defined("line_terminator", sniffed.lineterminator, distinct=True)
    control.set_not_defined("escape_char", sniffed.escapechar, distinct=True)
    control.set_not_defined("quote_char", sniffed.quotechar, distinct=True)
    control.set_not_defined("skip_initial_space", sniffed.skipinitialspace, distinct=True)
    return control.to_python()


def column_names(labels: list[str]) -> list[str]:
    """Frame column names: the labels, with blanks named ``fieldN`` and duplicates suffixed."""
    names: list[str] = []
    used: set[str] = set()
    for number, label in enumerate(labels, start=1):
        base = label if label else f"field{number}"
        name, suffix = base, 2
        while name in used:
            name, suffix = f"{base}{suffix}", suffix + 1
        names.append(name)
        used.add(name)
    return names


def _read_csv_exact(text: str, dialect: csv.Dialect) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    labels = next(reader, [])
    names = column_names(labels)
    width = len(names)
    chunks: list[pl.DataFrame] = []
    numbers: list[int] = []
    extra: list[tuple[int, int, str]] = []
    columns: list[list[str | None]] = [[] for _ in names]
    row_number = 1
    for cells in reader:
        row_number += 1
        numbers.append(row_number)
        for index, column in enumerate(columns):
            column.append(cells[index] if index < len(cells) else None)
        if len(cells) > width:
            extra.extend(
                (row_number, position, value)
                for position, value in enumerate(cells[width:], start=width + 1)
            )
        if len(numbers) % CHUNK_ROWS == 0:
            chunks.append(_chunk(names, columns))
            columns = [[] for _ in names]
    chunks.append(_chunk(names, columns))
    frame = pl.concat(chunks) if len(chunks) > 1 else chunks[0]
    return Table(
        frame=frame,
        row_numbers=pl.Series("row", numbers, dtype=pl.Int64),
        labels=labels,
        encoding="utf-8",
        extra_cells=extra,
    )


def _chunk(names: list[str], columns: list[list[str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            name: pl.Series(name, values, dtype=pl.Utf8)
            for name, values in zip(names, columns, strict=True)
        }
    )


def _read_csv_fast(path: Path, dialect: csv.Dialect, sample: str) -> Table | None:
    """Polars, when every line is provably one record as wide as the header; None otherwise."""
    if (
        len(dialect.delimiter) != 1
        or dialect.escapechar
        or dialect.skipinitialspace
        or not dialect.doublequote
        or len(dialect.quotechar or "") != 1
    ):
        return None
    first = io.StringIO(sample, newline="").readline().rstrip("\r\n")
    header = next(csv.reader([first], dialect=dialect), [])
    counts = _count_bytes(path, dialect.delimiter, dialect.quotechar)
    if counts["\r"] != counts["\r\n"] or len(header) < 2:
        return None
    if counts[dialect.quotechar] == 0:
        return _read_unquoted(path, dialect, header, counts)
    return _read_quoted(path, dialect, header)


def _count_bytes(path: Path, delimiter: str, quote: str) -> dict[str, int]:
    """How many delimiters, quotes and line ends the file holds (read in blocks, not kept)."""
    keys = {"\n": b"\n", "\r": b"\r", delimiter: delimiter.encode(), quote: quote.encode()}
    counts = dict.fromkeys([*keys, "\r\n"], 0)
    last = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            for key, token in keys.items():
                counts[key] += block.count(token)
            if b"\r" in block or last == b"\r":  # rare: only then count the pairs
                counts["\r\n"] += block.count(b"\r\n") + (last == b"\r" and block[:1] == b"\n")
            last = block[-1:]
    counts["ends with newline"] = int(last == b"\n")
    return counts


def _read_unquoted(
    path: Path, dialect: csv.Dialect, header: list[str], counts: dict[str, int]
) -> Table | None:
    """No quote in the file: lines are records, and the delimiter count proves the widths.

    Polars refuses a line with too many cells, so if the file holds exactly
    (width - 1) delimiters per line, no line can have too few either (a blank
    line has none).
    """
    lines = counts["\n"] + (0 if counts["ends with newline"] else 1)
    width = len(header)
    if counts[dialect.delimiter] != (width - 1) * lines:
        return None
    frame = _polars_csv(path, dialect, header)
    if frame is None or frame.height != lines - 1:
        return None
    return _fast_table(frame, header)


def _read_quoted(path: Path, dialect: csv.Dialect, header: list[str]) -> Table | None:
    """Quotes in the file: check line by line, and read the quoted lines with Python's csv.

    A first pass reads the file as plain lines (polars validates UTF-8 and strips a
    BOM and the ``\r`` of ``\r\n``) to prove that there is no blank line, that
    unquoted lines have the header's width, and that lines with quotes each hold
    exactly one record of that width (as Python's csv module, which Frictionless
    uses, reads them; those rows are then taken from it, to the letter).
    """
    try:
        lines = pl.read_csv(
            path,
            has_header=False,
            separator=LINE_SEPARATOR,
            quote_char=None,
            schema={"line": pl.Utf8},
            empty_string_is_null=False,
            raise_if_empty=False,
        ).to_series()
    except pl.exceptions.PolarsError:  # not UTF-8, or the separator occurs in the file
        return None
    width = len(header)
    body = lines.slice(1)
    del lines
    quoted = body.str.contains(dialect.quotechar, literal=True)
    counts = body.str.count_matches(dialect.delimiter, literal=True) + 1
    if ((counts != width) & ~quoted).any() or (body == "").any():
        return None
    quoted_rows = quoted.arg_true()
    quoted_lines = body.gather(quoted_rows).to_list()
    records = list(csv.reader([*quoted_lines, "end"], dialect=dialect))[:-1]
    if len(records) != len(quoted_lines) or any(len(r) != width for r in records):
        return None
    height = len(body)
    del body, quoted, counts
    frame = _polars_csv(path, dialect, header)
    if frame is None or frame.height != height:
        return None
    names = frame.columns
    frame = frame.with_columns(
        frame[name].scatter(quoted_rows, [r[i] for r in records]) for i, name in enumerate(names)
    )
    return _fast_table(frame, header)


def _polars_csv(path: Path, dialect: csv.Dialect, header: list[str]) -> pl.DataFrame | None:
    try:
        return pl.read_csv(
            path,
            has_header=False,
            skip_rows=1,
            separator=dialect.delimiter,
            quote_char=dialect.quotechar,
            schema={n: pl.Utf8 for n in column_names(header)},
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:  # invalid UTF-8, a line with too many cells...
        return None


def _fast_table(frame: pl.DataFrame, header: list[str]) -> Table:
    numbers = pl.int_range(2, frame.height + 2, dtype=pl.Int64, eager=True).alias("row")
    return Table(frame=frame, row_numbers=numbers, labels=header, encoding="utf-8", fast=True)


# ---------------------------------------------------------------- XLSX, JSON, other dialects


def _read_with_frictionless(folder: Path, path: Path, resource: dict[str, Any], fmt: str) -> Table:
    from frictionless import FrictionlessException, Resource

    descriptor = {
        key: resource[key] for key in ("path", "format", "dialect", "encoding") if key in resource
    }
    descriptor["name"] = "table"
    descriptor["type"] = "table"  # a .json path is otherwise read as metadata, not rows
    descriptor["path"] = str(path.relative_to(folder.resolve()))
    try:
        source = Resource.from_descriptor(descriptor, basepath=str(folder.resolve()))
        with source:
            labels = [str(label) for label in source.labels]
            stream = source.dialect.read_enumerated_content_stream(source.cell_stream)
            rows = [(number, cells) for number, cells in stream]
            encoding = source.encoding or "utf-8"
    except FrictionlessException as exc:
        error = exc.error
        raise TableError(
            error.type if error.type.endswith("-error") else "source-error",
            _("Resource {resource}: cannot read the file: {reason}."),
            _("Check that the file is a valid {format} file and matches the resource's format."),
            resource=resource.get("name", "?"),
            reason=error.note or error.message,
            format=fmt,
        ) from None
    except Exception as exc:  # openpyxl & co. raise anything on a corrupt file
        raise TableError(
            "source-error",
            _("Resource {resource}: cannot read the file: {reason}."),
            _("Check that the file is a valid {format} file and matches the resource's format."),
            resource=resource.get("name", "?"),
            reason=str(exc) or type(exc).__name__,
            format=fmt,
        ) from None
    names = column_names(labels)
    header_rows = source.dialect.header_rows if source.dialect.header else []
    rows = [(n, c) for n, c in rows if n not in header_rows]
    columns = {
        name: pl.Series(
            name, [_cell_text(c[i]) if i < len(c) else None for _, c in rows], dtype=pl.Utf8
        )
        for i, name in enumerate(names)
    }
    extra = [
        (n, pos, _cell_text(v) or "")
        for n, c in rows
        for pos, v in enumerate(c[len(names) :], start=len(names) + 1)
    ]
    return Table(
        frame=pl.DataFrame(columns) if columns else pl.DataFrame(),
        row_numbers=pl.Series("row", [n for n, _ in rows], dtype=pl.Int64),
        labels=labels,
        encoding=encoding,
        format=fmt,
        path=path,
        extra_cells=extra,
        exact=False,
    )


def _cell_text(value: Any) -> str | None:
    """A native cell (XLSX/JSON) as the text a CSV export would show."""
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)
